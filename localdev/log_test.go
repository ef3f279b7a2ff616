package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tinyboard/internal/testenv"
)

// Secrets the log must never show: a message's text and the clear token,
// sent in a body, a query and a header.
const (
	logSecretText  = "my-private-message-text"
	logSecretToken = "tok-s3cret-for-the-log"
)

// loggedRequest is one request of the log tests and the line it must
// leave.
type loggedRequest struct {
	method, target string
	body           string
	header         []string // name, value, ...
	path           string   // as the line shows it
	status         int
}

// logRequests is what the log tests send: reads, a post and a clear with
// the secrets, a refused clear, a query and header carrying the token,
// a path that tries to forge a second line, a 404 and a HEAD.
var logRequests = []loggedRequest{
	{method: "GET", target: "board", path: "/board", status: 200},
	{method: "POST", target: "board", body: "message=" + logSecretText, header: []string{"Content-Type", "application/x-www-form-urlencoded"}, path: "/board", status: 303},
	{method: "POST", target: "board", body: `{"message":"` + logSecretText + `"}`, header: []string{"Content-Type", "application/json", "Accept", "application/json"}, path: "/board", status: 201},
	{method: "POST", target: "board", body: "clear=&token=wrong-" + logSecretToken, header: []string{"Content-Type", "application/x-www-form-urlencoded"}, path: "/board", status: 403},
	{method: "POST", target: "board", body: "clear=", header: []string{"Content-Type", "application/x-www-form-urlencoded", "Authorization", "Bearer " + logSecretToken}, path: "/board", status: 303},
	{method: "GET", target: "board?token=" + logSecretToken + "&q=" + logSecretText, path: "/board", status: 200},
	{method: "GET", target: "no%22such%0A127.0.0.1 - - page", path: "/no\"such\n127.0.0.1 - - page", status: 404},
	{method: "HEAD", target: "index.html", path: "/index.html", status: 200},
}

// sendLogged sends the log tests' requests to base, then n more GETs of
// the board, and returns every request sent, in order.
func sendLogged(t *testing.T, base string, n int) []loggedRequest {
	t.Helper()
	sent := append([]loggedRequest(nil), logRequests...)
	for range n {
		sent = append(sent, logRequests[0])
	}
	for _, r := range sent {
		req, err := http.NewRequest(r.method, base+r.target, strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(r.header); i += 2 {
			req.Header.Set(r.header[i], r.header[i+1])
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != r.status {
			t.Fatalf("%s /%s: got status %d, want %d", r.method, r.target, res.StatusCode, r.status)
		}
	}
	return sent
}

// runLogged starts localdev with args, CLEAR_TOKEN set and its log
// flushed only at shutdown, sends the log tests' requests and n more,
// stops it and returns its log and the requests sent. Before the stop,
// the log must still be empty: the lines are in memory, so only a clean
// shutdown can have written them.
func runLogged(t *testing.T, n int, args ...string) (string, []loggedRequest) {
	t.Helper()
	defer func(d time.Duration) { logFlushEvery = d }(logFlushEvery)
	logFlushEvery = time.Hour

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	stderr := &testenv.Buffer{}
	done := make(chan error, 1)
	env := map[string]string{"CLEAR_TOKEN": logSecretToken}
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, pw, stderr)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var base string
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "Open your browser and connect to: "); ok {
			base = strings.Replace(strings.TrimSuffix(u, "board"), "localhost", "127.0.0.1", 1)
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatalf("localdev did not print its address; run returned %v", <-done)
	}
	sent := sendLogged(t, base, n)
	if got := stderr.String(); got != "" {
		t.Fatalf("before shutdown the log already holds %d bytes, want none: lines wait in memory until a flush\n%s", len(got), got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after shutdown, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("localdev did not shut down within 10s")
	}
	return stderr.String(), sent
}

// checkNoSecrets fails t if the log shows a message's text or the token.
func checkNoSecrets(t *testing.T, log string) {
	t.Helper()
	for _, secret := range []string{logSecretText, logSecretToken} {
		if strings.Contains(log, secret) {
			t.Errorf("the log contains %q, want no message text or token:\n%s", secret, log)
		}
	}
}

// textLine is the book's line: client - - [time] "METHOD PATH PROTO"
// status bytes duration.
var textLine = regexp.MustCompile(`^127\.0\.0\.1 - - \[(\d\d/[A-Z][a-z]{2}/\d{4} \d\d:\d\d:\d\d)\] "(\S+) (\S+) (HTTP/1\.1)" (\d{3}) (\d+) (\d+\.\d{3})ms$`)

// TestRequestLogText checks localdev's default log: one line per request
// in the shape of the book's server's, method, path, status and duration
// where a reader expects them, a path that tries to forge a line kept on
// its own, no secrets, and every line of a burst of requests written
// out by a clean shutdown.
func TestRequestLogText(t *testing.T) {
	log, sent := runLogged(t, 100)
	checkNoSecrets(t, log)
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	if len(lines) != len(sent) {
		t.Fatalf("got %d log lines for %d requests, want one each:\n%s", len(lines), len(sent), log)
	}
	for i, line := range lines {
		m := textLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %d %q: want the shape %s", i, line, textLine)
			continue
		}
		if _, err := time.ParseInLocation("02/Jan/2006 15:04:05", m[1], time.Local); err != nil {
			t.Errorf("line %d: time %q: %v", i, m[1], err)
		}
		path, err := url.PathUnescape(m[3])
		if err != nil {
			t.Errorf("line %d: path %q: %v", i, m[3], err)
		}
		want := sent[i]
		if m[2] != want.method || path != want.path || m[5] != strconv.Itoa(want.status) {
			t.Errorf("line %d %q: got %s %q %s, want %s %q %d", i, line, m[2], path, m[5], want.method, want.path, want.status)
		}
	}
}

// TestRequestLogJSON checks -log json: every line a JSON object with the
// same fields as the text line, no secrets, and every line written out by
// a clean shutdown.
func TestRequestLogJSON(t *testing.T) {
	log, sent := runLogged(t, 100, "-log", "json")
	checkNoSecrets(t, log)
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	if len(lines) != len(sent) {
		t.Fatalf("got %d log lines for %d requests, want one each:\n%s", len(lines), len(sent), log)
	}
	for i, line := range lines {
		var e struct {
			Time       time.Time
			Level, Msg string
			Client     string
			Method     string
			Path       string
			Proto      string
			Status     int
			Bytes      *int
			DurationMS *float64 `json:"duration_ms"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Errorf("line %d %q: %v, want a JSON object", i, line, err)
			continue
		}
		want := sent[i]
		got := fmt.Sprintf("%s %s %s %q %s %d", e.Level, e.Msg, e.Method, e.Path, e.Proto, e.Status)
		if w := fmt.Sprintf("INFO request %s %q HTTP/1.1 %d", want.method, want.path, want.status); got != w {
			t.Errorf("line %d: got %s, want %s", i, got, w)
		}
		if e.Client != "127.0.0.1" || e.Time.IsZero() || e.Bytes == nil || e.DurationMS == nil {
			t.Errorf("line %d %q: want client 127.0.0.1, time, bytes and duration_ms", i, line)
		}
	}
}

// TestUnknownLogFormat checks that a mistyped -log is refused, not
// ignored.
func TestUnknownLogFormat(t *testing.T) {
	err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-log", "yaml"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-log") {
		t.Errorf("run(-log yaml) = %v, want an error naming -log", err)
	}
}
