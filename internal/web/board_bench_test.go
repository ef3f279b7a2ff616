package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tinyboard/internal/memstore"
	"tinyboard/internal/web"
)

// benchBoard returns a board handler over a memstore holding n messages.
func benchBoard(b *testing.B, n int) http.Handler {
	b.Helper()
	st := memstore.New()
	seed(b, st, numbered("a message of ordinary length, number", 0, n)...)
	return newBoard(b, web.BoardConfig{Store: st})
}

// benchGet serves the same GET over and over; a handler does not change a
// GET request, so reusing it measures the handler alone.
func benchGet(b *testing.B, accept string) {
	h := benchBoard(b, 50)
	r := httptest.NewRequest("GET", "/board", nil)
	r.Header.Set("Accept", accept)
	if rec := serve(b, h, r); rec.Code != http.StatusOK {
		b.Fatalf("got status %d, want 200", rec.Code)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
	}
}

// BenchmarkBoardGet is a browser loading a full page of 50 messages.
func BenchmarkBoardGet(b *testing.B) {
	benchGet(b, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
}

// BenchmarkBoardGetJSON is a JSON client reading a full page.
func BenchmarkBoardGetJSON(b *testing.B) {
	benchGet(b, "application/json")
}

// BenchmarkBoardPost is curl -d message=... : a form post answered 303.
func BenchmarkBoardPost(b *testing.B) {
	h := benchBoard(b, 50)
	const form = "message=hello+from+the+benchmark"
	r := httptest.NewRequest("POST", "/board", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	b.ReportAllocs()
	for b.Loop() {
		r.Body = io.NopCloser(strings.NewReader(form))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusSeeOther {
			b.Fatalf("got status %d, want 303", w.Code)
		}
	}
}
