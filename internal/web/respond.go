package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"tinyboard/internal/board"
)

// Errors the web layer adds to board's; reject wraps them with a sentence
// for the client, and statusOf gives each its status.
var (
	errUnsupportedType = errors.New("unsupported content type")
	errForbidden       = errors.New("forbidden")
	errNotFound        = errors.New("not found")
)

// shownError is an error whose text is written for the client.
type shownError struct {
	msg  string
	kind error
}

func (e *shownError) Error() string { return e.msg }
func (e *shownError) Unwrap() error { return e.kind }

// reject returns an error of the given kind that tells the client msg.
func reject(kind error, msg string) error {
	return &shownError{msg: msg, kind: kind}
}

// statusOf is the one place an error gets its HTTP status, and the
// sentence the client is shown. Storage that is unavailable is a 503 the
// client may retry; storage that is broken, and any error statusOf does
// not know, is a 500 whose cause only the logs show.
func statusOf(err error) (int, string) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is too large: the board reads at most %d KiB, so send a shorter message.", tooBig.Limit>>10)
	case errors.Is(err, board.ErrInvalid):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, errUnsupportedType):
		return http.StatusUnsupportedMediaType, err.Error()
	case errors.Is(err, errForbidden):
		return http.StatusForbidden, err.Error()
	case errors.Is(err, errNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, board.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "The board's storage is not answering right now; try again in a moment."
	case errors.Is(err, board.ErrBroken):
		return http.StatusInternalServerError, "The board is misconfigured and cannot reach its messages; whoever runs it must look at the server's logs to fix it."
	}
	return http.StatusInternalServerError, "The board failed to answer; whoever runs it will find the cause in the server's logs."
}

// format is the kind of answer a client asked for with its Accept header.
type format int

const (
	formatText format = iota // curl and other clients
	formatHTML               // browsers
	formatJSON               // Accept: application/json
)

// clientFormat picks the answer format: JSON when the client names
// application/json, HTML when it names text/html, plain text otherwise.
func clientFormat(r *http.Request) format {
	accept := strings.Join(r.Header.Values("Accept"), ",")
	// Clients send the same Accept header request after request: the
	// last one read is remembered with its answer.
	if m := lastAccept.Load(); m != nil && m.accept == accept {
		return m.format
	}
	f := acceptedFormat(accept)
	lastAccept.Store(&acceptMemo{accept, f})
	return f
}

// acceptMemo is an Accept header and the format it asks for.
type acceptMemo struct {
	accept string
	format format
}

var lastAccept atomic.Pointer[acceptMemo]

// acceptedFormat reads an Accept header for clientFormat.
func acceptedFormat(accept string) format {
	best, bestQ := formatText, 0.0
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, q, ok := parseMediaRange(strings.TrimSpace(part))
		if !ok {
			continue
		}
		var f format
		switch {
		case strings.EqualFold(mediaType, "application/json"):
			f = formatJSON
		case strings.EqualFold(mediaType, "text/html"), strings.EqualFold(mediaType, "application/xhtml+xml"):
			f = formatHTML
		default:
			continue
		}
		if q > bestQ || (q == bestQ && f > best) {
			best, bestQ = f, q
		}
	}
	return best
}

// parseMediaRange reads one element of an Accept header as
// mime.ParseMediaType does, returning its media type (in any case) and
// its quality, 1 when it names none; ok is false for what ParseMediaType
// refuses. The forms browsers and clients send, "type/subtype" and
// "type/subtype;q=0.9", are read without ParseMediaType, which allocates a
// map for every element.
func parseMediaRange(part string) (mediaType string, q float64, ok bool) {
	mediaType, qv, hasQ := strings.Cut(part, ";q=")
	if !hasQ {
		mediaType, qv, hasQ = strings.Cut(part, ";Q=")
	}
	if isMediaType(mediaType) && (!hasQ || isToken(qv)) {
		if !hasQ {
			return mediaType, 1, true
		}
		return mediaType, parseQ(qv), true
	}
	mediaType, params, err := mime.ParseMediaType(part)
	if err != nil {
		return "", 0, false
	}
	q = 1.0
	if v, ok := params["q"]; ok {
		q = parseQ(v)
	}
	return mediaType, q, true
}

// isMediaType reports whether s is "type/subtype", two tokens.
func isMediaType(s string) bool {
	typ, sub, ok := strings.Cut(s, "/")
	return ok && isToken(typ) && isToken(sub)
}

// isToken reports whether s is a non-empty token of RFC 1521, as mime
// reads them.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// parseQ reads an Accept quality value; anything malformed counts as 0.
func parseQ(v string) float64 {
	var q float64
	switch {
	case v == "1" || strings.HasPrefix(v, "1."):
		q = 1
	case strings.HasPrefix(v, "0."):
		scale := 0.1
		for _, c := range v[2:] {
			if c < '0' || c > '9' {
				return 0
			}
			q += float64(c-'0') * scale
			scale /= 10
		}
	}
	return q
}

// responder writes answers: HTML pages, JSON, text, and errors in the
// client's format.
type responder struct {
	log *slog.Logger
}

// pageBuffers holds buffers a page is written in, so a page costs no
// fresh allocation of its full size.
var pageBuffers = sync.Pool{New: func() any { return &htmlWriter{b: make([]byte, 0, 16<<10)} }}

// html writes the page render puts in a buffer.
func (rs *responder) html(w http.ResponseWriter, status int, render func(*htmlWriter)) {
	page := pageBuffers.Get().(*htmlWriter)
	defer pageBuffers.Put(page)
	page.b = page.b[:0]
	render(page)
	h := w.Header()
	h["Content-Type"] = htmlContentValue
	// With its length known, a page larger than net/http's buffer is sent
	// as it is rather than in chunks.
	h["Content-Length"] = []string{strconv.Itoa(len(page.b))}
	w.WriteHeader(status)
	w.Write(page.b)
}

// json writes v as a JSON answer. <, > and & stay as they are rather
// than \u003c and friends: the answer is application/json with nosniff,
// never HTML, and curl users read it as sent.
func (rs *responder) json(w http.ResponseWriter, status int, v any) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode ends the line
		rs.log.Error("encode json", "err", err)
		rs.text(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body.Bytes())
}

// text writes a one-line plain-text answer.
func (rs *responder) text(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(msg + "\n"))
}

// errorView is what the error page shows.
type errorView struct {
	Status  int
	Title   string
	Message string
	Home    string
	Board   string
}

// fail answers err in the client's format, with the status statusOf
// gives it. Internal errors are logged, never shown.
func (rs *responder) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	switch {
	case status == http.StatusServiceUnavailable:
		// It may pass by itself; a warning, not an alarm.
		rs.log.WarnContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	case status >= 500:
		rs.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	if status == http.StatusRequestEntityTooLarge {
		// What http.MaxBytesReader would ask of the server itself, were
		// w not wrapped (LogRequests): close the connection instead of
		// waiting to read the rest of the body before answering.
		w.Header().Set("Connection", "close")
	}
	w.Header().Set("Cache-Control", "no-store")
	switch clientFormat(r) {
	case formatJSON:
		rs.json(w, status, map[string]string{"error": msg})
	case formatHTML:
		root := rootOf(r.URL.Path)
		v := errorView{
			Status:  status,
			Title:   http.StatusText(status),
			Message: msg,
			Home:    root,
			Board:   root + "board",
		}
		rs.html(w, status, func(p *htmlWriter) { p.errorPage(v) })
	default:
		rs.text(w, status, msg)
	}
}

// rootOf returns the relative link from path back to the site's root:
// "./" from "/board", "../" from "/a/b". It keeps links working when the
// site lives under a prefix such as a REST API's "/Prod/".
func rootOf(path string) string {
	depth := strings.Count(path, "/") - 1
	if depth <= 0 {
		return "./"
	}
	return strings.Repeat("../", depth)
}

// handleNotFound answers every path nothing else serves.
func handleNotFound(rs *responder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.fail(w, r, reject(errNotFound, "There is no page at this address; the links below lead home and to the board."))
	})
}
