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
// request within 10 s) and a 16 KiB limit on headers. errorLog receives
// the server's own complaints; nil means the log package's default.
func NewServer(h http.Handler, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
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
