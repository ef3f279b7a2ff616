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

// MaxBodyBytes is the largest request body the pages read (GET /request
// counts it); a longer one is answered 413. The board's limit is
// BodyLimit.
const MaxBodyBytes = 64 << 10

// BodyLimit returns the largest POST body the board reads when a message
// may be maxChars characters long: enough for any such message in every
// encoding the board accepts, so that a message within the limit is never
// refused as too large. A longer body is answered 413.
//
// The costliest encodings take 12 bytes a character: a 4-byte UTF-8
// character percent-encoded in a form (%F0%9F%99%82), or escaped in JSON
// as a surrogate pair (\ud83d\ude42). A line break is one character and at
// most 6 bytes (%0D%0A); multipart carries the bytes as they are, at most
// 4 a character. bodySlack covers the field names, the form's id, the
// clear token, and multipart's boundaries and part headers.
func BodyLimit(maxChars int) int64 {
	return 12*int64(maxChars) + bodySlack
}

const bodySlack = 8 << 10

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
