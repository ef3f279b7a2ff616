package lambdaproxy_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tinyboard/internal/lambdaproxy"
)

// The front doors, each with a fixture under testdata: a browser's
// GET /board in the shape that front door sends it, modelled on the
// examples in AWS's documentation (API Gateway's "payload format 2.0" and
// "input format of a Lambda function for proxy integration", Lambda's
// "function URL request payload", Elastic Load Balancing's "receive events
// from the load balancer").
const (
	httpAPI       = "httpapi"        // HTTP API, payload 2.0, $default stage
	functionURL   = "functionurl"    // Lambda function URL, payload 2.0
	restAPI       = "restapi"        // REST API, payload 1.0, stage Prod
	alb           = "alb"            // ALB target group, multi-value headers off
	albMultiValue = "alb-multivalue" // ALB target group, multi-value headers on
)

var formats = []string{httpAPI, functionURL, restAPI, alb, albMultiValue}

// stage is the REST API fixture's stage, the prefix its clients see.
const stage = "/Prod"

// request is one HTTP request, which eventFor puts into any format's event.
type request struct {
	method string
	target string            // path, and query after "?"
	header map[string]string // added to (or replacing) the fixture's headers
	body   string
	base64 bool // the front door sent the body base64-encoded
}

// eventFor returns the fixture of format rewritten to carry r: the
// method, path, query, headers and body go where that front door puts
// them, and everything else keeps the fixture's real shape.
func eventFor(tb testing.TB, format string, r request) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", format+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		tb.Fatalf("%s.json: %v", format, err)
	}
	u, err := url.Parse(r.target)
	if err != nil {
		tb.Fatalf("target %q: %v", r.target, err)
	}
	body := any(r.body)
	if r.base64 {
		body = base64.StdEncoding.EncodeToString([]byte(r.body))
	}
	switch format {
	case httpAPI, functionURL:
		ctx := ev["requestContext"].(map[string]any)
		h := ctx["http"].(map[string]any)
		h["method"], h["path"] = r.method, u.Path
		ev["rawPath"], ev["rawQueryString"] = u.Path, u.RawQuery
		if q := u.Query(); len(q) > 0 {
			params := make(map[string]any)
			for name, values := range q {
				params[name] = strings.Join(values, ",")
			}
			ev["queryStringParameters"] = params
		}
		headers := ev["headers"].(map[string]any)
		for name, value := range r.header {
			if strings.EqualFold(name, "Cookie") {
				// Payload 2.0 moves cookies out of the headers.
				ev["cookies"] = strings.Split(value, "; ")
				continue
			}
			setHeader(headers, strings.ToLower(name), value)
		}
		if r.body != "" {
			setHeader(headers, "content-length", strconv.Itoa(len(r.body)))
			ev["body"] = body
		}
	case restAPI:
		var resource string
		switch {
		case u.Path == "/board", u.Path == "/":
			resource = u.Path
			ev["pathParameters"] = nil
		default:
			resource = "/{proxy+}"
			ev["pathParameters"] = map[string]any{"proxy": strings.TrimPrefix(u.Path, "/")}
		}
		ev["httpMethod"], ev["path"], ev["resource"] = r.method, u.Path, resource
		ctx := ev["requestContext"].(map[string]any)
		ctx["httpMethod"], ctx["path"], ctx["resourcePath"] = r.method, stage+u.Path, resource
		if q := u.Query(); len(q) > 0 {
			single, multi := make(map[string]any), make(map[string]any)
			for name, values := range q {
				single[name], multi[name] = values[len(values)-1], values
			}
			ev["queryStringParameters"], ev["multiValueQueryStringParameters"] = single, multi
		}
		headers := ev["headers"].(map[string]any)
		multi := ev["multiValueHeaders"].(map[string]any)
		for name, value := range r.header {
			setHeader(headers, name, value)
			setHeader(multi, name, []any{value})
		}
		if r.body != "" {
			ev["body"] = body
		}
	case alb, albMultiValue:
		ev["httpMethod"], ev["path"] = r.method, u.Path
		_, multiValue := ev["multiValueHeaders"]
		// An ALB passes the query on as the client encoded it.
		query := make(map[string][]any)
		for pair := range strings.SplitSeq(u.RawQuery, "&") {
			if pair != "" {
				name, value, _ := strings.Cut(pair, "=")
				query[name] = append(query[name], value)
			}
		}
		if multiValue {
			headers := ev["multiValueHeaders"].(map[string]any)
			for name, value := range r.header {
				setHeader(headers, strings.ToLower(name), []any{value})
			}
			params := ev["multiValueQueryStringParameters"].(map[string]any)
			for name, values := range query {
				params[name] = values
			}
		} else {
			headers := ev["headers"].(map[string]any)
			for name, value := range r.header {
				setHeader(headers, strings.ToLower(name), value)
			}
			params := ev["queryStringParameters"].(map[string]any)
			for name, values := range query {
				params[name] = values[len(values)-1]
			}
		}
		ev["body"] = body
	default:
		tb.Fatalf("unknown format %q", format)
	}
	ev["isBase64Encoded"] = r.base64
	out, err := json.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// setHeader sets a header in an event's header map, replacing any of the
// same name in another case.
func setHeader(headers map[string]any, name string, value any) {
	for existing := range headers {
		if strings.EqualFold(existing, name) {
			delete(headers, existing)
		}
	}
	headers[name] = value
}

// answer is a function's response in any format, as the client sees it.
type answer struct {
	status int
	header http.Header
	body   []byte
	base64 bool                       // the body travelled base64-encoded
	fields map[string]json.RawMessage // the response's top-level fields
}

// invoke sends event to h and decodes its answer.
func invoke(tb testing.TB, ctx context.Context, h *lambdaproxy.Handler, event []byte) answer {
	tb.Helper()
	payload, err := h.Invoke(ctx, event)
	if err != nil {
		tb.Fatalf("Invoke: %v\nevent: %s", err, event)
	}
	return decodeAnswer(tb, payload)
}

// decodeAnswer reads a response of any format the way its front door
// does: multiValueHeaders, headers and (payload 2.0) cookies, and a body
// decoded from base64 when isBase64Encoded says so.
func decodeAnswer(tb testing.TB, payload []byte) answer {
	tb.Helper()
	var res struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(payload, &res); err != nil {
		tb.Fatalf("decode response %s: %v", payload, err)
	}
	a := answer{status: res.StatusCode, header: make(http.Header), body: []byte(res.Body), base64: res.IsBase64Encoded}
	if err := json.Unmarshal(payload, &a.fields); err != nil {
		tb.Fatal(err)
	}
	for name, values := range res.MultiValueHeaders {
		for _, v := range values {
			a.header.Add(name, v)
		}
	}
	for name, v := range res.Headers {
		if _, ok := res.MultiValueHeaders[name]; !ok {
			a.header.Add(name, v)
		}
	}
	for _, c := range res.Cookies {
		a.header.Add("Set-Cookie", c)
	}
	if res.IsBase64Encoded {
		body, err := base64.StdEncoding.DecodeString(res.Body)
		if err != nil {
			tb.Fatalf("body is marked base64 but is not: %v", err)
		}
		a.body = body
	}
	return a
}

// has reports whether the response carries a non-null field name.
func (a answer) has(name string) bool {
	v, ok := a.fields[name]
	return ok && string(v) != "null"
}

// headerValues returns a header's values as one comparable string:
// "a,b" whether the answer said "a, b" in one line or sent a and b apart.
func headerValues(h http.Header, name string) string {
	var parts []string
	for _, v := range h.Values(name) {
		for part := range strings.SplitSeq(v, ",") {
			parts = append(parts, strings.TrimSpace(part))
		}
	}
	return strings.Join(parts, ",")
}

// headerNames returns the names of h, canonical and sorted, without those
// a server or front door adds on its own.
func headerNames(h http.Header) []string {
	var names []string
	for name := range maps.Keys(h) {
		switch http.CanonicalHeaderKey(name) {
		case "Date", "Content-Length":
			continue
		}
		names = append(names, http.CanonicalHeaderKey(name))
	}
	slices.Sort(names)
	return slices.Compact(names)
}
