// Package web holds tinyboard's HTTP handlers: the message board and the
// tiny website around it, their templates and site files, and the
// middleware both run behind. The same handlers serve localdev on a laptop
// and the Lambda functions behind API Gateway, so every link and redirect
// they write is relative to the request's own path.
package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"tinyboard/internal/board"
)

// BoardConfig is what the board handler needs: its store and its rules.
type BoardConfig struct {
	// Store keeps the messages.
	Store board.Store
	// Logger receives errors the client is not shown.
	Logger *slog.Logger
	// ClearToken, when set, must accompany every request to clear the
	// board.
	ClearToken string
	// PageSize is how many messages a page shows (board.DefaultPageSize
	// when zero).
	PageSize int
	// MaxChars is the longest message accepted, in code points
	// (board.DefaultMaxChars when zero).
	MaxChars int
	// StoreTimeout bounds every store call (3 s when zero); a call that
	// runs past it is answered 503.
	StoreTimeout time.Duration
	// Now tells the time (time.Now when nil).
	Now func() time.Time
}

// MaxBodyBytes is the largest request body the board reads; a longer one
// is answered 413.
const MaxBodyBytes = 64 << 10

// NewBoard returns the handler of the board function: GET and POST
// /board, and a 404 page for anything else.
func NewBoard(cfg BoardConfig) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("web: board needs a store")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = board.DefaultPageSize
	}
	if cfg.MaxChars <= 0 {
		cfg.MaxChars = board.DefaultMaxChars
	}
	if cfg.StoreTimeout <= 0 {
		cfg.StoreTimeout = 3 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &responder{log: cfg.Logger}
	mux := http.NewServeMux()
	addBoardRoutes(mux, cfg, r)

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.fail(w, req, reject(errForbidden, "Posts from other sites are refused: post from the board's own page, or from a client that is not a browser."))
	}))
	return secure(csrf.Handler(mux)), nil
}
