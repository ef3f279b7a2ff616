package samlocal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"tinyboard/internal/samlocal"
)

// recorder stands in for the emulator in tests of the front alone: it
// keeps the events the front sends and answers each with answer.
type recorder struct {
	mu     sync.Mutex
	events []map[string]any
	fns    []string
	answer string
}

func (r *recorder) Invoke(_ context.Context, fn string, event []byte) ([]byte, error) {
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	r.fns = append(r.fns, fn)
	return []byte(r.answer), nil
}

func (r *recorder) last(tb testing.TB) (string, map[string]any) {
	tb.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		tb.Fatal("the front invoked nothing, want one invocation")
	}
	return r.fns[len(r.fns)-1], r.events[len(r.events)-1]
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// tinyboardRoutes are template.yaml's routes.
var tinyboardRoutes = []samlocal.Route{{Path: "/board", Function: "BoardFunction"}, {Path: samlocal.DefaultRoute, Function: "StaticFunction"}}

// serve starts a front over a recorder that answers answer.
func serve(tb testing.TB, answer string) (url string, port int, rec *recorder) {
	tb.Helper()
	rec = &recorder{answer: answer}
	f := samlocal.NewFront(tinyboardRoutes, rec, nil)
	srv, url, err := samlocal.Serve(f)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	return url, f.Port, rec
}

const okAnswer = `{"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok"}`

type sent struct {
	status int
	header http.Header
	body   []byte
}

func send(tb testing.TB, req *http.Request) sent {
	tb.Helper()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return sent{resp.StatusCode, resp.Header, body}
}

func newRequest(tb testing.TB, method, url string, body io.Reader) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

// get reads a nested field of an event: get(ev, "requestContext", "http", "path").
func get(ev map[string]any, keys ...string) any {
	var v any = ev
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// Routes: /board exactly, with any of SAM's seven methods, to the board;
// everything else to the $default catch-all; other methods 403.
// (samcli/local/apigw/local_apigw_service.py, LocalApigwService.create;
// samcli/local/apigw/route.py, Route.ANY_HTTP_METHODS;
// samcli/local/apigw/service_error_responses.py, route_not_found)
func TestFrontRoutesAsSAMDoes(t *testing.T) {
	url, _, rec := serve(t, okAnswer)
	cases := []struct {
		method, target, fn, routeKey string
		params                       map[string]any
	}{
		{"GET", "/board", "BoardFunction", "GET /board", map[string]any{}},
		{"PATCH", "/board", "BoardFunction", "PATCH /board", map[string]any{}},
		{"GET", "/board/x", "StaticFunction", "$default", map[string]any{"any_path": "board/x"}},
		{"GET", "/boards", "StaticFunction", "$default", map[string]any{"any_path": "boards"}},
		{"GET", "/", "StaticFunction", "$default", map[string]any{}},
		{"DELETE", "/logo.png", "StaticFunction", "$default", map[string]any{"any_path": "logo.png"}},
	}
	for _, c := range cases {
		got := send(t, newRequest(t, c.method, url+c.target, nil))
		fn, ev := rec.last(t)
		if got.status != 200 || fn != c.fn || ev["routeKey"] != c.routeKey || get(ev, "requestContext", "routeKey") != c.routeKey {
			t.Errorf("%s %s: got %d from %s with routeKey %v, want 200 from %s with routeKey %s", c.method, c.target, got.status, fn, ev["routeKey"], c.fn, c.routeKey)
		}
		if params, _ := json.Marshal(ev["pathParameters"]); string(params) != mustJSON(c.params) {
			t.Errorf("%s %s: pathParameters %s, want %s", c.method, c.target, params, mustJSON(c.params))
		}
	}
	before := rec.count()
	for _, method := range []string{"TRACE", "PROPFIND"} {
		got := send(t, newRequest(t, method, url+"/board", nil))
		if got.status != http.StatusForbidden || !strings.Contains(string(got.body), "Missing Authentication Token") {
			t.Errorf("%s /board: got %d %q, want SAM's 403 Missing Authentication Token", method, got.status, got.body)
		}
	}
	if rec.count() != before {
		t.Error("a method SAM does not route invoked a function")
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Headers: names title-cased by werkzeug, names with "_" dropped by its
// server, repeats joined with ","; X-Forwarded-Proto and -Port added.
// (samcli/local/apigw/event_constructor.py, _event_http_headers;
// werkzeug/serving.py, WSGIRequestHandler.make_environ)
func TestFrontEventHeadersAsSAMBuildsThem(t *testing.T) {
	url, port, rec := serve(t, okAnswer)
	req := newRequest(t, "GET", url+"/hello", nil)
	req.Header["x-lower-case"] = []string{"a"}
	req.Header["X-AMZN-trace-ID"] = []string{"t"}
	req.Header["X_Under_Score"] = []string{"dropped"}
	req.Header["X-Repeat"] = []string{"1", "2"}
	req.Header["Accept"] = []string{"text/html", "*/*"}
	req.Header["Sec-Ch-Ua-Mobile"] = []string{"?0"}
	req.Header["x-1st-try"] = []string{"one"}
	send(t, req)
	_, ev := rec.last(t)
	headers, _ := ev["headers"].(map[string]any)
	want := map[string]string{
		"X-Lower-Case":      "a",
		"X-Amzn-Trace-Id":   "t",
		"X-Repeat":          "1,2",
		"Accept":            "text/html,*/*",
		"Sec-Ch-Ua-Mobile":  "?0",
		"X-1St-Try":         "one", // Python's title(), not Go's canonical X-1st-Try
		"Host":              req.Host,
		"X-Forwarded-Proto": "http",
		"X-Forwarded-Port":  strconv.Itoa(port),
	}
	for name, value := range want {
		if headers[name] != value {
			t.Errorf("event header %s = %v, want %q; headers %v", name, headers[name], value, headers)
		}
	}
	for name := range headers {
		if strings.Contains(name, "_") || strings.Contains(strings.ToLower(name), "under") {
			t.Errorf("event carries header %s, which SAM drops (its name holds an underscore)", name)
		}
	}
}

// Path, query and cookies: rawPath percent-decoded, rawQueryString as
// sent, query values comma-joined, cookies in "cookies" and in the Cookie
// header both; domainName "localhost".
// (event_constructor.py, construct_v2_event_http,
// _query_string_params_v_2_0, _event_http_cookies;
// samcli/local/events/api_event.py, RequestContextV2.to_dict)
func TestFrontEventPathQueryCookiesAsSAMBuildsThem(t *testing.T) {
	url, _, rec := serve(t, okAnswer)
	req := newRequest(t, "GET", url+"/a%20b/%E2%9C%93%2Fx?q=a%20b&q=c+d&empty=&flag&pct=100%", nil)
	req.Header.Set("Cookie", `a=1; b="x y"; a=2; c=`)
	req.Header.Set("User-Agent", "curl/8.5.0")
	send(t, req)
	_, ev := rec.last(t)
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"rawPath", ev["rawPath"], "/a b/✓/x"},
		{"requestContext.http.path", get(ev, "requestContext", "http", "path"), "/a b/✓/x"},
		{"rawQueryString", ev["rawQueryString"], "q=a%20b&q=c+d&empty=&flag&pct=100%"},
		{"queryStringParameters.q", get(ev, "queryStringParameters", "q"), "a b,c d"},
		{"queryStringParameters.empty", get(ev, "queryStringParameters", "empty"), ""},
		{"queryStringParameters.flag", get(ev, "queryStringParameters", "flag"), ""},
		{"queryStringParameters.pct", get(ev, "queryStringParameters", "pct"), "100%"},
		{"cookies", mustJSON(ev["cookies"]), `["a=1","b=x y","c="]`},
		{"headers.Cookie", get(ev, "headers", "Cookie"), `a=1; b="x y"; a=2; c=`},
		{"headers.User-Agent", get(ev, "headers", "User-Agent"), "curl/8.5.0"},
		{"requestContext.http.userAgent", get(ev, "requestContext", "http", "userAgent"), "Custom User Agent String"},
		{"requestContext.http.sourceIp", get(ev, "requestContext", "http", "sourceIp"), "127.0.0.1"},
		{"requestContext.domainName", get(ev, "requestContext", "domainName"), "localhost"},
		{"requestContext.stage", get(ev, "requestContext", "stage"), "$default"},
		{"version", ev["version"], "2.0"},
		{"body", ev["body"], ""},
		{"isBase64Encoded", ev["isBase64Encoded"], false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("event %s = %#v, want %#v", c.name, c.got, c.want)
		}
	}

	// Without a query there is no queryStringParameters, and without a
	// Cookie header "cookies" is an empty list, not null.
	send(t, newRequest(t, "GET", url+"/", nil))
	_, ev = rec.last(t)
	if _, ok := ev["queryStringParameters"]; ok {
		t.Errorf("event without a query has queryStringParameters %v, want none", ev["queryStringParameters"])
	}
	if c, ok := ev["cookies"].([]any); !ok || len(c) != 0 {
		t.Errorf("event without cookies has cookies %#v, want []", ev["cookies"])
	}
	// SAM fixes the request id and the time once per session.
	_, first := rec.last(t)
	send(t, newRequest(t, "GET", url+"/hello", nil))
	_, second := rec.last(t)
	if id := get(first, "requestContext", "requestId"); id == "" || id != get(second, "requestContext", "requestId") {
		t.Errorf("requestContext.requestId %v then %v, want one id for the whole session, as SAM gives", id, get(second, "requestContext", "requestId"))
	}
}

// A body that is not UTF-8 is answered 502 without invoking anything;
// a UTF-8 body travels as text, not base64.
// (local_apigw_service.py, _request_handler: UnicodeDecodeError →
// ServiceErrorResponses.lambda_failure_response)
func TestFrontRefusesNonUTF8BodyWith502(t *testing.T) {
	url, _, rec := serve(t, okAnswer)
	got := send(t, newRequest(t, "POST", url+"/board", bytes.NewReader([]byte("message=caf\xe9"))))
	if got.status != http.StatusBadGateway || !strings.Contains(string(got.body), "Internal server error") {
		t.Errorf("POST /board with a Latin-1 body: got %d %q, want SAM's 502 Internal server error", got.status, got.body)
	}
	if rec.count() != 0 {
		t.Error("a body that is not UTF-8 reached the function")
	}
	req := newRequest(t, "POST", url+"/board", strings.NewReader("message=caf%C3%A9 ✓"))
	req.Header.Add("Content-Type", "text/plain")
	req.Header.Add("Content-Type", "application/x-www-form-urlencoded")
	send(t, req)
	_, ev := rec.last(t)
	if ev["body"] != "message=caf%C3%A9 ✓" || ev["isBase64Encoded"] != false {
		t.Errorf("event body %#v, isBase64Encoded %v; want the text as sent, not base64", ev["body"], ev["isBase64Encoded"])
	}
	if ct := get(ev, "headers", "Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("event Content-Type %v, want the last one sent (werkzeug keeps one)", ct)
	}
}

// Answers, read as SAM reads payload 2.0 answers.
// (local_apigw_service.py, _parse_v2_payload_format_lambda_output;
// samcli/local/services/base_local_service.py, LambdaOutputParser)
func TestFrontReadsAnswersAsSAMDoes(t *testing.T) {
	cases := []struct {
		name   string
		answer string
		status int
		header map[string][]string // nil value: must be absent
		body   string
	}{
		{"only headers, never multiValueHeaders",
			`{"statusCode": 201, "headers": {"X-One": "1"}, "multiValueHeaders": {"X-Many": ["a", "b"]}, "body": "made"}`,
			201, map[string][]string{"X-One": {"1"}, "X-Many": nil}, "made"},
		{"cookies become Set-Cookie headers",
			`{"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "cookies": ["a=1; Path=/", "b=2"], "body": "c"}`,
			200, map[string][]string{"Set-Cookie": {"a=1; Path=/", "b=2"}}, "c"},
		{"isBase64Encoded true decodes",
			`{"statusCode": 200, "headers": {"Content-Type": "image/png"}, "isBase64Encoded": true, "body": "iVBORw=="}`,
			200, nil, "\x89PNG"},
		{"isBase64Encoded \"false\" is truthy in Python, so it decodes",
			`{"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "isBase64Encoded": "false", "body": "aGk="}`,
			200, nil, "hi"},
		{"isBase64Encoded 0 does not decode",
			`{"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "isBase64Encoded": 0, "body": "aGk="}`,
			200, nil, "aGk="},
		{"Content-Type defaults to application/json",
			`{"statusCode": 200, "body": "{}"}`,
			200, map[string][]string{"Content-Type": {"application/json"}}, "{}"},
		{"Content-Type in any case is kept",
			`{"statusCode": 200, "headers": {"content-type": "text/html"}, "body": "<p>"}`,
			200, map[string][]string{"Content-Type": {"text/html"}}, "<p>"},
		{"an object without statusCode is the body of a 200",
			`{"message": "hi"}`,
			200, map[string][]string{"Content-Type": {"application/json"}}, `{"message":"hi"}`},
		{"a JSON string is the body of a 200",
			`"hello"`,
			200, nil, "hello"},
		{"a function error is 500",
			`{"errorMessage": "boom", "errorType": "Runtime.ExitError"}`,
			500, nil, `{"message":"Internal server error"}` + "\n"},
		{"a function error with a stack trace is 500",
			`{"errorMessage": "boom", "errorType": "E", "stackTrace": []}`,
			500, nil, `{"message":"Internal server error"}` + "\n"},
		{"an answer that is not JSON is 502",
			`Task timed out after 10.00 seconds`,
			502, nil, `{"message":"Internal server error"}` + "\n"},
		{"a status code that is not a positive integer is 502",
			`{"statusCode": "two hundred", "body": "x"}`,
			502, nil, `{"message":"Internal server error"}` + "\n"},
		{"a negative status code is 502",
			`{"statusCode": -1, "body": "x"}`,
			502, nil, `{"message":"Internal server error"}` + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url, _, _ := serve(t, c.answer)
			got := send(t, newRequest(t, "GET", url+"/", nil))
			if got.status != c.status || string(got.body) != c.body {
				t.Errorf("got %d %q, want %d %q", got.status, got.body, c.status, c.body)
			}
			for name, want := range c.header {
				if vals := got.header.Values(name); !slices.Equal(vals, want) {
					t.Errorf("header %s: got %q, want %q", name, vals, want)
				}
			}
		})
	}
}
