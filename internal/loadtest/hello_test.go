package loadtest_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tinyboard/internal/loadtest"
)

// TestServeBytes checks the same-bytes server: it answers with exactly the
// status, headers and body of the answer saved from another server.
func TestServeBytes(t *testing.T) {
	body := strings.Repeat("<p>a page of some size</p>\n", 400)
	orig := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		w.Header().Set("Vary", "Accept")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write([]byte(body))
	}))
	defer orig.Close()
	res, err := http.Get(orig.URL + "/board")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "page.http")
	if err := loadtest.SaveAnswer(path, res); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- loadtest.ServeBytes(ctx, path, "127.0.0.1:0", pw); pw.Close() }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("ServeBytes printed no ready line: %v, %v", err, <-done)
	}
	go io.Copy(io.Discard, pr)
	url := strings.TrimSpace(strings.TrimPrefix(line, loadtest.BytesReady))
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeBytes returned %v after shutdown, want nil", err)
		}
	}()

	for range 2 {
		got, err := http.Get(url + "board")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if string(b) != body || got.StatusCode != http.StatusOK {
			t.Fatalf("got status %d and %d bytes, want 200 and the %d bytes saved", got.StatusCode, len(b), len(body))
		}
		for _, h := range []string{"Content-Type", "Content-Security-Policy", "Vary", "Content-Length"} {
			if g, w := got.Header.Get(h), res.Header.Get(h); g != w || g == "" {
				t.Errorf("%s: got %q, want %q as saved", h, g, w)
			}
		}
	}
}
