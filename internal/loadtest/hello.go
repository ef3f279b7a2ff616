package loadtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
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
