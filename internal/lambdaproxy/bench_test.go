package lambdaproxy_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"tinyboard/internal/lambdaproxy"
	"tinyboard/internal/web"
)

// BenchmarkAdapter measures what the Lambda adapter adds to a request:
// the static function's handler answering GET /hello, called directly
// (a fresh request and recorder each time, as a server would make) and
// through Handler.Invoke with each front door's event, from event JSON
// to response JSON.
func BenchmarkAdapter(b *testing.B) {
	pages, err := web.NewPages(slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ServeHTTP", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/hello", nil)
			r.Header.Set("Accept", browserPage["Accept"])
			pages.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status: got %d, want 200", w.Code)
			}
		}
	})
	h := lambdaproxy.New(pages, slog.New(slog.DiscardHandler))
	for _, format := range formats {
		event := eventFor(b, format, request{method: "GET", target: "/hello", header: browserPage})
		b.Run("Invoke/"+format, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.Invoke(ctx, event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
