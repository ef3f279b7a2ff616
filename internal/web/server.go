package web

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"time"
)

// NewServer returns the HTTP server localdev runs h in, with timeouts that
// cut off clients too slow to be honest (headers within 5 s, the whole
// request within 10 s), a 16 KiB limit on headers, and the connection
// closed after any request framed by Transfer-Encoding
// (closeAfterTransferEncoding). errorLog receives the server's own
// complaints; nil means the log package's default.
func NewServer(h http.Handler, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           closeAfterTransferEncoding(h),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          errorLog,
	}
}

// Serve serves srv on ln until ctx is done, then shuts down gracefully,
// giving requests in flight up to 5 s to finish.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// closeAfterTransferEncoding closes the connection after answering a
// request that came with a Transfer-Encoding. A request with both a
// Transfer-Encoding and a Content-Length may be an attempt at request
// smuggling: a proxy in front that framed the body by its Content-Length
// would pass on, as part of it, bytes that this server reads as a request
// of their own. RFC 9112 §6.1 asks a server to reject such a request or
// to close the connection after answering it, which leaves those bytes
// unread. net/http frames the body by its chunks and drops the
// Content-Length before a handler sees the request, so this cannot tell
// whether both were sent: it closes after every request with a
// Transfer-Encoding, which costs the rare client that sends chunked bodies
// a new connection.
func closeAfterTransferEncoding(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TransferEncoding) > 0 {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
}
