// Package lambdaproxy lets one http.Handler answer every AWS HTTP front
// door of a Lambda function: an HTTP API (payload 2.0), a function URL
// (also 2.0), a REST API (payload 1.0) and an Application Load Balancer.
// It looks at each event to tell which it is, hands it to the matching
// adapter of aws-lambda-go-api-proxy, and mends what those adapters leave
// undone: HEAD answers carry no body, binary bodies are always base64, and
// an ALB is answered in the header style its request used.
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
	h = recoverPanics(h, log)
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
		res, err := h.alb.ProxyWithContext(ctx, ev)
		if err != nil {
			return nil, err
		}
		res.Body, res.IsBase64Encoded = mendBody(ev.HTTPMethod, http.Header(res.MultiValueHeaders).Get("Content-Type"), res.Body, res.IsBase64Encoded)
		if len(p.MultiValueHeaders) == 0 || string(p.MultiValueHeaders) == "null" {
			// The target group has multi-value headers off: the ALB reads
			// only "headers", one value each.
			res.Headers = make(map[string]string, len(res.MultiValueHeaders))
			for name, values := range res.MultiValueHeaders {
				res.Headers[name] = values[len(values)-1]
			}
			res.MultiValueHeaders = nil
		}
		return json.Marshal(res)
	}
	return nil, ErrUnknownEvent
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
