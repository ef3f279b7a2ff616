package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func BenchmarkPagesIndex(b *testing.B) {
	site := newSite(b)
	req := httptest.NewRequest("GET", "/index.html", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d, want 200", rec.Code)
		}
	}
}

func BenchmarkPagesLogo(b *testing.B) {
	site := newSite(b)
	req := httptest.NewRequest("GET", "/logo.png", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d, want 200", rec.Code)
		}
	}
}
