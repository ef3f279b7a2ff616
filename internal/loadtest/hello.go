package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"

	"tinyboard/internal/web"
)

// HelloReady starts the line ServeHello prints once it listens.
const HelloReady = "hello server listening on "

// ServeHello serves the ceiling the board is measured against: a bare
// net/http server whose one handler writes a short page, with no
// middleware and no logging, but with the same server timeouts as
// localdev so the two are set up alike. It listens on addr (loopback),
// prints HelloReady and its URL on stdout, and serves until ctx is done.
func ServeHello(ctx context.Context, addr string, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	page := []byte("<html><body>hello from the Go server</body></html>\n")
	srv := web.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}), nil)
	fmt.Fprintf(stdout, "%shttp://%s/\n", HelloReady, ln.Addr())
	return web.Serve(ctx, srv, ln)
}

// BytesReady starts the line ServeBytes prints once it listens.
const BytesReady = "same-bytes server listening on "

// SaveAnswer writes res, headers and body, to path in HTTP's own form, as
// ServeBytes reads it back.
func SaveAnswer(path string, res *http.Response) error {
	dump, err := httputil.DumpResponse(res, true)
	if err != nil {
		return err
	}
	return os.WriteFile(path, dump, 0o644)
}

// ServeBytes serves the ceiling for a page: a bare net/http server whose
// one handler answers every request with the status, headers and body of
// the answer SaveAnswer saved at path (all but its Date, which net/http
// writes itself), with no middleware and no logging, and the same server
// timeouts as localdev. It listens on addr (loopback), prints BytesReady
// and its URL on stdout, and serves until ctx is done.
func ServeBytes(ctx context.Context, path, addr string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	saved, err := http.ReadResponse(bufio.NewReader(f), nil)
	if err != nil {
		return fmt.Errorf("read the saved answer %s: %w", path, err)
	}
	body, err := io.ReadAll(saved.Body)
	if err != nil {
		return fmt.Errorf("read the saved answer %s: %w", path, err)
	}
	header := saved.Header.Clone()
	header.Del("Date")
	status := saved.StatusCode

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := web.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.WriteHeader(status)
		w.Write(body)
	}), nil)
	fmt.Fprintf(stdout, "%shttp://%s/\n", BytesReady, ln.Addr())
	return web.Serve(ctx, srv, ln)
}
