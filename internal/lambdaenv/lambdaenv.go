// Package lambdaenv opens the board's DynamoDB table the way the Lambda
// functions are configured: the table and endpoint from the function's
// own variables (BOARD_TABLE, DYNAMODB_ENDPOINT), and the AWS SDK's
// configuration from the variables Lambda sets for every function.
//
// It does not use config.LoadDefaultConfig. Inside Lambda (and under
// sam local, which sets the same variables) the region and credentials
// are in the environment; the default loader's credential chain (shared
// files, SSO, STS, the instance metadata service) is never used there,
// yet adds megabytes to the binary and milliseconds to every cold start.
// localdev, on a laptop where profiles and SSO matter, keeps the loader.
package lambdaenv

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"tinyboard/internal/dynamostore"
)

// The variables Lambda sets for a function (AWS_REGION and the execution
// role's credentials), and the SDK's own for a custom CA bundle.
const (
	RegionVar       = "AWS_REGION"
	AccessKeyVar    = "AWS_ACCESS_KEY_ID"
	SecretKeyVar    = "AWS_SECRET_ACCESS_KEY"
	SessionTokenVar = "AWS_SESSION_TOKEN"
	CABundleVar     = "AWS_CA_BUNDLE"
)

// SDKVars are the variables AWSConfig reads: Lambda sets them (all but
// AWS_CA_BUNDLE), not the function's configuration in template.yaml.
var SDKVars = []string{RegionVar, AccessKeyVar, SecretKeyVar, SessionTokenVar, CABundleVar}

// ErrMissing is the error AWSConfig's errors match when a variable it
// needs is not set.
var ErrMissing = errors.New("missing from the environment")

// AWSConfig returns the SDK configuration of a Lambda function: the
// region from AWS_REGION; static credentials from AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, behind the SDK's
// credentials cache; and httpClient, with the certificates of the PEM
// file AWS_CA_BUNDLE names as its only trusted roots when that is set
// (what the SDK's own loader makes of the variable). A missing region or
// credential is an error naming the variable.
func AWSConfig(getenv func(string) string, httpClient *awshttp.BuildableClient) (aws.Config, error) {
	cfg := aws.Config{Region: getenv(RegionVar)}
	if cfg.Region == "" {
		return cfg, fmt.Errorf("%s is not set: Lambda sets it to the function's region: %w", RegionVar, ErrMissing)
	}
	for _, name := range []string{AccessKeyVar, SecretKeyVar} {
		if getenv(name) == "" {
			return cfg, fmt.Errorf("%s is not set: Lambda sets the credentials (%s, %s, %s) from the function's execution role: %w",
				name, AccessKeyVar, SecretKeyVar, SessionTokenVar, ErrMissing)
		}
	}
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
		getenv(AccessKeyVar), getenv(SecretKeyVar), getenv(SessionTokenVar)))
	if path := getenv(CABundleVar); path != "" {
		roots, err := readCABundle(path)
		if err != nil {
			return cfg, fmt.Errorf("%s=%s: %w", CABundleVar, path, err)
		}
		httpClient = httpClient.WithTransportOptions(func(t *http.Transport) {
			if t.TLSClientConfig == nil {
				t.TLSClientConfig = &tls.Config{}
			}
			t.TLSClientConfig.RootCAs = roots
		})
	}
	cfg.HTTPClient = httpClient
	return cfg, nil
}

// readCABundle reads the certificates of a PEM file.
func readCABundle(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, errors.New("no PEM certificate in the file")
	}
	return roots, nil
}

// OpenStore opens the table named by BOARD_TABLE, through AWSConfig, or
// on the DynamoDB-compatible server at DYNAMODB_ENDPOINT when that is
// set (where, as the server ignores them, the region and credentials may
// be missing). The Store keeps messages for retention (zero: until they
// are cleared).
func OpenStore(getenv func(string) string, retention time.Duration) (*dynamostore.Store, error) {
	cfg := dynamostore.Config{Table: getenv("BOARD_TABLE"), Endpoint: getenv("DYNAMODB_ENDPOINT"), Retention: retention}
	if cfg.Table == "" {
		return nil, errors.New("BOARD_TABLE is not set: name the DynamoDB table that holds the messages")
	}
	awsCfg, err := AWSConfig(getenv, dynamostore.HTTPClient())
	if err != nil {
		if cfg.Endpoint == "" || !errors.Is(err, ErrMissing) {
			return nil, err
		}
		awsCfg = aws.Config{} // dynamostore.New fills in what a local server needs
	}
	return dynamostore.New(awsCfg, cfg)
}
