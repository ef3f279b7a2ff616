package functions_test

// Raw events sent straight to the Runtime Interface Emulator, past any
// API Gateway or SAM front: whatever arrives, the bootstrap answers and
// keeps running.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileEvents are events no API Gateway sends: not JSON, JSON of the
// wrong shape or types, bodies that lie about their encoding, paths that
// climb, methods that do not exist, fields far too large.
var hostileEvents = map[string]string{
	"not JSON":                   `this is not JSON`,
	"empty":                      ``,
	"null":                       `null`,
	"array":                      `[1, 2, 3]`,
	"string":                     `"GET /board"`,
	"number":                     `42`,
	"empty object":               `{}`,
	"version only":               `{"version": "2.0"}`,
	"wrong types":                `{"version": "2.0", "rawPath": 5, "headers": [], "requestContext": {"http": {"method": 7, "path": {}}}}`,
	"body not base64":            `{"version": "2.0", "rawPath": "/board", "requestContext": {"http": {"method": "POST", "path": "/board"}}, "headers": {"content-type": "application/x-www-form-urlencoded"}, "isBase64Encoded": true, "body": "!!not base64!!"}`,
	"lone surrogate":             `{"version": "2.0", "rawPath": "/board", "requestContext": {"http": {"method": "POST", "path": "/board"}}, "headers": {"content-type": "application/json"}, "body": "{\"message\": \"\\ud800\"}"}`,
	"method that does not exist": `{"version": "2.0", "rawPath": "/board", "requestContext": {"http": {"method": "BREW", "path": "/board"}}}`,
	"empty method":               `{"version": "2.0", "rawPath": "/board", "requestContext": {"http": {"method": "", "path": "/board"}}}`,
	"climbing path":              `{"version": "2.0", "rawPath": "/../../etc/passwd", "requestContext": {"http": {"method": "GET", "path": "/../../etc/passwd"}}}`,
	"NUL in path and header":     `{"version": "2.0", "rawPath": "/board\u0000x", "headers": {"accept": "text/html\u0000"}, "requestContext": {"http": {"method": "GET", "path": "/board\u0000x"}}}`,
	"relative path":              `{"version": "2.0", "rawPath": "board", "rawQueryString": "%zz&before=%ff", "requestContext": {"http": {"method": "GET", "path": "board"}}}`,
	"header of non-strings":      `{"version": "2.0", "rawPath": "/board", "headers": {"accept": 5, "cookie": null}, "cookies": [1, null], "requestContext": {"http": {"method": "GET", "path": "/board"}}}`,
	"REST event, no method":      `{"resource": "/board", "path": "/board", "multiValueHeaders": null, "requestContext": {"stage": "Prod"}}`,
	"ALB event, odd status":      `{"requestContext": {"elb": {"targetGroupArn": "x"}}, "httpMethod": "GET", "path": "/board", "headers": {"accept": "application/json"}, "queryStringParameters": {"before": "%%%"}}`,
	"deep nesting":               strings.Repeat(`[`, 100000) + strings.Repeat(`]`, 100000),
	"huge header":                `{"version": "2.0", "rawPath": "/board", "headers": {"accept": "` + strings.Repeat("text/html,", 200000) + `"}, "requestContext": {"http": {"method": "GET", "path": "/board"}}}`,
	"huge body":                  `{"version": "2.0", "rawPath": "/board", "headers": {"content-type": "application/x-www-form-urlencoded"}, "requestContext": {"http": {"method": "POST", "path": "/board"}}, "body": "message=` + strings.Repeat("x", 5<<20) + `"}`,
}

func TestHostileRawEventsDoNotEndTheBootstrap(t *testing.T) {
	const table = "tinyboard-hostile"
	endpoint, _ := newTable(t, table)
	functions := []struct {
		name      string
		overrides map[string]string
		probe     request
	}{
		{"BoardFunction", map[string]string{"BOARD_TABLE": table, "DYNAMODB_ENDPOINT": endpoint},
			request{method: "GET", target: "/board", header: map[string]string{"accept": "application/json"}}},
		{"StaticFunction", nil, request{method: "GET", target: "/hello", header: map[string]string{"accept": acceptPage}}},
	}
	for _, fn := range functions {
		t.Run(fn.name, func(t *testing.T) {
			em, _ := startEmulator(t, fn.name, fn.overrides)
			probe := fn.probe.event(t)
			served := func(after string) {
				t.Helper()
				var ans struct {
					StatusCode int `json:"statusCode"`
				}
				out := rieInvoke(t, em, probe)
				if json.Unmarshal(out, &ans) != nil || ans.StatusCode != http.StatusOK {
					t.Errorf("%s %s after %s: got %.300q, want a 200 answer", fn.probe.method, fn.probe.target, after, out)
				}
			}
			served("start-up")
			pid := em.BootstrapPID()
			if pid == 0 {
				t.Fatal("no bootstrap runs under the emulator after the first invocation")
			}
			for name, event := range hostileEvents {
				out := rieInvoke(t, em, []byte(event))
				t.Logf("%s: %.160s", name, out)
				if bytes.Contains(out, []byte("Runtime.ExitError")) {
					t.Errorf("%s: the bootstrap exited: %.300s", name, out)
				}
				served(name)
				if got := em.BootstrapPID(); got != pid {
					t.Fatalf("after %s the bootstrap is PID %d, want %d still running", name, got, pid)
				}
			}
		})
	}
}

func TestEmulatorRestartsACrashedBootstrap(t *testing.T) {
	em, _ := startEmulator(t, "StaticFunction", nil)
	probe := request{method: "GET", target: "/hello"}.event(t)
	rieInvoke(t, em, probe)
	pid := em.BootstrapPID()
	if pid == 0 {
		t.Fatal("no bootstrap runs after the first invocation")
	}
	if err := killPID(pid); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for em.BootstrapPID() == pid && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// The invocation after a crash may be the one that reports it; by the
	// next, the emulator has started a fresh bootstrap.
	var out []byte
	for range 2 {
		if out = rieInvoke(t, em, probe); bytes.Contains(out, []byte(`"statusCode":200`)) {
			break
		}
	}
	if !bytes.Contains(out, []byte(`"statusCode":200`)) {
		t.Errorf("GET /hello after the bootstrap was killed: got %.300q, want a 200 from a fresh bootstrap", out)
	}
	if now := em.BootstrapPID(); now == 0 || now == pid {
		t.Errorf("bootstrap PID after the crash: got %d, want a new process (was %d)", now, pid)
	}
}

// killPID kills a process, as a crash would end it.
func killPID(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }
