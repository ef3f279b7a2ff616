package functions_test

// The functions under AWS's Runtime Interface Emulator, sent the events
// the deployed HTTP API sends (base64 forms, its headers and request
// context), one invocation at a time.

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"tinyboard/internal/board"
	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
	"tinyboard/internal/samlocal"
	"tinyboard/internal/testenv"
)

// Accept headers of a browser asking for a page or an image.
const (
	acceptPage  = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	acceptImage = "image/avif,image/webp,image/png,image/*;q=0.8,*/*;q=0.5"
)

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

// underRIE runs bootstrap under the emulator with env and returns it and
// its output; both end with tb.
func underRIE(tb testing.TB, bootstrap string, env []string) (*samlocal.Emulator, *testenv.Buffer) {
	tb.Helper()
	out := new(testenv.Buffer)
	em, err := samlocal.Start(context.Background(), samlocal.Config{
		RIE:       samlocal.Binary(tb),
		Bootstrap: bootstrap,
		Env:       env,
		Output:    out,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		em.Close()
		if tb.Failed() {
			tb.Logf("emulator output:\n%s", out.String())
		}
	})
	return em, out
}

// startEmulator runs function's bootstrap, built by the Makefile, under
// the emulator with the environment sam local gives it, with overrides
// for its template variables.
func startEmulator(tb testing.TB, function string, overrides map[string]string) (*samlocal.Emulator, *testenv.Buffer) {
	tb.Helper()
	return underRIE(tb, makeBootstrap(tb, function), samlocal.Env(loadTemplate(tb), function, overrides))
}

// rieInvoke sends event to em and returns its answer.
func rieInvoke(tb testing.TB, em *samlocal.Emulator, event []byte) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
	defer cancel()
	out, err := em.Invoke(ctx, event)
	if err != nil {
		tb.Fatalf("invoke: %v", err)
	}
	return out
}

// rieHTTP sends r to em as the HTTP API would and decodes the answer,
// failing tb if the function reported an error instead.
func rieHTTP(tb testing.TB, em *samlocal.Emulator, r request) answer {
	tb.Helper()
	out := rieInvoke(tb, em, r.event(tb))
	if bytes.Contains(out, []byte(`"errorMessage"`)) {
		tb.Fatalf("%s %s: the function reported an error: %s", r.method, r.target, out)
	}
	return decodeAnswer(tb, out)
}

// startLine is the emulator's line before each invocation.
var startLine = regexp.MustCompile(`(?m)^START RequestId: (\S+) `)

// wantRIELogs fails tb unless the function wrote exactly one JSON line
// per invocation, each carrying the request id of the emulator's START
// line for it, in order, with the method, path and status it answered.
func wantRIELogs(tb testing.TB, out *testenv.Buffer, want []logLine) {
	tb.Helper()
	var ids []string
	var lines []string
	// The emulator's output comes through a pipe: wait a little for the
	// last lines (and for any extra one) before counting.
	for deadline := time.Now().Add(2 * time.Second); ; {
		text := out.String()
		ids, lines = nil, nil
		for _, m := range startLine.FindAllStringSubmatch(text, -1) {
			ids = append(ids, m[1])
		}
		for line := range strings.SplitSeq(text, "\n") {
			if strings.HasPrefix(line, "{") {
				lines = append(lines, line)
			}
		}
		if len(ids) >= len(want) && len(lines) >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(ids) != len(want) || len(lines) != len(want) {
		tb.Fatalf("got %d invocations and %d JSON log lines, want %d of each, one line per request:\n%s", len(ids), len(lines), len(want), out.String())
	}
	for i, line := range lines {
		var got logLine
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			tb.Errorf("log line %d is not JSON: %q", i+1, line)
			continue
		}
		w := want[i]
		if got.Msg != "request" || got.Method != w.Method || got.Path != w.Path || got.Status != w.Status || got.LambdaRequestID != ids[i] {
			tb.Errorf("log line %d: got %s, want msg request, %s %s, status %d, lambda_request_id %s", i+1, line, w.Method, w.Path, w.Status, ids[i])
		}
		if got.APIGWRequestID == "" {
			tb.Errorf("log line %d: got %s, want an apigw_request_id", i+1, line)
		}
	}
}

func TestStaticFunctionServesPages(t *testing.T) {
	em, out := startEmulator(t, "StaticFunction", nil)
	logo, err := os.ReadFile("../internal/web/site/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	var logs []logLine

	home := rieHTTP(t, em, request{method: "GET", target: "/", header: map[string]string{"accept": acceptPage}})
	logs = append(logs, logLine{Method: "GET", Path: "/", Status: http.StatusOK})
	if home.status != http.StatusOK {
		t.Errorf("GET /: got status %d, want 200", home.status)
	}
	if got, want := home.header["Content-Type"], "text/html; charset=utf-8"; got != want {
		t.Errorf("GET /: Content-Type: got %q, want %q", got, want)
	}
	if !bytes.Contains(home.body, []byte("Welcome to tinyboard")) {
		t.Errorf("GET /: body %.200q does not look like the home page", home.body)
	}

	png := rieHTTP(t, em, request{method: "GET", target: "/logo.png", header: map[string]string{"accept": acceptImage}})
	logs = append(logs, logLine{Method: "GET", Path: "/logo.png", Status: http.StatusOK})
	if png.status != http.StatusOK || png.header["Content-Type"] != "image/png" {
		t.Errorf("GET /logo.png: got status %d, Content-Type %q, want 200 image/png", png.status, png.header["Content-Type"])
	}
	if !png.base64 {
		t.Error("GET /logo.png: isBase64Encoded: got false, want true")
	}
	if !bytes.Equal(png.body, logo) {
		t.Errorf("GET /logo.png: got %d bytes, want the %d bytes of logo.png", len(png.body), len(logo))
	}

	missing := rieHTTP(t, em, request{method: "GET", target: "/missing.html", header: map[string]string{"accept": acceptPage}})
	logs = append(logs, logLine{Method: "GET", Path: "/missing.html", Status: http.StatusNotFound})
	if missing.status != http.StatusNotFound {
		t.Errorf("GET /missing.html: got status %d, want 404", missing.status)
	}

	wantRIELogs(t, out, logs)
}

func TestBoardFunctionSavesAndListsInDynamoDB(t *testing.T) {
	const table = "tinyboard-fn-test"
	endpoint, store := newTable(t, table)
	em, out := startEmulator(t, "BoardFunction", map[string]string{"BOARD_TABLE": table, "DYNAMODB_ENDPOINT": endpoint})

	// Texts that must reach the store and the page, and never the logs.
	first := "Hello from the board function, secret-" + newRequestID()[:8] + "\nwith a second line"
	second := "JSON post, secret-" + newRequestID()[:8]
	var logs []logLine

	form := url.Values{"id": {board.NewID(time.Now())}, "message": {first}}.Encode()
	saved := rieHTTP(t, em, request{
		method: "POST", target: "/board", body: form, base64: true, // as an HTTP API sends a form
		header: map[string]string{"accept": acceptPage, "content-type": "application/x-www-form-urlencoded", "origin": "https://" + apiHost, "sec-fetch-site": "same-origin"},
	})
	logs = append(logs, logLine{Method: "POST", Path: "/board", Status: http.StatusSeeOther})
	if saved.status != http.StatusSeeOther || !strings.HasPrefix(saved.header["Location"], "board") {
		t.Errorf("POST /board form: got status %d, Location %q, want 303 to board; body %q", saved.status, saved.header["Location"], saved.body)
	}

	body, _ := json.Marshal(map[string]string{"message": second})
	created := rieHTTP(t, em, request{
		method: "POST", target: "/board", body: string(body),
		header: map[string]string{"accept": "application/json", "content-type": "application/json"},
	})
	logs = append(logs, logLine{Method: "POST", Path: "/board", Status: http.StatusCreated})
	if created.status != http.StatusCreated {
		t.Errorf("POST /board JSON: got status %d, want 201; body %q", created.status, created.body)
	}

	list := rieHTTP(t, em, request{method: "GET", target: "/board", header: map[string]string{"accept": "application/json"}})
	logs = append(logs, logLine{Method: "GET", Path: "/board", Status: http.StatusOK})
	var page struct{ Messages []board.Message }
	if err := json.Unmarshal(list.body, &page); err != nil {
		t.Fatalf("GET /board JSON: %v; body %q", err, list.body)
	}
	if got := texts(page.Messages); strings.Join(got, "|") != first+"|"+second {
		t.Errorf("GET /board JSON: got messages %q, want %q then %q", got, first, second)
	}

	html := rieHTTP(t, em, request{method: "GET", target: "/board", header: map[string]string{"accept": acceptPage}})
	logs = append(logs, logLine{Method: "GET", Path: "/board", Status: http.StatusOK})
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

	wantRIELogs(t, out, logs)
	for _, text := range []string{first, second, "secret-"} {
		if strings.Contains(out.String(), text) {
			t.Errorf("logs contain message text %q:\n%s", text, out.String())
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
	// Under sam local: infra/env.json without a table name.
	overrides := envFile(t)
	overrides["BoardFunction"]["BOARD_TABLE"] = ""
	tpl := loadTemplate(t)
	out := new(testenv.Buffer)
	rt, err := samlocal.NewRuntime(context.Background(), samlocal.Binary(t), map[string]samlocal.Function{
		"BoardFunction": {Bootstrap: makeBootstrap(t, "BoardFunction"), Env: samlocal.Env(tpl, "BoardFunction", overrides["BoardFunction"])},
	}, samlocal.WarmLazy, out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	srv, base, err := samlocal.Serve(samlocal.NewFront(samlocal.Routes(tpl), rt, nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })

	resp, err := http.Get(base + "/board")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("GET /board with no table named: got %d, want SAM's 502 for a function that did not start", resp.StatusCode)
	}
	for deadline := time.Now().Add(2 * time.Second); !strings.Contains(out.String(), "BOARD_TABLE") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "BOARD_TABLE") {
		t.Errorf("the function's output does not say BOARD_TABLE is missing:\n%s", out.String())
	}
}

func TestPanicIsAnsweredAndFunctionKeepsServing(t *testing.T) {
	em, out := underRIE(t, buildHost(t, panickyPkg), samlocal.Env(loadTemplate(t), "StaticFunction", nil))

	a := decodeAnswer(t, rieInvoke(t, em, request{method: "GET", target: "/panic"}.event(t)))
	if a.status < 500 {
		t.Errorf("GET /panic: got status %d, want a 5xx", a.status)
	}
	if bytes.Contains(a.body, []byte("asked to panic")) {
		t.Errorf("GET /panic: body %q shows the panic to the client", a.body)
	}
	pid := em.BootstrapPID()

	a = rieHTTP(t, em, request{method: "GET", target: "/"})
	if a.status != http.StatusOK || string(a.body) != "still serving\n" {
		t.Errorf("GET / after the panic: got %d %q, want 200 %q", a.status, a.body, "still serving\n")
	}
	if now := em.BootstrapPID(); pid == 0 || now != pid {
		t.Errorf("the bootstrap is PID %d after the panic and %d after the next request, want one process throughout", pid, now)
	}
	if !strings.Contains(out.String(), "asked to panic") {
		t.Errorf("output: got %q, want the panic logged", out.String())
	}
}

func TestLambdaDeadlineBoundsStoreCalls(t *testing.T) {
	// A DynamoDB that accepts connections and never answers, and a
	// function timeout of 1 s, under the board's own 3 s bound on a store
	// call: the board must give up by Lambda's deadline and answer 503,
	// for otherwise the emulator ends the invocation with "Task timed out".
	endpoint := silentServer(t)
	env := append(samlocal.Env(loadTemplate(t), "BoardFunction", map[string]string{"BOARD_TABLE": "tinyboard", "DYNAMODB_ENDPOINT": endpoint}),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=1")
	em, _ := underRIE(t, makeBootstrap(t, "BoardFunction"), env)
	probe := request{method: "GET", target: "/board", header: map[string]string{"accept": "application/json"}}
	rieInvoke(t, em, request{method: "GET", target: "/nothing-here"}.event(t)) // the bootstrap's start, which the timeout also covers
	out := rieInvoke(t, em, probe.event(t))
	if bytes.Contains(out, []byte("Task timed out")) {
		t.Fatalf("GET /board with DynamoDB silent: %s; want the board to answer within Lambda's deadline", out)
	}
	a := decodeAnswer(t, out)
	if a.status != http.StatusServiceUnavailable || a.header["Retry-After"] != "1" {
		t.Errorf("GET /board with DynamoDB silent: got %d (Retry-After %q), want 503 with Retry-After 1", a.status, a.header["Retry-After"])
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
