// Package samlocal runs tinyboard's Lambda functions the way
// `sam local start-api` does, without Docker, for tests and benchmarks.
//
// Two parts stand in for the two real peers of a function under sam local:
//
//   - Emulator runs a built bootstrap under AWS's Runtime Interface
//     Emulator (aws-lambda-rie, a pinned `go tool` of this module), the
//     program SAM runs inside each function's container, on loopback ports
//     of its own.
//   - Front is the local API Gateway SAM CLI serves on port 3000: it routes
//     each HTTP request to a function of template.yaml, turns it into a
//     payload 2.0 event with SAM's own rules, invokes the function through
//     its emulator, and turns the answer back into HTTP the way SAM parses
//     it.
//
// Each SAM behaviour reproduced here names, beside it, the file of the SAM
// CLI (repository aws/aws-sam-cli) or of werkzeug, the HTTP library SAM's
// Flask server runs on, that it follows. Where the two differ from API
// Gateway, this package follows SAM: the point is to see what a user of
// sam local sees.
package samlocal

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultRoute is the path of an HTTP API's catch-all route.
const DefaultRoute = "$default"

// Route sends requests for Path (or, for DefaultRoute, every path no other
// route matches) to the function named Function.
type Route struct {
	Path     string
	Function string
}

// Invoker invokes a function of the template with an event and returns
// what the Runtime Interface Emulator answered, as SAM reads it.
type Invoker interface {
	Invoke(ctx context.Context, function string, event []byte) ([]byte, error)
}

// anyMethods are the methods a route with Method ANY accepts under SAM;
// any other method is answered 403 without invoking anything.
// (samcli/local/apigw/route.py, Route.ANY_HTTP_METHODS)
var anyMethods = []string{"GET", "DELETE", "PUT", "POST", "HEAD", "OPTIONS", "PATCH"}

// Front is SAM CLI's local API Gateway for an HTTP API with payload 2.0
// routes, as an http.Handler.
type Front struct {
	routes  map[string]string // path → function; DefaultRoute for the catch-all
	invoker Invoker
	logger  *slog.Logger

	// Port is the port the front listens on, which SAM puts in every
	// event's X-Forwarded-Port header (3000 by default under sam local).
	Port int

	// SAM evaluates these once, when its event module is imported, as
	// default argument values, so every event of a session carries the
	// same request id and the same (seconds-resolution) time.
	// (samcli/local/events/api_event.py, RequestContextV2.__init__;
	// samcli/local/apigw/event_constructor.py, construct_v2_event_http)
	requestID string
	started   time.Time
}

// NewFront returns a Front that routes requests by routes and invokes
// functions through invoker. It logs the requests it refuses to logger
// (nil: discard).
func NewFront(routes []Route, invoker Invoker, logger *slog.Logger) *Front {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	f := &Front{
		routes:    make(map[string]string),
		invoker:   invoker,
		logger:    logger,
		Port:      3000,
		requestID: newUUID(),
		started:   time.Now().UTC().Truncate(time.Second),
	}
	for _, r := range routes {
		f.routes[r.Path] = r.Function
	}
	return f
}

// Serve starts f on a free port of 127.0.0.1, with Port set to it, and
// returns the server; the caller must Close it.
func Serve(f *Front) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("samlocal: listen: %w", err)
	}
	f.Port = ln.Addr().(*net.TCPAddr).Port
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return srv, "http://" + ln.Addr().String(), nil
}

// serviceError is one of SAM's own answers, given without the function's
// say. (samcli/local/apigw/service_error_responses.py)
func serviceError(w http.ResponseWriter, status int, message string) {
	body, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// ServeHTTP answers r as `sam local start-api` does.
// (samcli/local/apigw/local_apigw_service.py, LocalApigwService._request_handler)
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fn, routeKey, pathParams, ok := f.route(r)
	if !ok {
		// Flask's 404 and 405 both become API Gateway's 403.
		// (service_error_responses.py, ServiceErrorResponses.route_not_found)
		serviceError(w, http.StatusForbidden, "Missing Authentication Token")
		return
	}
	event, err := f.event(r, routeKey, pathParams)
	if err != nil {
		// A body or query that is not UTF-8 fails SAM's decode before any
		// invocation. (local_apigw_service.py: UnicodeDecodeError →
		// ServiceErrorResponses.lambda_failure_response)
		f.logger.Error("UnicodeDecodeError while processing HTTP request", "err", err)
		serviceError(w, http.StatusBadGateway, "Internal server error")
		return
	}
	out, err := f.invoker.Invoke(r.Context(), fn, event)
	if err != nil {
		var start *StartError
		if errors.As(err, &start) {
			// (local_apigw_service.py: DockerContainerCreationFailedException →
			// ServiceErrorResponses.container_creation_failed)
			serviceError(w, http.StatusNotImplemented, err.Error())
			return
		}
		// Flask's 500 handler. (local_apigw_service.py, _construct_error_handling)
		f.logger.Error("invoke failed", "function", fn, "err", err)
		serviceError(w, http.StatusBadGateway, "Internal server error")
		return
	}
	if isErrorResponse(out) {
		// (samcli/local/services/base_local_service.py,
		// LambdaOutputParser.is_lambda_error_response → LambdaResponseParseException →
		// ServiceErrorResponses.lambda_body_failure_response)
		serviceError(w, http.StatusInternalServerError, "Internal server error")
		return
	}
	ans, err := ParseAnswer(out)
	if err != nil {
		f.logger.Error("Invalid lambda response received", "err", err)
		serviceError(w, http.StatusBadGateway, "Internal server error")
		return
	}
	h := w.Header()
	for name, values := range ans.Header {
		h[name] = values
	}
	// werkzeug computes Content-Length from the body, then the function's
	// headers replace it; a function's wrong length is dropped here rather
	// than sent with a body of another length (except on HEAD, which has
	// no body to measure).
	if cl := h.Get("Content-Length"); cl != strconv.Itoa(len(ans.Body)) && r.Method != http.MethodHead {
		h.Del("Content-Length")
	}
	w.WriteHeader(ans.Status)
	w.Write(ans.Body)
}

// route finds the function for r, as the Flask URL map SAM builds does:
// a route's exact path with any of anyMethods, else the catch-all.
// It returns the event's routeKey and pathParameters too.
// (local_apigw_service.py, LocalApigwService.create, _add_catch_all_path,
// _v2_route_key)
func (f *Front) route(r *http.Request) (fn, routeKey string, pathParams map[string]string, ok bool) {
	if !slices.Contains(anyMethods, r.Method) {
		return "", "", nil, false
	}
	path := requestPath(r)
	if fn, ok := f.routes[path]; ok && path != DefaultRoute {
		return fn, r.Method + " " + path, map[string]string{}, true
	}
	fn, ok = f.routes[DefaultRoute]
	if !ok {
		return "", "", nil, false
	}
	params := map[string]string{}
	if path != "/" {
		// The catch-all is the Flask rule "/<path:any_path>".
		params["any_path"] = strings.TrimPrefix(path, "/")
	}
	return fn, DefaultRoute, params, true
}

// requestPath is Flask's request.path: the percent-decoded path, each
// byte that is not UTF-8 read as U+FFFD, with one leading slash.
// (werkzeug/serving.py, WSGIRequestHandler.make_environ: unquote(path);
// werkzeug/sansio/request.py, Request.path)
func requestPath(r *http.Request) string {
	p := r.URL.EscapedPath()
	if r.URL.Opaque != "" {
		p = r.URL.Opaque
	}
	return "/" + strings.TrimLeft(pyUnquote(p, false), "/")
}

// event builds the payload 2.0 event SAM sends for r.
// (samcli/local/apigw/event_constructor.py, construct_v2_event_http;
// samcli/local/events/api_event.py, ApiGatewayV2LambdaEvent.to_dict)
func (f *Front) event(r *http.Request, routeKey string, pathParams map[string]string) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	// request_data.decode("utf-8"): strict, so a body that is not UTF-8
	// is an error, not replacement characters. No body is "" (never
	// null), and nothing is base64-encoded: the template declares no
	// binary media types. (event_constructor.py, _should_base64_encode)
	if !utf8.Valid(body) {
		return nil, errors.New("the body is not valid UTF-8")
	}
	// query_string.decode("utf-8"): the raw query, strictly decoded.
	rawQuery := r.URL.RawQuery
	if !utf8.ValidString(rawQuery) {
		return nil, errors.New("the query string is not valid UTF-8")
	}
	path := requestPath(r)
	headers := eventHeaders(r)
	headers["X-Forwarded-Proto"] = "http"
	headers["X-Forwarded-Port"] = strconv.Itoa(f.Port)
	ev := map[string]any{
		"version":        "2.0",
		"routeKey":       routeKey,
		"rawPath":        path,
		"rawQueryString": rawQuery,
		"cookies":        eventCookies(headers["Cookie"]),
		"headers":        headers,
		"requestContext": map[string]any{
			"accountId": "123456789012",
			"apiId":     "1234567890",
			"http": map[string]any{
				"method":    r.Method,
				"path":      path,
				"protocol":  "HTTP/1.1",
				"sourceIp":  remoteIP(r),
				"userAgent": "Custom User Agent String",
			},
			"requestId":    f.requestID,
			"routeKey":     routeKey,
			"stage":        DefaultRoute,
			"time":         f.started.Format("02/Jan/2006:15:04:05 +0000"),
			"timeEpoch":    f.started.Unix(),
			"domainName":   "localhost",
			"domainPrefix": "localhost",
		},
		"body":            string(body),
		"pathParameters":  pathParams,
		"stageVariables":  nil,
		"isBase64Encoded": false,
	}
	if q := queryParameters(rawQuery); len(q) > 0 {
		ev["queryStringParameters"] = q
	}
	return json.Marshal(ev)
}

// remoteIP is Flask's request.remote_addr.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// eventHeaders returns r's headers as SAM's event carries them: each name
// title-cased (werkzeug rebuilds names from the WSGI environ), a name
// holding "_" dropped (werkzeug's server skips them), repeated headers
// joined with "," except Content-Type and Content-Length, whose last
// value wins.
// (werkzeug/serving.py, WSGIRequestHandler.make_environ;
// werkzeug/datastructures/headers.py, EnvironHeaders.__iter__;
// event_constructor.py, _event_http_headers)
func eventHeaders(r *http.Request) map[string]string {
	out := make(map[string]string)
	if r.Host != "" {
		out["Host"] = r.Host
	}
	for name, values := range r.Header {
		if strings.Contains(name, "_") {
			continue
		}
		key := pyTitle(name)
		if key == "Content-Type" || key == "Content-Length" {
			out[key] = values[len(values)-1]
			continue
		}
		out[key] = strings.Join(values, ",")
	}
	if _, ok := out["Content-Length"]; !ok && r.ContentLength > 0 {
		out["Content-Length"] = strconv.FormatInt(r.ContentLength, 10)
	}
	return out
}

// pyTitle is Python's str.title() on an ASCII header name: a letter after
// a non-letter upper case, every other letter lower case.
func pyTitle(s string) string {
	b := []byte(strings.ToLower(s))
	prevLetter := false
	for i, c := range b {
		letter := 'a' <= c && c <= 'z'
		if letter && !prevLetter {
			b[i] = c - 'a' + 'A'
		}
		prevLetter = letter
	}
	return string(b)
}

// eventCookies is the event's cookies: werkzeug's parse of the Cookie
// header, each distinct name once with its first value, as "name=value".
// The Cookie header stays in the headers too.
// (event_constructor.py, _event_http_cookies; werkzeug/sansio/http.py,
// parse_cookie)
func eventCookies(header string) []string {
	cookies := []string{}
	seen := make(map[string]bool)
	for part := range strings.SplitSeq(header, ";") {
		name, value, _ := strings.Cut(part, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = unslash(value[1 : len(value)-1])
		}
		cookies = append(cookies, name+"="+value)
	}
	return cookies
}

// unslash undoes the backslash escapes of a quoted cookie value.
func unslash(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// queryParameters is the event's queryStringParameters: werkzeug's parse
// of the query ("+" is a space, blank values kept, bad escapes kept as
// they are, bytes that are not UTF-8 read as U+FFFD), each name once, its
// values joined with ",".
// (event_constructor.py, _query_string_params_v_2_0;
// werkzeug/urls.py, url_decode)
func queryParameters(raw string) map[string]string {
	var order []string
	values := make(map[string][]string)
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, v = pyUnquote(k, true), pyUnquote(v, true)
		if _, ok := values[k]; !ok {
			order = append(order, k)
		}
		values[k] = append(values[k], v)
	}
	out := make(map[string]string, len(order))
	for _, k := range order {
		out[k] = strings.Join(values[k], ",")
	}
	return out
}

// pyUnquote is Python's urllib.parse.unquote (unquote_plus when plus):
// valid %XX escapes decoded, invalid ones left as they are, then the bytes
// read as UTF-8 with each invalid byte replaced by U+FFFD.
func pyUnquote(s string, plus bool) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(n))
			i += 2
		case c == '+' && plus:
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	var out strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		out.WriteRune(r) // utf8.RuneError is U+FFFD
		b = b[size:]
	}
	return out.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isErrorResponse reports whether the emulator's answer is a function
// error, {"errorMessage", "errorType"} with at most a stack trace and a
// cause, or with exactly one other key.
// (samcli/local/services/base_local_service.py,
// LambdaOutputParser.is_lambda_error_response)
func isErrorResponse(out []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(out, &m) != nil {
		return false
	}
	_, msg := m["errorMessage"]
	_, typ := m["errorType"]
	if !msg || !typ {
		return false
	}
	if len(m) == 3 {
		return true
	}
	for k := range m {
		switch k {
		case "errorMessage", "errorType", "stackTrace", "cause":
		default:
			return false
		}
	}
	return true
}

// Answer is a function's payload 2.0 answer as SAM turns it into HTTP.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// ParseAnswer reads a function's payload 2.0 answer as SAM does: only
// "headers", never "multiValueHeaders"; each of "cookies" a Set-Cookie
// header; a body decoded from base64 when "isBase64Encoded" is truthy in
// Python's sense (so the string "false" decodes too); Content-Type
// application/json when the function gives none; an answer that is JSON
// but not an object, or an object without "statusCode", is the body of a
// 200. It fails where SAM answers 502: the answer is not JSON, or its
// status code is not a positive integer.
// (samcli/local/apigw/local_apigw_service.py,
// LocalApigwService._parse_v2_payload_format_lambda_output)
func ParseAnswer(out []byte) (Answer, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return Answer{}, fmt.Errorf("lambda response must be valid json: %w", err)
	}
	if dec.More() {
		return Answer{}, errors.New("lambda response must be valid json: data after the value")
	}
	obj, isObj := v.(map[string]any)
	var body any
	switch {
	case !isObj:
		body, obj = v, map[string]any{}
	case hasKey(obj, "statusCode"):
		body = obj["body"]
	default:
		b, _ := json.Marshal(obj)
		body = string(b)
	}
	status := 200
	if sc := obj["statusCode"]; truthy(sc) {
		n, err := pyInt(sc)
		if err != nil || n <= 0 {
			return Answer{}, fmt.Errorf("statusCode must be a positive int, got %v", sc)
		}
		if n < 100 || n > 999 { // a status Go's server cannot send
			return Answer{}, fmt.Errorf("statusCode %d is not an HTTP status", n)
		}
		status = n
	}
	header := http.Header{}
	switch hs := obj["headers"].(type) {
	case nil:
	case map[string]any:
		for name, value := range hs {
			values, ok := value.([]any)
			if !ok {
				values = []any{value}
			}
			for _, v := range values {
				s := pyStr(v)
				if strings.ContainsAny(s, "\r\n") {
					// werkzeug refuses it: Flask's 500 handler answers.
					return Answer{}, fmt.Errorf("header %s has a newline", name)
				}
				header.Add(name, s)
			}
		}
	default:
		return Answer{}, fmt.Errorf("headers is %T, not an object", hs)
	}
	if cookies, ok := obj["cookies"].([]any); ok {
		for _, c := range cookies {
			header.Add("Set-Cookie", pyStr(c))
		}
	}
	if _, ok := header["Content-Type"]; !ok {
		header.Set("Content-Type", "application/json")
	}
	var data []byte
	if truthy(body) {
		data = []byte(pyStr(body))
	}
	if truthy(obj["isBase64Encoded"]) && len(data) > 0 {
		// base64.b64decode skips characters outside the alphabet, and SAM
		// builds the error of a failed decode without raising it, so the
		// body then goes out as it came.
		if dec, err := base64.StdEncoding.DecodeString(b64Alphabet(string(data))); err == nil {
			data = dec
		}
	}
	return Answer{Status: status, Header: header, Body: data}, nil
}

func hasKey[V any](m map[string]V, k string) bool { _, ok := m[k]; return ok }

// b64Alphabet keeps the characters of s that base64 uses.
func b64Alphabet(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '+' || r == '/' || r == '=' {
			return r
		}
		return -1
	}, s)
}

// truthy is Python's truth value of a decoded JSON value.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case json.Number:
		f, _ := v.Float64()
		return f != 0
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}

// pyInt is Python's int() of a decoded JSON value.
func pyInt(v any) (int, error) {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return int(n), nil
		}
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) || math.Abs(f) > 1e9 {
			return 0, fmt.Errorf("not an integer: %v", v)
		}
		return int(f), nil
	case string:
		return strconv.Atoi(strings.TrimSpace(v))
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("not an integer: %v", v)
}

// pyStr is Python's str() of a decoded JSON value, for the scalars a
// function's answer holds (containers come out as JSON, not Python's repr).
func pyStr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case string:
		return v
	case json.Number:
		return v.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// newUUID returns a random (version 4) UUID, as Python's uuid.uuid4().
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
