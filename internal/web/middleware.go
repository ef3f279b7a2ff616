package web

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
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

// secure sets the security headers every response carries.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// LogRequests returns middleware that logs one line per request: method,
// path, status and duration, plus whatever attrs adds (such as Lambda's
// request id). It never logs bodies, queries or headers, so message text
// and tokens stay out of the logs.
func LogRequests(log *slog.Logger, attrs func(*http.Request) []slog.Attr) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			fields := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", rec.status),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			}
			if attrs != nil {
				fields = append(fields, attrs(r)...)
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", fields...)
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
