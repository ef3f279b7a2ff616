//go:build !race

// The race detector makes sync.Pool drop items on purpose, so allocations
// are counted without it.

package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"tinyboard/internal/web"
)

// nullWriter is a ResponseWriter that keeps nothing, so that measuring a
// middleware's allocations measures the middleware alone.
type nullWriter struct{ h http.Header }

func (w nullWriter) Header() http.Header         { return w.h }
func (w nullWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w nullWriter) WriteHeader(int)             {}

// TestLogRequestsAllocs checks that logging a request, in localdev's text
// form or as JSON, allocates nothing: the log costs a request only the
// time to format its line.
func TestLogRequestsAllocs(t *testing.T) {
	page := []byte("<p>the answer</p>")
	answer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(page) })
	for name, h := range map[string]slog.Handler{
		"text": web.NewLogHandler(io.Discard),
		"json": slog.NewJSONHandler(io.Discard, nil),
	} {
		logged := web.LogClientRequests(slog.New(h))(answer)
		r := httptest.NewRequest("GET", "/board", nil)
		w := nullWriter{h: http.Header{}}
		if n := testing.AllocsPerRun(1000, func() { logged.ServeHTTP(w, r) }); n != 0 {
			t.Errorf("%s: got %v allocations per request, want 0", name, n)
		}
	}
}
