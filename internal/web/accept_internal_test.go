package web

import (
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// acceptCorpus holds Accept elements browsers, curl and odd clients send.
var acceptCorpus = []string{
	"text/html", "application/xhtml+xml", "application/xml;q=0.9", "*/*;q=0.8",
	"application/json", "APPLICATION/JSON", "Text/HTML;Q=0.5", "image/avif", "image/webp",
	"application/signed-exchange;v=b3;q=0.7", "text/html;level=1;q=0.5", "text/html;q=0.5;level=1",
	"text/html ;q=0.5", "text/html; q=0.5", "text/html;q=", "text/html;q", ";q=1", "text", "text/",
	"/html", "text/html/x", "text/html;q=\"0.5\"", "text/html;q=0.5;q=0.4", "text/h tml", "tëxt/html",
	"text/html;q=1.0", "text/html;q=0.", "*/*", "*", "", ";", "text/html;;q=1", "a/b;q=0.1x",
}

// FuzzParseMediaRange holds parseMediaRange to mime.ParseMediaType, which
// it stands in for on the common forms: the same media type (up to case),
// the same quality, the same refusals.
func FuzzParseMediaRange(f *testing.F) {
	for _, s := range acceptCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, part string) {
		part = strings.TrimSpace(part)
		gotType, gotQ, gotOK := parseMediaRange(part)
		wantType, params, err := mime.ParseMediaType(part)
		wantQ := 1.0
		if v, ok := params["q"]; ok {
			wantQ = parseQ(v)
		}
		if gotOK != (err == nil) {
			t.Fatalf("parseMediaRange(%q): ok %v, want %v (ParseMediaType: %v)", part, gotOK, err == nil, err)
		}
		if gotOK && (!strings.EqualFold(gotType, wantType) || gotQ != wantQ) {
			t.Fatalf("parseMediaRange(%q) = %q, %v; want %q, %v as ParseMediaType reads it", part, gotType, gotQ, wantType, wantQ)
		}
	})
}

// TestClientFormatAllocs checks that choosing the format for a browser's
// or a JSON client's Accept header allocates nothing.
func TestClientFormatAllocs(t *testing.T) {
	for _, accept := range []string{
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"application/json",
	} {
		r := newAcceptRequest(accept)
		if n := testing.AllocsPerRun(100, func() { clientFormat(r) }); n != 0 {
			t.Errorf("clientFormat(Accept: %s): got %v allocations, want 0", accept, n)
		}
	}
}

func newAcceptRequest(accept string) *http.Request {
	r := httptest.NewRequest("GET", "/board", nil)
	r.Header.Set("Accept", accept)
	return r
}
