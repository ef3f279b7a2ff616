package web

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// contentSecurityPolicy allows the site's own styles and images and
// nothing else: no script at all, no framing, forms only to this site.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Header values shared by every response: net/http only reads a value
// slice, and Header.Add copies before it appends (each has len == cap), so
// one slice serves every answer and setting a header allocates nothing.
var (
	cspValue         = []string{contentSecurityPolicy}
	nosniffValue     = []string{"nosniff"}
	sameOriginValue  = []string{"same-origin"}
	varyAcceptValue  = []string{"Accept"}
	noCacheValue     = []string{"no-cache"}
	htmlContentValue = []string{"text/html; charset=utf-8"}
)

// secure sets the security headers every response carries.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Security-Policy"] = cspValue
		h["X-Content-Type-Options"] = nosniffValue
		h["Referrer-Policy"] = sameOriginValue
		next.ServeHTTP(w, r)
	})
}

// loggedResponse wraps a ResponseWriter to remember what LogRequests
// logs: the status and how many body bytes were written. It also holds
// the line's attributes, so that logging a request allocates nothing;
// loggedResponses are pooled.
type loggedResponse struct {
	http.ResponseWriter
	status int
	bytes  int64
	attrs  [7]slog.Attr
}

func (l *loggedResponse) WriteHeader(code int) {
	if l.status == 0 {
		l.status = code
	}
	l.ResponseWriter.WriteHeader(code)
}

func (l *loggedResponse) Write(b []byte) (int, error) {
	if l.status == 0 {
		l.status = http.StatusOK
	}
	n, err := l.ResponseWriter.Write(b)
	l.bytes += int64(n)
	return n, err
}

func (l *loggedResponse) Unwrap() http.ResponseWriter { return l.ResponseWriter }

var loggedResponses = sync.Pool{New: func() any { return new(loggedResponse) }}

// The keys of a request's log line.
const (
	keyClient   = "client"
	keyMethod   = "method"
	keyPath     = "path"
	keyProto    = "proto"
	keyStatus   = "status"
	keyBytes    = "bytes"
	keyDuration = "duration_ms"
)

// requestMessage is the message of every request's log line.
const requestMessage = "request"

// LogRequests returns middleware that logs one line per request at INFO,
// with the message "request": method, path, status, bytes (of the body)
// and duration_ms, then whatever attrs adds (such as Lambda's request
// ids). It never logs bodies, queries or headers, so message text and
// tokens stay out of the logs.
func LogRequests(log *slog.Logger, attrs func(*http.Request) []slog.Attr) func(http.Handler) http.Handler {
	return logRequests(log, false, attrs)
}

// LogClientRequests is LogRequests for a server on the user's own machine:
// each line also names the client's address and the protocol ("client",
// "proto"), as the book's server did. NewLogHandler writes such lines the
// way the book's server printed them.
func LogClientRequests(log *slog.Logger) func(http.Handler) http.Handler {
	return logRequests(log, true, nil)
}

func logRequests(log *slog.Logger, client bool, attrs func(*http.Request) []slog.Attr) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !log.Enabled(r.Context(), slog.LevelInfo) {
				next.ServeHTTP(w, r)
				return
			}
			start := time.Now()
			lr := loggedResponses.Get().(*loggedResponse)
			lr.ResponseWriter = w
			next.ServeHTTP(lr, r)
			if lr.status == 0 {
				lr.status = http.StatusOK
			}
			end := time.Now()
			// The line's fields, in one group with an empty key, which
			// handlers inline: they live in lr, so the Record holding
			// them needs no memory of its own.
			fields := append(lr.attrs[:0],
				slog.String(keyMethod, r.Method),
				slog.String(keyPath, r.URL.Path),
				slog.Int(keyStatus, lr.status),
				slog.Int64(keyBytes, lr.bytes),
				slog.Float64(keyDuration, float64(end.Sub(start).Microseconds())/1000),
			)
			if client {
				host, _, err := net.SplitHostPort(r.RemoteAddr)
				if err != nil {
					host = r.RemoteAddr
				}
				fields = append(fields, slog.String(keyClient, host), slog.String(keyProto, r.Proto))
			}
			// The Record is built here rather than by log.LogAttrs, which
			// would spend more on finding its caller's source line than
			// on the rest of the line.
			rec := slog.NewRecord(end, slog.LevelInfo, requestMessage, 0)
			rec.AddAttrs(slog.Attr{Value: slog.GroupValue(fields...)})
			if attrs != nil {
				rec.AddAttrs(attrs(r)...)
			}
			log.Handler().Handle(r.Context(), rec)
			// Handlers are done with the Record when Handle returns.
			*lr = loggedResponse{}
			loggedResponses.Put(lr)
		})
	}
}

// PrintRequests returns middleware that prints each request line and its
// headers to out, as the book's tiny socket server printed what the
// browser sent. Credentials are masked.
func PrintRequests(out io.Writer) func(http.Handler) http.Handler {
	var mu sync.Mutex
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var b strings.Builder
			fmt.Fprintf(&b, "Got connection from: %s\n%s %s %s\nHost: %s\n", r.RemoteAddr, r.Method, r.RequestURI, r.Proto, r.Host)
			for _, name := range slices.Sorted(maps.Keys(r.Header)) {
				for _, v := range r.Header[name] {
					if secretHeader(name) {
						v = "[hidden]"
					}
					fmt.Fprintf(&b, "%s: %s\n", name, v)
				}
			}
			b.WriteString("\n")
			mu.Lock()
			io.WriteString(out, b.String())
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
}

// secretHeader reports whether a header carries credentials that must not
// be printed.
func secretHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Cookie", "Proxy-Authorization", "X-Api-Key":
		return true
	}
	return false
}
