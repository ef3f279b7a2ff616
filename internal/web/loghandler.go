package web

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
)

// bookTime is how the book's server (Python's http.server) wrote the time
// of a request: [24/Nov/2026 10:03:12], in local time.
const bookTime = "02/Jan/2006 15:04:05"

// NewLogHandler returns a slog.Handler that writes each request line
// LogClientRequests logs the way the book's server printed it, followed
// by the bytes of the answer and how long it took:
//
//	127.0.0.1 - - [24/Nov/2026 10:03:12] "GET /board HTTP/1.1" 200 9353 0.081ms
//
// Every other record (a warning, an error with its cause) it writes as
// slog's TextHandler does, with the time in the same form. Each line
// reaches w in a single Write.
func NewLogHandler(w io.Writer) slog.Handler {
	return &logHandler{
		out: w,
		text: slog.NewTextHandler(w, &slog.HandlerOptions{
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey && len(groups) == 0 {
					return slog.String(slog.TimeKey, a.Value.Time().Format(bookTime))
				}
				return a
			},
		}),
	}
}

// logHandler writes request lines itself and hands every other record to
// text.
type logHandler struct {
	out  io.Writer
	text slog.Handler

	mu       sync.Mutex // serializes writes to out, guards the fields below
	lastSec  int64      // the second lastTime shows
	lastTime []byte     // that second in bookTime's form
}

func (h *logHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.text.Enabled(ctx, level)
}

// WithAttrs and WithGroup return handlers for other records: a request
// line has no room for a logger's own attributes.
func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler { return h.text.WithAttrs(attrs) }
func (h *logHandler) WithGroup(name string) slog.Handler       { return h.text.WithGroup(name) }

// requestLine is what a request's line shows.
type requestLine struct {
	client, method, path, proto string
	status, bytes               int64
	duration                    float64
	extra                       []slog.Attr // attributes a request line does not name, written after it
	seen                        int         // which of the named fields were found, as bits
}

const allRequestFields = 1<<7 - 1

func (l *requestLine) add(a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Value.Kind() == slog.KindGroup && a.Key == "" {
		for _, g := range a.Value.Group() {
			l.add(g)
		}
		return
	}
	bit := 0
	switch {
	case a.Key == keyClient && a.Value.Kind() == slog.KindString:
		l.client, bit = a.Value.String(), 1
	case a.Key == keyMethod && a.Value.Kind() == slog.KindString:
		l.method, bit = a.Value.String(), 2
	case a.Key == keyPath && a.Value.Kind() == slog.KindString:
		l.path, bit = a.Value.String(), 4
	case a.Key == keyProto && a.Value.Kind() == slog.KindString:
		l.proto, bit = a.Value.String(), 8
	case a.Key == keyStatus && a.Value.Kind() == slog.KindInt64:
		l.status, bit = a.Value.Int64(), 16
	case a.Key == keyBytes && a.Value.Kind() == slog.KindInt64:
		l.bytes, bit = a.Value.Int64(), 32
	case a.Key == keyDuration && a.Value.Kind() == slog.KindFloat64:
		l.duration, bit = a.Value.Float64(), 64
	}
	if bit == 0 || l.seen&bit != 0 {
		l.extra = append(l.extra, a)
		return
	}
	l.seen |= bit
}

var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message != requestMessage || r.Level != slog.LevelInfo {
		return h.text.Handle(ctx, r)
	}
	var line requestLine
	r.Attrs(func(a slog.Attr) bool { line.add(a); return true })
	if line.seen != allRequestFields || len(line.extra) > 0 {
		return h.text.Handle(ctx, r)
	}
	bp := lineBuffers.Get().(*[]byte)
	defer lineBuffers.Put(bp)
	h.mu.Lock()
	defer h.mu.Unlock()
	// Lines come many to a second: the time is formatted once a second.
	if sec := r.Time.Unix(); sec != h.lastSec || h.lastTime == nil {
		h.lastSec, h.lastTime = sec, r.Time.AppendFormat(h.lastTime[:0], bookTime)
	}
	b := appendQuotable((*bp)[:0], line.client)
	b = append(b, " - - ["...)
	b = append(b, h.lastTime...)
	b = append(b, `] "`...)
	b = appendQuotable(b, line.method)
	b = append(b, ' ')
	b = appendQuotable(b, line.path)
	b = append(b, ' ')
	b = appendQuotable(b, line.proto)
	b = append(b, `" `...)
	b = strconv.AppendInt(b, line.status, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, line.bytes, 10)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, line.duration, 'f', 3, 64)
	b = append(b, "ms\n"...)
	*bp = b
	_, err := h.out.Write(b)
	return err
}

// appendQuotable appends s with every byte that could end the quoted
// request line or forge another one (a space, a quote, a backslash, a
// control or non-ASCII byte) written as %XX, as a URL would carry it.
func appendQuotable(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '"' || c == '\\' || c >= 0x7f {
			b = append(b, '%', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}
