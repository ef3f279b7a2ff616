package lambdaenv_test

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
	"tinyboard/internal/lambdaenv"
)

// lambda is the environment Lambda gives a function, plus extra name,
// value pairs (a value of "" removes the variable).
func lambda(extra ...string) func(string) string {
	env := map[string]string{
		"AWS_REGION":            "eu-west-1",
		"AWS_ACCESS_KEY_ID":     "ASIAEXAMPLEKEY",
		"AWS_SECRET_ACCESS_KEY": "example-secret",
		"AWS_SESSION_TOKEN":     "example-token",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return func(name string) string { return env[name] }
}

func TestAWSConfigReadsLambdasVariables(t *testing.T) {
	cfg, err := lambdaenv.AWSConfig(lambda(), dynamostore.HTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-1" {
		t.Errorf("Region: got %q, want eu-west-1", cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIAEXAMPLEKEY" || creds.SecretAccessKey != "example-secret" || creds.SessionToken != "example-token" {
		t.Errorf("credentials: got %+v, want those of the environment", creds)
	}
	if cfg.HTTPClient == nil {
		t.Error("HTTPClient: got nil, want the client passed in")
	}
}

func TestAWSConfigNamesWhatIsMissing(t *testing.T) {
	for _, name := range []string{"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		_, err := lambdaenv.AWSConfig(lambda(name, ""), dynamostore.HTTPClient())
		if err == nil {
			t.Errorf("without %s: got no error", name)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, name+" is not set") || !strings.Contains(msg, "Lambda sets") {
			t.Errorf("without %s: got %q, want it named, and that Lambda sets it", name, msg)
		}
		if !errors.Is(err, lambdaenv.ErrMissing) {
			t.Errorf("without %s: got %v, want it to match ErrMissing", name, err)
		}
	}
	if _, err := lambdaenv.AWSConfig(lambda("AWS_SESSION_TOKEN", ""), dynamostore.HTTPClient()); err != nil {
		t.Errorf("without AWS_SESSION_TOKEN (long-term keys): got %v, want no error", err)
	}
}

// tlsServer starts an HTTPS server on loopback with its own certificate
// and writes that certificate to a PEM file, whose path it returns.
func tlsServer(t *testing.T) (url, bundle string) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	bundle = filepath.Join(t.TempDir(), "ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(bundle, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, bundle
}

// get fetches url with the configuration's HTTP client.
func get(t *testing.T, client interface {
	Do(*http.Request) (*http.Response, error)
}, url string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	return nil
}

func TestAWSConfigTrustsCABundle(t *testing.T) {
	url, bundle := tlsServer(t)

	with, err := lambdaenv.AWSConfig(lambda("AWS_CA_BUNDLE", bundle), dynamostore.HTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	if err := get(t, with.HTTPClient, url); err != nil {
		t.Errorf("with AWS_CA_BUNDLE naming the server's certificate: %v, want the server trusted", err)
	}

	without, err := lambdaenv.AWSConfig(lambda("AWS_CA_BUNDLE", ""), dynamostore.HTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	if err := get(t, without.HTTPClient, url); err == nil {
		t.Error("without AWS_CA_BUNDLE: the self-signed server was trusted, want a certificate error")
	}
}

func TestAWSConfigRefusesBadCABundle(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{empty, filepath.Join(t.TempDir(), "missing.pem")} {
		_, err := lambdaenv.AWSConfig(lambda("AWS_CA_BUNDLE", path), dynamostore.HTTPClient())
		if err == nil || !strings.HasPrefix(err.Error(), "AWS_CA_BUNDLE="+path) {
			t.Errorf("AWS_CA_BUNDLE=%s: got %v, want an error naming the variable and the file", path, err)
		}
	}
}

func TestOpenStoreReachesTheTable(t *testing.T) {
	endpoint := dynalite.Start(t)
	for _, env := range []struct {
		name   string
		getenv func(string) string
	}{
		{"with Lambda's credentials", lambda("BOARD_TABLE", "lambdaenv-a", "DYNAMODB_ENDPOINT", endpoint)},
		// A local server ignores credentials, and sam local may have none.
		{"without credentials", lambda("BOARD_TABLE", "lambdaenv-b", "DYNAMODB_ENDPOINT", endpoint,
			"AWS_REGION", "", "AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "", "AWS_SESSION_TOKEN", "")},
	} {
		st, err := lambdaenv.OpenStore(env.getenv, 0)
		if err != nil {
			t.Fatalf("%s: %v", env.name, err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		if err := st.CreateTable(ctx); err != nil {
			t.Fatalf("%s: create table: %v", env.name, err)
		}
		if _, err := st.Save(ctx, "01JDA0000000000000000000AB", "hello"); err != nil {
			t.Fatalf("%s: save: %v", env.name, err)
		}
		page, err := st.Page(ctx, "", 10)
		if err != nil || len(page.Messages) != 1 || page.Messages[0].Text != "hello" {
			t.Errorf("%s: page: got %+v, %v, want the saved message", env.name, page.Messages, err)
		}
	}
}

func TestOpenStoreNeedsCredentialsForAWS(t *testing.T) {
	_, err := lambdaenv.OpenStore(lambda("BOARD_TABLE", "t", "AWS_ACCESS_KEY_ID", ""), 0)
	if err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID is not set") {
		t.Errorf("without credentials and without DYNAMODB_ENDPOINT: got %v, want an error naming AWS_ACCESS_KEY_ID", err)
	}
	_, err = lambdaenv.OpenStore(lambda(), 0)
	if err == nil || !strings.Contains(err.Error(), "BOARD_TABLE") {
		t.Errorf("without BOARD_TABLE: got %v, want an error naming it", err)
	}
}
