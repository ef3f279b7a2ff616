package web_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"tinyboard/internal/memstore"
	"tinyboard/internal/web"
)

// newSite returns the board and pages handlers routed as localdev and
// template.yaml route them.
func newSite(tb testing.TB) http.Handler {
	tb.Helper()
	b, err := web.NewBoard(web.BoardConfig{Store: memstore.New()})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := web.NewPages(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return web.NewSite(b, p)
}

func get(tb testing.TB, h http.Handler, method, target string, header http.Header) *http.Response {
	tb.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(tb testing.TB, res *http.Response) string {
	tb.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestPagesServeTheSite(t *testing.T) {
	site := newSite(t)
	logo, err := os.ReadFile("site/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path        string
		contentType string
		contains    string
		cache       string
	}{
		{"/", "text/html; charset=utf-8", "Welcome to tinyboard", "max-age=60"},
		{"/index.html", "text/html; charset=utf-8", `href="page.html"`, "max-age=60"},
		{"/page.html", "text/html; charset=utf-8", `href="./"`, "max-age=60"},
		{"/style.css", "text/css; charset=utf-8", "white-space: pre-wrap", "max-age=86400"},
		{"/logo.png", "image/png", "\x89PNG", "max-age=86400"},
		{"/favicon.ico", "image/x-icon", "\x00\x00\x01\x00", "max-age=86400"},
		{"/hello", "text/html; charset=utf-8", "hello from the Go server", "max-age=60"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := get(t, site, "GET", tt.path, nil)
			got := readBody(t, res)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", res.StatusCode)
			}
			if ct := res.Header.Get("Content-Type"); ct != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", ct, tt.contentType)
			}
			if !strings.Contains(got, tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, tt.cache) {
				t.Errorf("Cache-Control = %q, want it to contain %q", cc, tt.cache)
			}
			for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
				if res.Header.Get(h) == "" {
					t.Errorf("no %s header", h)
				}
			}
		})
	}
	res := get(t, site, "GET", "/logo.png", nil)
	if got := readBody(t, res); got != string(logo) {
		t.Errorf("GET /logo.png gave %d bytes, want the %d bytes of the embedded file, identical", len(got), len(logo))
	}
}

func TestHomePageLinksEverywhere(t *testing.T) {
	got := readBody(t, get(t, newSite(t), "GET", "/", nil))
	for _, link := range []string{`href="page.html"`, `href="board"`, `href="hello"`, `href="request"`, `src="logo.png"`} {
		if !strings.Contains(got, link) {
			t.Errorf("home page lacks the relative link %s", link)
		}
	}
}

func TestFilesRevalidateWithETag(t *testing.T) {
	site := newSite(t)
	for _, path := range []string{"/", "/page.html", "/style.css", "/logo.png", "/favicon.ico"} {
		first := get(t, site, "GET", path, nil)
		etag := first.Header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
			t.Errorf("GET %s: ETag = %q, want a quoted content hash", path, etag)
			continue
		}
		again := get(t, site, "GET", path, http.Header{"If-None-Match": {etag}})
		if again.StatusCode != http.StatusNotModified || readBody(t, again) != "" {
			t.Errorf("GET %s with If-None-Match: status %d, want 304 with no body", path, again.StatusCode)
		}
		stale := get(t, site, "GET", path, http.Header{"If-None-Match": {`"stale"`}})
		if stale.StatusCode != http.StatusOK {
			t.Errorf("GET %s with a stale If-None-Match: status %d, want 200", path, stale.StatusCode)
		}
	}
}

func TestHeadAnswersLikeGetWithoutBody(t *testing.T) {
	srv := httptest.NewServer(newSite(t))
	defer srv.Close()
	for _, path := range []string{"/", "/style.css", "/logo.png", "/hello", "/board"} {
		get, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		getBody := readBody(t, get)
		get.Body.Close()
		head, err := http.Head(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		headBody := readBody(t, head)
		head.Body.Close()
		if head.StatusCode != get.StatusCode || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || head.Header.Get("ETag") != get.Header.Get("ETag") {
			t.Errorf("HEAD %s = %d %q %q, want GET's %d %q %q", path, head.StatusCode, head.Header.Get("Content-Type"), head.Header.Get("ETag"), get.StatusCode, get.Header.Get("Content-Type"), get.Header.Get("ETag"))
		}
		if headBody != "" || getBody == "" {
			t.Errorf("HEAD %s body is %d bytes (GET %d), want empty", path, len(headBody), len(getBody))
		}
	}
}

func TestRequestShowsHeadersEscaped(t *testing.T) {
	res := get(t, newSite(t), "GET", "/request?q=<i>x</i>", http.Header{"X-Probe": {"<b>probe</b>"}, "Accept": {"text/html"}})
	got := readBody(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", res.StatusCode)
	}
	if strings.Contains(got, "<b>probe</b>") || strings.Contains(got, "<i>x</i>") {
		t.Errorf("/request shows markup from the request unescaped")
	}
	for _, want := range []string{"X-Probe", "&lt;b&gt;probe&lt;/b&gt;", "GET", "HTTP/1.1", "/request?q=", "Host", "example.com"} {
		if !strings.Contains(got, want) {
			t.Errorf("/request lacks %q", want)
		}
	}
	if i, j := strings.Index(got, ">Accept<"), strings.Index(got, ">X-Probe<"); i < 0 || j < 0 || i > j {
		t.Errorf("/request headers are not sorted by name (Accept at %d, X-Probe at %d)", i, j)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("/request Cache-Control = %q, want no-store", cc)
	}
}

func TestUnknownPathsGetA404PageWithAHomeLink(t *testing.T) {
	site := newSite(t)
	for path, home := range map[string]string{"/nope": "./", "/a/b/c.html": "../../", "/index.html/": "../"} {
		res := get(t, site, "GET", path, http.Header{"Accept": {"text/html"}})
		got := readBody(t, res)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
		}
		if !strings.Contains(got, `href="`+home+`"`) || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: 404 page lacks an HTML link home %q", path, home)
		}
	}
}

func TestPostToPagesIs405(t *testing.T) {
	for _, path := range []string{"/", "/index.html", "/hello"} {
		res := get(t, newSite(t), "POST", path, nil)
		if res.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(res.Header.Get("Allow"), "GET") {
			t.Errorf("POST %s: %d Allow %q, want 405 with Allow: GET, HEAD", path, res.StatusCode, res.Header.Get("Allow"))
		}
	}
}

// rawGet sends target exactly as written, so no client cleans the path,
// and returns the status and body.
func rawGet(tb testing.TB, addr, target string) (int, string, string) {
	tb.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		tb.Fatalf("GET %s: %v", target, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

func TestNoPathReadsOutsideTheSite(t *testing.T) {
	srv := httptest.NewServer(newSite(t))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{string(bytes.TrimSpace(gomod))[:20], "root:x:0:0", "package web"}
	targets := []string{
		"/../go.mod", "/%2e%2e/go.mod", "/..%2fgo.mod", "/%2e%2e%2fgo.mod", "//etc/passwd",
		"/index.html/../../go.mod", "/..%5cgo.mod", "/site/../../../go.mod", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"/pages.go", "/templates/board.html", "/site/style.css", "/./go.mod", "/%00", "/style.css%00.html",
	}
	for _, target := range targets {
		status, location, got := rawGet(t, addr, target)
		for _, secret := range secrets {
			if strings.Contains(got, secret) {
				t.Errorf("GET %s answered %d with content from outside the site (%q)", target, status, secret)
			}
		}
		switch status {
		case http.StatusNotFound, http.StatusBadRequest:
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			// The mux cleans the path; where it points must be as safe.
			next, _, got := rawGet(t, addr, location)
			if next == http.StatusOK && !strings.Contains(got, "tinyboard") {
				t.Errorf("GET %s redirected to %s, which answered 200 with something that is not the site", target, location)
			}
			for _, secret := range secrets {
				if strings.Contains(got, secret) {
					t.Errorf("GET %s redirected to %s, which answered with content from outside the site", target, location)
				}
			}
		default:
			t.Errorf("GET %s: status %d, want 404 (or 400, or a redirect to a clean path)", target, status)
		}
	}
}
