// Package functions_test runs tinyboard's Lambda functions as Lambda
// and sam local do: each is built as a bootstrap binary, as the Makefile
// builds it, and run under AWS's Runtime Interface Emulator, sent the
// events the deployed HTTP API sends or reached through
// internal/samlocal's copy of SAM CLI's local API Gateway. The benchmarks
// measure the same binaries: size, cold start, warm round trip and
// memory; the cold starts run each bootstrap as a bare child process
// polling an in-test Runtime API (internal/runtimeapi), which tells when
// the bootstrap asked for its first event, as the emulator cannot.
package functions_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"tinyboard/internal/runtimeapi"
	"tinyboard/internal/testenv"
)

// buildDir holds the binaries built for this test binary's run.
var buildDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tinyboard-functions-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// The functions' packages, relative to this directory.
const (
	boardPkg    = "./board"
	staticPkg   = "./static"
	helloPkg    = "./testdata/hello"
	helloSDKPkg = "./testdata/hellosdk"
	panickyPkg  = "./testdata/panicky"
)

// buildFlags are the Makefile's LAMBDA_BUILD flags, with CGO_ENABLED=0:
// every binary here is built as a deployed bootstrap is.
var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w"}

// buildResult is one binary, built at most once per test binary.
type buildResult struct {
	once sync.Once
	path string
	err  error
}

var (
	buildsMu sync.Mutex
	builds   = make(map[string]*buildResult)
)

// buildOnce returns the path of the binary named key, which do makes
// the first time any test asks for it; a failed build fails every test
// that asks.
func buildOnce(tb testing.TB, key string, do func() (string, error)) string {
	tb.Helper()
	buildsMu.Lock()
	b, ok := builds[key]
	if !ok {
		b = new(buildResult)
		builds[key] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() { b.path, b.err = do() })
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.path
}

// build builds pkg for goos/goarch as the Makefile builds a bootstrap and
// returns the binary's path.
func build(tb testing.TB, pkg, goos, goarch string) string {
	tb.Helper()
	return buildOnce(tb, "go "+pkg+" "+goos+"/"+goarch, func() (string, error) {
		path := filepath.Join(buildDir, goos+"_"+goarch, filepath.Base(pkg), "bootstrap")
		args := append([]string{"build"}, buildFlags...)
		args = append(args, "-o", path, pkg)
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return path, nil
	})
}

// buildHost builds pkg for the machine running the tests.
func buildHost(tb testing.TB, pkg string) string {
	tb.Helper()
	return build(tb, pkg, runtime.GOOS, runtime.GOARCH)
}

// function is a bootstrap running as a child process, served by its own
// Runtime API.
type function struct {
	name    string
	api     *runtimeapi.Server
	cmd     *exec.Cmd
	stdout  testenv.Buffer
	stderr  testenv.Buffer
	exited  context.Context // done, with the exit as its cause, when the process ends
	started time.Time
}

// lambdaEnv is the environment Lambda gives a provided.al2023 function,
// with the Runtime API at api; extra adds the function's own variables.
// Nothing of the test's environment is passed on, as nothing of a
// developer's machine is there in Lambda.
func lambdaEnv(api, name string, extra ...string) []string {
	return append([]string{
		"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"LAMBDA_TASK_ROOT=/var/task",
		"LAMBDA_RUNTIME_DIR=/var/runtime",
		"_HANDLER=bootstrap",
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/03/10/[$LATEST]4d0c4ef7a1a94a3e9f4a4c2b6f1e0d3c",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		// Lambda hands the function its execution role's credentials;
		// these stand in for them (dynalite does not check them).
		"AWS_ACCESS_KEY_ID=ASIALAMBDATESTKEY000",
		"AWS_SECRET_ACCESS_KEY=lambda-test-secret-access-key",
		"AWS_SESSION_TOKEN=lambda-test-session-token",
	}, extra...)
}

// startFunction starts the binary at bin as the Lambda function name,
// with extra environment variables. The process is killed, by its PID,
// when tb ends.
func startFunction(tb testing.TB, bin, name string, extra ...string) *function {
	tb.Helper()
	api, err := runtimeapi.NewServer()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { api.Close() })
	f := &function{name: name, api: api}
	f.cmd = exec.Command(bin)
	f.cmd.Env = lambdaEnv(api.Addr(), name, extra...)
	f.cmd.Stdout, f.cmd.Stderr = &f.stdout, &f.stderr
	f.started = time.Now()
	if err := f.cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", name, err)
	}
	exited, exit := context.WithCancelCause(context.Background())
	f.exited = exited
	waited := make(chan struct{})
	go func() {
		err := f.cmd.Wait()
		exit(fmt.Errorf("%s exited (%v); its stderr:\n%s", name, err, f.stderr.String()))
		close(waited)
	}()
	tb.Cleanup(func() {
		f.cmd.Process.Kill()
		<-waited
	})
	return f
}

// invokeTimeout bounds one invocation in the tests, start-up included.
const invokeTimeout = 30 * time.Second

// invoke sends payload to the function as one invocation and returns its
// result. A process that exits first fails tb with its stderr.
func (f *function) invoke(tb testing.TB, payload []byte) runtimeapi.Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(f.exited, invokeTimeout)
	defer cancel()
	res, err := f.api.Do(ctx, runtimeapi.Invocation{
		RequestID: newRequestID(),
		Payload:   payload,
		Timeout:   10 * time.Second,
	})
	if err != nil {
		tb.Fatalf("invoke %s: %v", f.name, err)
	}
	return res
}

// answer is a payload 2.0 response as the client sees it.
type answer struct {
	status  int
	header  map[string]string
	cookies []string
	body    []byte
	base64  bool
}

// decodeAnswer reads a payload 2.0 response.
func decodeAnswer(tb testing.TB, payload []byte) answer {
	tb.Helper()
	var res events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &res); err != nil {
		tb.Fatalf("decode response %s: %v", payload, err)
	}
	a := answer{status: res.StatusCode, header: res.Headers, cookies: res.Cookies, body: []byte(res.Body), base64: res.IsBase64Encoded}
	if res.IsBase64Encoded {
		body, err := base64.StdEncoding.DecodeString(res.Body)
		if err != nil {
			tb.Fatalf("body is marked base64 but is not: %v", err)
		}
		a.body = body
	}
	return a
}

// request is an HTTP request to put in an HTTP API event.
type request struct {
	method string
	target string
	header map[string]string
	body   string
	base64 bool // sent base64-encoded, as an HTTP API sends a form
}

// apiHost is the HTTP API's domain in the events.
const apiHost = "r3pmxmplak.execute-api.us-east-1.amazonaws.com"

// event returns r as an HTTP API (payload 2.0) event.
func (r request) event(tb testing.TB) []byte {
	tb.Helper()
	u, err := url.Parse(r.target)
	if err != nil {
		tb.Fatal(err)
	}
	const userAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	headers := map[string]string{
		"host":              apiHost,
		"user-agent":        userAgent,
		"x-amzn-trace-id":   "Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e",
		"x-forwarded-for":   "205.255.255.176",
		"x-forwarded-port":  "443",
		"x-forwarded-proto": "https",
	}
	for name, value := range r.header {
		headers[strings.ToLower(name)] = value
	}
	body := r.body
	if r.base64 {
		body = base64.StdEncoding.EncodeToString([]byte(r.body))
	}
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "$default",
		RawPath:        u.Path,
		RawQueryString: u.RawQuery,
		Headers:        headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID:    "123456789012",
			APIID:        "r3pmxmplak",
			DomainName:   apiHost,
			DomainPrefix: "r3pmxmplak",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.method,
				Path:      u.Path,
				Protocol:  "HTTP/1.1",
				SourceIP:  "205.255.255.176",
				UserAgent: userAgent,
			},
			RequestID: "apigw-" + newRequestID()[:8],
			RouteKey:  "$default",
			Stage:     "$default",
			Time:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch: now.UnixMilli(),
		},
		Body:            body,
		IsBase64Encoded: r.base64,
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	return payload
}

// newRequestID returns a fresh id in the form of Lambda's request ids.
func newRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// logLine is one line a function writes to stdout per request.
type logLine struct {
	Msg             string  `json:"msg"`
	Method          string  `json:"method"`
	Path            string  `json:"path"`
	Status          int     `json:"status"`
	DurationMS      float64 `json:"duration_ms"`
	LambdaRequestID string  `json:"lambda_request_id"`
	APIGWRequestID  string  `json:"apigw_request_id"`
}
