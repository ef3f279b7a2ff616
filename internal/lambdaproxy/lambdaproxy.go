// Package lambdaproxy lets one http.Handler answer every AWS HTTP front
// door of a Lambda function: an HTTP API (payload 2.0), a function URL
// (also 2.0), a REST API (payload 1.0) and an Application Load Balancer.
// It looks at each event to tell which it is, hands it to the matching
// adapter of aws-lambda-go-api-proxy, and mends what those adapters leave
// undone: HEAD answers carry no body, binary bodies are always base64, a
// handler that writes nothing answers 200 as under net/http, and an ALB
// gets its query decoded, its host kept, and its answer in the header
// style its request used.
package lambdaproxy

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

var _ lambda.Handler = (*Handler)(nil)

// Handler is a lambda.Handler that serves HTTP events with an http.Handler.
type Handler struct {
	v1  *httpadapter.HandlerAdapter
	v2  *httpadapter.HandlerAdapterV2
	alb *httpadapter.HandlerAdapterALB
}

// New returns a Handler serving h. A panic in h is answered 500 and
// logged to log, and the function goes on serving.
func New(h http.Handler, log *slog.Logger) *Handler {
	h = complete(recoverPanics(hostFromHeader(h), log))
	return &Handler{
		v1:  httpadapter.New(h),
		v2:  httpadapter.NewV2(h),
		alb: httpadapter.NewALB(h),
	}
}

// ErrUnknownEvent is returned for an event that is not an HTTP request
// from any front door this package knows.
var ErrUnknownEvent = errors.New("lambdaproxy: not an HTTP event from API Gateway, a function URL or an ALB")

// kind is an event format.
type kind int

const (
	unknown kind = iota
	restAPI      // API Gateway REST API, payload 1.0
	httpAPI      // API Gateway HTTP API or a function URL, payload 2.0
	alb          // Application Load Balancer
)

// probe holds just enough of an event to tell its format.
type probe struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	RequestContext struct {
		ELB  json.RawMessage `json:"elb"`
		HTTP json.RawMessage `json:"http"`
	} `json:"requestContext"`
	MultiValueHeaders json.RawMessage `json:"multiValueHeaders"`
}

// detect tells an event's format from its shape.
func detect(p probe) kind {
	switch {
	case len(p.RequestContext.ELB) > 0:
		return alb
	case p.Version == "2.0" && len(p.RequestContext.HTTP) > 0:
		return httpAPI
	case p.HTTPMethod != "":
		return restAPI
	}
	return unknown
}

// Invoke implements lambda.Handler: it serves one event and returns the
// response in the same format.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, fmt.Errorf("lambdaproxy: read event: %w", err)
	}
	switch detect(p) {
	case httpAPI:
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("lambdaproxy: read HTTP API event: %w", err)
		}
		dropForwardedPrefix(ev.Headers, nil)
		res, err := h.v2.ProxyWithContext(ctx, ev)
		if err != nil {
			return nil, err
		}
		res.Body, res.IsBase64Encoded = mendBody(ev.RequestContext.HTTP.Method, res.Headers["Content-Type"], res.Body, res.IsBase64Encoded)
		return json.Marshal(res)
	case restAPI:
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("lambdaproxy: read REST API event: %w", err)
		}
		mendRESTRequest(&ev)
		res, err := h.v1.ProxyWithContext(ctx, ev)
		if err != nil {
			return nil, err
		}
		res.Body, res.IsBase64Encoded = mendBody(ev.HTTPMethod, http.Header(res.MultiValueHeaders).Get("Content-Type"), res.Body, res.IsBase64Encoded)
		return json.Marshal(res)
	case alb:
		var ev events.ALBTargetGroupRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("lambdaproxy: read ALB event: %w", err)
		}
		multiValue := len(p.MultiValueHeaders) > 0 && string(p.MultiValueHeaders) != "null"
		dropForwardedPrefix(ev.Headers, ev.MultiValueHeaders)
		mendALBRequest(&ev, multiValue)
		res, err := h.alb.ProxyWithContext(ctx, ev)
		if err != nil {
			return nil, err
		}
		res.Body, res.IsBase64Encoded = mendBody(ev.HTTPMethod, http.Header(res.MultiValueHeaders).Get("Content-Type"), res.Body, res.IsBase64Encoded)
		return json.Marshal(albAnswer(res, multiValue))
	}
	return nil, ErrUnknownEvent
}

// mendALBRequest undoes what the ALB adapter gets wrong about an ALB
// event: an ALB passes the query on as the client encoded it, so it is
// decoded here before the adapter encodes it again; and the adapter takes
// the host only from single-value headers, so with multi-value headers on
// the request would have none.
func mendALBRequest(ev *events.ALBTargetGroupRequest, multiValue bool) {
	if len(ev.QueryStringParameters) > 0 {
		query := make(map[string]string, len(ev.QueryStringParameters))
		for name, value := range ev.QueryStringParameters {
			query[unescape(name)] = unescape(value)
		}
		ev.QueryStringParameters = query
	}
	if len(ev.MultiValueQueryStringParameters) > 0 {
		query := make(map[string][]string, len(ev.MultiValueQueryStringParameters))
		for name, values := range ev.MultiValueQueryStringParameters {
			for _, v := range values {
				query[unescape(name)] = append(query[unescape(name)], unescape(v))
			}
		}
		ev.MultiValueQueryStringParameters = query
	}
	if !multiValue {
		return
	}
	for name, values := range ev.MultiValueHeaders {
		if strings.EqualFold(name, "Host") && len(values) > 0 {
			ev.Headers = map[string]string{"host": values[len(values)-1]}
		}
	}
}

// mendRESTRequest passes on the part of the client's path that a REST
// API keeps to itself, the stage ("/Prod") or a custom domain's base
// path, as X-Forwarded-Prefix, so a page can write its own absolute
// address; links stay relative and need none of it.
func mendRESTRequest(ev *events.APIGatewayProxyRequest) {
	dropForwardedPrefix(ev.Headers, ev.MultiValueHeaders)
	prefix, ok := strings.CutSuffix(ev.RequestContext.Path, ev.Path)
	if !ok || prefix == "" || !strings.HasPrefix(prefix, "/") {
		return
	}
	if ev.Headers == nil {
		ev.Headers = map[string]string{}
	}
	ev.Headers["X-Forwarded-Prefix"] = prefix
	if ev.MultiValueHeaders != nil {
		ev.MultiValueHeaders["X-Forwarded-Prefix"] = []string{prefix}
	}
}

// dropForwardedPrefix removes any X-Forwarded-Prefix the client sent:
// only this package says what prefix a front door took off the path
// (mendRESTRequest), so a client cannot make a page name an address of
// its choosing.
func dropForwardedPrefix(headers map[string]string, multi map[string][]string) {
	for name := range headers {
		if strings.EqualFold(name, "X-Forwarded-Prefix") {
			delete(headers, name)
		}
	}
	for name := range multi {
		if strings.EqualFold(name, "X-Forwarded-Prefix") {
			delete(multi, name)
		}
	}
}

// unescape decodes a query component as a browser encoded it, or leaves
// it as it came when it is not valid percent-encoding.
func unescape(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// albAnswer shapes the adapter's response as the target group reads it:
// a statusDescription of code and reason phrase, and the headers in
// multiValueHeaders when the target group has multi-value headers on,
// else in headers, one value each. There, a list header's values join
// with commas; of several Set-Cookie headers only the last can be sent.
func albAnswer(res events.ALBTargetGroupResponse, multiValue bool) map[string]any {
	out := map[string]any{
		"statusCode":        res.StatusCode,
		"statusDescription": fmt.Sprintf("%d %s", res.StatusCode, http.StatusText(res.StatusCode)),
		"isBase64Encoded":   res.IsBase64Encoded,
		"body":              res.Body,
	}
	if multiValue {
		mv := res.MultiValueHeaders
		if mv == nil {
			mv = map[string][]string{}
		}
		out["multiValueHeaders"] = mv
		return out
	}
	headers := make(map[string]string, len(res.MultiValueHeaders))
	for name, values := range res.MultiValueHeaders {
		if len(values) == 0 {
			continue
		}
		if http.CanonicalHeaderKey(name) == "Set-Cookie" {
			headers[name] = values[len(values)-1]
			continue
		}
		headers[name] = strings.Join(values, ", ")
	}
	out["headers"] = headers
	return out
}

// mendBody drops the body of an answer to HEAD, as an HTTP server does,
// and base64-encodes a binary body that the adapter let through as text
// because its bytes happened to be valid UTF-8.
func mendBody(method, contentType, body string, isBase64 bool) (string, bool) {
	if method == http.MethodHead {
		return "", false
	}
	if !isBase64 && body != "" && binary(contentType) {
		return base64.StdEncoding.EncodeToString([]byte(body)), true
	}
	return body, isBase64
}

// binary reports whether a body of this type must travel base64-encoded.
func binary(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return true
	}
	switch {
	case strings.HasPrefix(mediaType, "text/"),
		mediaType == "application/json",
		mediaType == "application/javascript",
		mediaType == "application/xml",
		mediaType == "image/svg+xml",
		strings.HasSuffix(mediaType, "+json"),
		strings.HasSuffix(mediaType, "+xml"):
		return false
	}
	return true
}

// hostFromHeader gives the handler the host the client asked for, from
// the event's Host header, as net/http would: the adapters take r.Host
// from requestContext.domainName and leave the Host header among the
// others. In AWS the two are the same name, but under sam local the
// domain name is always "localhost" while the browser asked for
// 127.0.0.1:3000, and the cross-origin check compares a browser's Origin
// with r.Host.
func hostFromHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if host := r.Header.Get("Host"); host != "" {
			r.Host = host
			r.Header.Del("Host")
		}
		next.ServeHTTP(w, r)
	})
}

// complete makes a handler that writes nothing answer 200 with no body,
// as net/http does; the adapters would fail the invocation instead.
func complete(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &trackingWriter{ResponseWriter: w}
		next.ServeHTTP(tw, r)
		if !tw.wrote {
			w.WriteHeader(http.StatusOK)
		}
	})
}

// trackingWriter notes whether a handler has begun its answer.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the adapter's writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// recoverPanics answers a request whose handler panicked with a bare 500,
// so one bad request costs one answer, not the function's next ones.
func recoverPanics(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte("internal error\n"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// LogAttrs returns the ids a log line of r should carry: Lambda's request
// id and, where there is one, API Gateway's. It suits web.LogRequests.
func LogAttrs(r *http.Request) []slog.Attr {
	var attrs []slog.Attr
	ctx := r.Context()
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("lambda_request_id", lc.AwsRequestID))
	}
	if gw, ok := core.GetAPIGatewayV2ContextFromContext(ctx); ok && gw.RequestID != "" {
		attrs = append(attrs, slog.String("apigw_request_id", gw.RequestID))
	} else if gw, ok := core.GetAPIGatewayContextFromContext(ctx); ok && gw.RequestID != "" {
		attrs = append(attrs, slog.String("apigw_request_id", gw.RequestID))
	}
	return attrs
}
