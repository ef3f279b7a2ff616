package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"tinyboard/internal/board"
)

// boardView is what the board page shows.
type boardView struct {
	Messages  []board.Message
	Older     string // cursor of the previous page, "" on the oldest
	Paged     bool   // showing an older page, not the newest
	ID        string // the one-time id of this page's New Message form
	NeedToken bool   // the Clear form asks for the clear token
	MaxChars  int

	// A refused post comes back on the board page itself: Problem says
	// what to fix beside the New Message form, whose textarea holds Draft,
	// the text as it was sent; ClearProblem says it beside the Clear form.
	Problem      string
	Draft        string
	ClearProblem string
}

// pageJSON is the JSON answer to GET /board.
type pageJSON struct {
	Messages []board.Message `json:"messages"`
	Older    string          `json:"older,omitempty"`
}

// handleBoardGet serves a page of the board: the newest messages, or those
// before ?before=CURSOR, as HTML or, for Accept: application/json, JSON.
func handleBoardGet(cfg BoardConfig, rs *responder) http.Handler {
	pages := newPageCache()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Vary"] = varyAcceptValue
		var cursor string
		if r.URL.RawQuery != "" { // parsing an empty query would still allocate its map
			cursor = r.URL.Query().Get("before")
		}
		page, err := readPage(r.Context(), cfg, cursor)
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		w.Header()["Cache-Control"] = noCacheValue
		if clientFormat(r) == formatJSON {
			if page.Messages == nil {
				page.Messages = []board.Message{}
			}
			rs.json(w, http.StatusOK, pageJSON{Messages: page.Messages, Older: page.Older})
			return
		}
		v := boardView{
			Messages:  page.Messages,
			Older:     page.Older,
			Paged:     cursor != "",
			ID:        board.NewID(cfg.Now()),
			NeedToken: cfg.ClearToken != "",
			MaxChars:  cfg.MaxChars,
		}
		pages.serve(w, rs, v)
	})
}

// handleBoardPost saves a message or clears the board. Browsers and curl
// are sent back to the board (Post/Redirect/Get); JSON clients get the
// stored message (201) or nothing (204).
func handleBoardPost(cfg BoardConfig, rs *responder) http.Handler {
	bodyLimit := BodyLimit(cfg.MaxChars)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		sub, err := decodeSubmission(w, r, bodyLimit)
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		switch {
		case sub.clear && sub.hasMessage:
			// Neither wins: clearing would drop the message unseen, and
			// saving would ignore the clear.
			refuse(w, r, cfg, rs, sub, board.Invalid("The request has both a message and a clear field; send one or the other: message=... to post, or clear= to clear the board."))
		case sub.clear:
			if sent := sentToken(sub.token, r); !clearAllowed(cfg.ClearToken, sent) {
				refuse(w, r, cfg, rs, sub, reject(errForbidden, clearRefusal(clientFormat(r), sent != "")))
				return
			}
			_, err := callStore(r.Context(), cfg.StoreTimeout, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, cfg.Store.Clear(ctx)
			})
			if err != nil {
				rs.fail(w, r, err)
				return
			}
			if clientFormat(r) == formatJSON {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			seeBoard(w, "board", "Cleared the board.")
		case sub.hasMessage:
			text, err := board.CleanText(sub.message, cfg.MaxChars)
			if err != nil {
				refuse(w, r, cfg, rs, sub, err)
				return
			}
			now := cfg.Now()
			id := sub.id
			if !board.UsableID(id, now) {
				id = board.NewID(now)
			}
			m, err := callStore(r.Context(), cfg.StoreTimeout, func(ctx context.Context) (board.Message, error) {
				return cfg.Store.Save(ctx, id, text)
			})
			if err != nil {
				rs.fail(w, r, err)
				return
			}
			if clientFormat(r) == formatJSON {
				rs.json(w, http.StatusCreated, m)
				return
			}
			// The fragment names the message's element on the page, so
			// the browser shows it, however long the board, and the
			// style sheet marks it (:target) as the one just saved.
			seeBoard(w, "board#"+messageAnchor(m.ID), "Saved your message.")
		default:
			rs.fail(w, r, board.Invalid("The request has neither a message nor a clear field: send message=... to post, or clear= to clear the board."))
		}
	})
}

// seeBoard sends a browser or curl back to the board page at location.
// The Location is relative, so it stays under any path prefix the board
// is served at.
func seeBoard(w http.ResponseWriter, location, done string) {
	w.Header().Set("Location", location)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusSeeOther)
	w.Write([]byte(done + " See board\n"))
}

// messageAnchor is the id of a message's element on the board page; a
// URL fragment naming it scrolls the page to the message.
func messageAnchor(id string) string { return "m-" + id }

// refuse answers a refused post. A browser gets the board page itself,
// with the sentence beside the form the post came from and, for a
// message, the text as it was sent still in the textarea under the same
// one-time id: nothing typed is lost, and the corrected post saves once.
// Other clients, and a board page that cannot be read, get rs.fail.
func refuse(w http.ResponseWriter, r *http.Request, cfg BoardConfig, rs *responder, sub submission, err error) {
	status, msg := statusOf(err)
	if clientFormat(r) != formatHTML || status >= 500 {
		rs.fail(w, r, err)
		return
	}
	page, readErr := readPage(r.Context(), cfg, "")
	if readErr != nil {
		rs.fail(w, r, err)
		return
	}
	now := cfg.Now()
	v := boardView{
		Messages:  page.Messages,
		Older:     page.Older,
		ID:        sub.id,
		NeedToken: cfg.ClearToken != "",
		MaxChars:  cfg.MaxChars,
	}
	if !board.UsableID(v.ID, now) {
		v.ID = board.NewID(now)
	}
	if sub.hasMessage {
		// Invalid UTF-8 comes back as U+FFFD, as a browser would show it.
		v.Problem, v.Draft = msg, strings.ToValidUTF8(sub.message, "\uFFFD")
	} else {
		v.ClearProblem = msg
	}
	rs.html(w, status, func(p *htmlWriter) { p.boardPage(v) })
}

// clearAllowed reports whether a request that sent the token sent may
// clear the board: always when no token is configured, as in the book;
// otherwise only with the token.
func clearAllowed(want, sent string) bool {
	return want == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) == 1
}

// sentToken is the clear token a request sent: its token field, else the
// credentials of an Authorization header in the Bearer scheme, whose name
// is matched without regard to case (RFC 9110, section 11.1).
func sentToken(field string, r *http.Request) string {
	if field != "" {
		return field
	}
	scheme, credentials, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(credentials)
}

// clearRefusal says why a clear was refused, in the terms of the client
// that asked: a browser's form, JSON fields, or curl's form fields.
func clearRefusal(f format, sent bool) string {
	switch {
	case f == formatHTML && sent:
		return "The clear token you typed is not this board's, so nothing was cleared: type the board's clear token in the token field of the Clear form, then click Clear Messages."
	case f == formatHTML:
		return "This board needs its clear token to clear it: type the token in the token field of the Clear form, then click Clear Messages."
	case f == formatJSON && sent:
		return `The clear token is not this board's, so nothing was cleared: send the board's token as {"clear": true, "token": "..."} or in an Authorization: Bearer header.`
	case f == formatJSON:
		return `Clearing this board needs its clear token: send {"clear": true, "token": "..."}, or the token in an Authorization: Bearer header.`
	case sent:
		return "The clear token is not this board's, so nothing was cleared: send the board's token with clear= as token=..., or in an Authorization: Bearer header."
	}
	return "Clearing this board needs its clear token: send it with clear= as token=..., or in an Authorization: Bearer header."
}

// A memoryStore answers from memory, never waiting on anything but a
// short lock of its own (memstore does). Its reads need neither a
// deadline nor a goroutine to abandon them by, which would cost more than
// the read itself.
type memoryStore interface{ AnswersFromMemory() }

// readPage reads a page of the board: through callStore, or straight
// from a memoryStore.
func readPage(ctx context.Context, cfg BoardConfig, cursor string) (board.Page, error) {
	if _, ok := cfg.Store.(memoryStore); !ok {
		return callStore(ctx, cfg.StoreTimeout, func(ctx context.Context) (board.Page, error) {
			return cfg.Store.Page(ctx, cursor, cfg.PageSize)
		})
	}
	return cfg.Store.Page(ctx, cursor, cfg.PageSize)
}

// callStore runs one store call under its own deadline: timeout from now,
// but never later than just before the request's own deadline (Lambda's),
// so there is time left to answer. A store that ignores its context is
// abandoned at the deadline, and the request is answered 503 all the same.
// The store's errors keep the kind the store gave them (invalid,
// unavailable, broken); statusOf answers each.
func callStore[T any](ctx context.Context, timeout time.Duration, call func(context.Context) (T, error)) (T, error) {
	if d, ok := ctx.Deadline(); ok {
		const answerTime = 250 * time.Millisecond
		timeout = min(timeout, time.Until(d)-answerTime)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call(ctx)
		done <- result{v, err}
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-ctx.Done():
		var zero T
		return zero, board.Unavailable(ctx.Err())
	}
}
