package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func BenchmarkPages(b *testing.B) {
	site := newSite(b)
	for _, path := range []string{"/index.html", "/logo.png", "/hello"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest("GET", path, nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				site.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: status %d, want 200", path, rec.Code)
				}
			}
		})
	}
}
