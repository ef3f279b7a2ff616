package functions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"tinyboard/internal/board"
	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
	"tinyboard/internal/runtimeapi"
)

// defaultStoreTimeout is the board's own bound on a store call (the
// default of web.BoardConfig.StoreTimeout).
const defaultStoreTimeout = 3 * time.Second

// Accept headers of a browser asking for a page or an image.
const (
	acceptPage  = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	acceptImage = "image/avif,image/webp,image/png,image/*;q=0.8,*/*;q=0.5"
)

func TestStaticFunctionServesPages(t *testing.T) {
	f := startFunction(t, buildHost(t, staticPkg), "tinyboard-static")
	logo, err := os.ReadFile("../internal/web/site/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	var logs []logLine

	home, id := f.httpInvoke(t, request{method: "GET", target: "/", header: map[string]string{"accept": acceptPage}})
	logs = append(logs, logLine{Method: "GET", Path: "/", Status: http.StatusOK, LambdaRequestID: id})
	if home.status != http.StatusOK {
		t.Errorf("GET /: got status %d, want 200", home.status)
	}
	if got, want := home.header["Content-Type"], "text/html; charset=utf-8"; got != want {
		t.Errorf("GET /: Content-Type: got %q, want %q", got, want)
	}
	if !bytes.Contains(home.body, []byte("Welcome to tinyboard")) {
		t.Errorf("GET /: body %.200q does not look like the home page", home.body)
	}

	png, id := f.httpInvoke(t, request{method: "GET", target: "/logo.png", header: map[string]string{"accept": acceptImage}})
	logs = append(logs, logLine{Method: "GET", Path: "/logo.png", Status: http.StatusOK, LambdaRequestID: id})
	if png.status != http.StatusOK || png.header["Content-Type"] != "image/png" {
		t.Errorf("GET /logo.png: got status %d, Content-Type %q, want 200 image/png", png.status, png.header["Content-Type"])
	}
	if !png.base64 {
		t.Error("GET /logo.png: isBase64Encoded: got false, want true")
	}
	if !bytes.Equal(png.body, logo) {
		t.Errorf("GET /logo.png: got %d bytes, want the %d bytes of logo.png", len(png.body), len(logo))
	}

	missing, id := f.httpInvoke(t, request{method: "GET", target: "/missing.html", header: map[string]string{"accept": acceptPage}})
	logs = append(logs, logLine{Method: "GET", Path: "/missing.html", Status: http.StatusNotFound, LambdaRequestID: id})
	if missing.status != http.StatusNotFound {
		t.Errorf("GET /missing.html: got status %d, want 404", missing.status)
	}

	wantRequestLogs(t, f, logs)
}

// newTable starts dynalite and creates the board's table in it,
// returning the endpoint and a Store on that table for checking.
func newTable(tb testing.TB, table string) (endpoint string, store *dynamostore.Store) {
	tb.Helper()
	endpoint = dynalite.Start(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := dynamostore.New(aws.Config{}, dynamostore.Config{Table: table, Endpoint: endpoint})
	if err != nil {
		tb.Fatal(err)
	}
	if err := store.CreateTable(ctx); err != nil {
		tb.Fatalf("create table %s in dynalite: %v", table, err)
	}
	return endpoint, store
}

// boardEnv is the board function's configuration for a table in dynalite.
func boardEnv(table, endpoint string) []string {
	return []string{"BOARD_TABLE=" + table, "DYNAMODB_ENDPOINT=" + endpoint}
}

func TestBoardFunctionSavesAndListsInDynamoDB(t *testing.T) {
	const table = "tinyboard-fn-test"
	endpoint, store := newTable(t, table)
	f := startFunction(t, buildHost(t, boardPkg), "tinyboard-board", boardEnv(table, endpoint)...)

	// Texts that must reach the store and the page, and never the logs.
	first := "Hello from the board function, secret-" + newRequestID()[:8] + "\nwith a second line"
	second := "JSON post, secret-" + newRequestID()[:8]
	var logs []logLine

	form := url.Values{"id": {board.NewID(time.Now())}, "message": {first}}.Encode()
	saved, id := f.httpInvoke(t, request{
		method: "POST", target: "/board", body: form, base64: true, // as an HTTP API sends a form
		header: map[string]string{"accept": acceptPage, "content-type": "application/x-www-form-urlencoded", "origin": "https://" + apiHost, "sec-fetch-site": "same-origin"},
	})
	logs = append(logs, logLine{Method: "POST", Path: "/board", Status: http.StatusSeeOther, LambdaRequestID: id})
	if saved.status != http.StatusSeeOther || saved.header["Location"] != "board" {
		t.Errorf("POST /board form: got status %d, Location %q, want 303 to board; body %q", saved.status, saved.header["Location"], saved.body)
	}

	body, _ := json.Marshal(map[string]string{"message": second})
	created, id := f.httpInvoke(t, request{
		method: "POST", target: "/board", body: string(body),
		header: map[string]string{"accept": "application/json", "content-type": "application/json"},
	})
	logs = append(logs, logLine{Method: "POST", Path: "/board", Status: http.StatusCreated, LambdaRequestID: id})
	if created.status != http.StatusCreated {
		t.Errorf("POST /board JSON: got status %d, want 201; body %q", created.status, created.body)
	}

	list, id := f.httpInvoke(t, request{method: "GET", target: "/board", header: map[string]string{"accept": "application/json"}})
	logs = append(logs, logLine{Method: "GET", Path: "/board", Status: http.StatusOK, LambdaRequestID: id})
	var page struct{ Messages []board.Message }
	if err := json.Unmarshal(list.body, &page); err != nil {
		t.Fatalf("GET /board JSON: %v; body %q", err, list.body)
	}
	if got := texts(page.Messages); strings.Join(got, "|") != first+"|"+second {
		t.Errorf("GET /board JSON: got messages %q, want %q then %q", got, first, second)
	}

	html, id := f.httpInvoke(t, request{method: "GET", target: "/board", header: map[string]string{"accept": acceptPage}})
	logs = append(logs, logLine{Method: "GET", Path: "/board", Status: http.StatusOK, LambdaRequestID: id})
	if html.status != http.StatusOK || !bytes.Contains(html.body, []byte(second)) {
		t.Errorf("GET /board: got status %d, want 200 and a page showing %q", html.status, second)
	}

	// The messages are in DynamoDB, not in the function's memory.
	stored, err := store.Page(t.Context(), "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(stored.Messages); strings.Join(got, "|") != first+"|"+second {
		t.Errorf("table %s: got messages %q, want %q then %q", table, got, first, second)
	}

	wantRequestLogs(t, f, logs)
	for _, text := range []string{first, second, "secret-"} {
		if out := f.stdout.String() + f.stderr.String(); strings.Contains(out, text) {
			t.Errorf("logs contain message text %q:\n%s", text, out)
		}
	}
}

func texts(messages []board.Message) []string {
	var out []string
	for _, m := range messages {
		out = append(out, m.Text)
	}
	return out
}

func TestBoardFunctionWithoutTableFailsAtStart(t *testing.T) {
	f := startFunction(t, buildHost(t, boardPkg), "tinyboard-board") // no BOARD_TABLE
	ctx, cancel := context.WithTimeout(f.exited, invokeTimeout)
	defer cancel()
	_, _, err := f.api.Invoke(ctx, request{method: "GET", target: "/board"}.event(t))
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("invoke: got %v, want the function to exit at start", err)
	}
	if !strings.Contains(err.Error(), "BOARD_TABLE") {
		t.Errorf("exit: got %v, want stderr to say BOARD_TABLE is missing", err)
	}
}

func TestPanicIsAnsweredAndFunctionKeepsServing(t *testing.T) {
	f := startFunction(t, buildHost(t, panickyPkg), "tinyboard-panicky")

	res := f.invoke(t, request{method: "GET", target: "/panic"}.event(t))
	switch {
	case res.Error != nil:
		// Reported on the error endpoint: API Gateway answers 502.
	default:
		a := decodeAnswer(t, res.Response)
		if a.status < 500 {
			t.Errorf("GET /panic: got status %d, want a 5xx or an error report", a.status)
		}
		if bytes.Contains(a.body, []byte("asked to panic")) {
			t.Errorf("GET /panic: body %q shows the panic to the client", a.body)
		}
	}

	a, _ := f.httpInvoke(t, request{method: "GET", target: "/"})
	if a.status != http.StatusOK || string(a.body) != "still serving\n" {
		t.Errorf("GET / after the panic: got %d %q, want 200 %q", a.status, a.body, "still serving\n")
	}
	select {
	case <-f.exited.Done():
		t.Errorf("the function restarted after the panic: %v", context.Cause(f.exited))
	default:
	}
	if !strings.Contains(f.stdout.String(), "asked to panic") {
		t.Errorf("stdout: got %q, want the panic logged", f.stdout.String())
	}
}

func TestLambdaDeadlineBoundsStoreCalls(t *testing.T) {
	// A DynamoDB that accepts connections and never answers: the board
	// gives up on it by the invocation's deadline and answers 503, where
	// without Lambda's deadline it would wait its own 3 s store timeout.
	endpoint := silentServer(t)
	f := startFunction(t, buildHost(t, boardPkg), "tinyboard-board", boardEnv("tinyboard", endpoint)...)
	const lambdaTimeout = 1500 * time.Millisecond
	ctx, cancel := context.WithTimeout(f.exited, invokeTimeout)
	defer cancel()
	res, err := f.api.Do(ctx, runtimeapi.Invocation{
		Payload: request{method: "GET", target: "/board", header: map[string]string{"accept": "application/json"}}.event(t),
		Timeout: lambdaTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	took := res.Answered.Sub(res.Delivered) // from the event to its answer, start-up aside
	if res.Error != nil {
		t.Fatalf("GET /board: the function reported %s, want a 503 answer", res.Error)
	}
	a := decodeAnswer(t, res.Response)
	if a.status != http.StatusServiceUnavailable || a.header["Retry-After"] != "1" {
		t.Errorf("GET /board with DynamoDB silent: got %d (Retry-After %q), want 503 with Retry-After 1", a.status, a.header["Retry-After"])
	}
	if took >= defaultStoreTimeout {
		t.Errorf("answered after %v, want it bounded by the %v Lambda timeout, not the %v store timeout", took, lambdaTimeout, defaultStoreTimeout)
	}
}

// silentServer listens on loopback, accepts connections and never
// answers, until tb ends. It returns its URL.
func silentServer(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}
