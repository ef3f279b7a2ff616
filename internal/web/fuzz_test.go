package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"tinyboard/internal/board"
	"tinyboard/internal/memstore"
	"tinyboard/internal/web"
)

// fuzzClearToken is the clear token of the locked board FuzzBoardPost
// posts to.
const fuzzClearToken = "fuzz-clear-token"

// fuzzMaxChars is the message limit of the fuzzed boards: small, so the
// fuzzer reaches it.
const fuzzMaxChars = 100

// FuzzBoardPost sends POST /board any body with any Content-Type,
// Content-Encoding, Accept, Origin, Sec-Fetch-Site and Authorization, to a
// board with or without a clear token, the body whole or cut short (as
// when the client hangs up or the server's ReadTimeout ends it). Whatever
// comes in, the board must not panic or answer 5xx;
// a 4xx stores nothing; a success stores at most one message (or clears);
// and the answer is well-formed in the format it claims.
// The seeds are in testdata/fuzz/FuzzBoardPost.
func FuzzBoardPost(f *testing.F) {
	st := memstore.New()
	open := newBoard(f, web.BoardConfig{Store: st, MaxChars: fuzzMaxChars})
	locked := newBoard(f, web.BoardConfig{Store: st, MaxChars: fuzzMaxChars, ClearToken: fuzzClearToken})
	f.Fuzz(func(t *testing.T, body []byte, contentType, contentEncoding, accept, origin, fetchSite, authorization string, withToken, cut bool) {
		// The store lives across inputs; keep it small, and never empty,
		// so that a clear shows.
		ctx := context.Background()
		if st.Len() > 100 {
			st.Clear(ctx)
		}
		if st.Len() == 0 {
			st.Save(ctx, board.NewID(time.Now()), "already here")
		}
		before := st.Len()

		var bodyReader io.Reader = bytes.NewReader(body)
		if cut {
			bodyReader = io.MultiReader(bodyReader, iotest.ErrReader(io.ErrUnexpectedEOF))
		}
		r := httptest.NewRequest("POST", "/board", bodyReader)
		for name, value := range map[string]string{
			"Content-Type":     contentType,
			"Content-Encoding": contentEncoding,
			"Accept":           accept,
			"Origin":           origin,
			"Sec-Fetch-Site":   fetchSite,
			"Authorization":    authorization,
		} {
			if value != "" {
				r.Header.Set(name, value)
			}
		}
		h := open
		if withToken {
			h = locked
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		after := st.Len()

		status := rec.Code
		switch {
		case status >= 400 && status < 500:
			if after != before {
				t.Errorf("answered %d, and the board went from %d messages to %d; want nothing stored or cleared on a 4xx", status, before, after)
			}
		case status == http.StatusCreated:
			if after != before && after != before+1 {
				t.Errorf("answered 201, and the board went from %d messages to %d; want one message more at most", before, after)
			}
			var m struct {
				ID, Text string
				Posted   time.Time
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
				t.Fatalf("answered 201 with %q, want the message as JSON: %v", rec.Body, err)
			}
			checkStoredText(t, m.Text)
		case status == http.StatusNoContent:
			if after != 0 {
				t.Errorf("answered 204, and the board holds %d messages, want it cleared", after)
			}
		case status == http.StatusSeeOther:
			if after != 0 && after != before && after != before+1 {
				t.Errorf("answered 303, and the board went from %d messages to %d; want one message more at most, or a clear", before, after)
			}
			if got := rec.Header().Get("Location"); got != "board" && !strings.HasPrefix(got, "board#m-") {
				t.Errorf("answered 303 with Location %q, want \"board\", or \"board#m-\" and the saved message's id", got)
			}
		default:
			t.Fatalf("got status %d, want 201, 204, 303 or a 4xx; body %q", status, rec.Body)
		}
		checkAnswer(t, rec, contentType)
	})
}

// FuzzBoardGet asks for GET /board?before=… with any cursor and any
// Accept. The board must answer 200 exactly when the cursor is empty or
// one it could have written, 400 otherwise, never 5xx; and no answer may
// carry markup from the cursor or from the messages unescaped.
// The seeds are in testdata/fuzz/FuzzBoardGet.
func FuzzBoardGet(f *testing.F) {
	// A fixed clock, so the messages' cursors are the same on every run
	// and the committed seeds can name them.
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := memstore.NewWithClock(func() time.Time { return at })
	texts := []string{"hello", "<script>alert(1)</script>", `"><script src=//evil.example></script>`, "</p><SCRIPT>x</SCRIPT>", "a&b"}
	for i := range 12 {
		id := board.NewID(at.Add(time.Duration(i) * time.Millisecond))
		if _, err := st.Save(f.Context(), id, texts[i%len(texts)]); err != nil {
			f.Fatalf("seeding: %v", err)
		}
	}
	h := newBoard(f, web.BoardConfig{Store: st, PageSize: 5, MaxChars: fuzzMaxChars})
	f.Fuzz(func(t *testing.T, before, accept string) {
		r := httptest.NewRequest("GET", "/board?before="+url.QueryEscape(before), nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)

		want := http.StatusOK
		if before != "" {
			if _, err := board.ParseCursor(before); err != nil {
				want = http.StatusBadRequest
			}
		}
		if rec.Code != want {
			t.Fatalf("GET /board?before=%q: got status %d, want %d; body %q", before, rec.Code, want, rec.Body)
		}
		if st.Len() != 12 {
			t.Errorf("GET /board?before=%q: the board holds %d messages after it, want 12", before, st.Len())
		}
		checkAnswer(t, rec, "")
	})
}

// checkAnswer checks what any answer of the board must be: it carries the
// security headers, a JSON answer is valid JSON (with an error sentence
// on a 4xx), and an HTML answer holds no <script> tag, whatever the
// request or the stored messages held. requestType is the request's
// Content-Type, which an error sentence may quote.
func checkAnswer(tb testing.TB, rec *httptest.ResponseRecorder, requestType string) {
	tb.Helper()
	h := rec.Header()
	if h.Get("Content-Security-Policy") == "" || h.Get("X-Content-Type-Options") != "nosniff" {
		tb.Errorf("answer %d: got Content-Security-Policy %q and X-Content-Type-Options %q, want both set",
			rec.Code, h.Get("Content-Security-Policy"), h.Get("X-Content-Type-Options"))
	}
	if rec.Code == http.StatusRequestEntityTooLarge && h.Get("Connection") != "close" {
		tb.Errorf("answered 413 with Connection %q, want close (the rest of the body is not worth waiting for)", h.Get("Connection"))
	}
	body := rec.Body.Bytes()
	ct := h.Get("Content-Type")
	var sentence string
	switch {
	case rec.Code == http.StatusNoContent:
		if len(body) != 0 {
			tb.Errorf("answered 204 with body %q, want none", body)
		}
		return
	case strings.HasPrefix(ct, "application/json"):
		if !json.Valid(body) {
			tb.Fatalf("answered %d with Content-Type %s and body %q, want valid JSON", rec.Code, ct, body)
		}
		if rec.Code >= 400 {
			var e struct {
				Error string `json:"error"`
			}
			json.Unmarshal(body, &e)
			sentence = e.Error
		}
	case strings.HasPrefix(ct, "text/html"):
		if bytes.Contains(bytes.ToLower(body), []byte("<script")) {
			tb.Fatalf("answered %d with an HTML page holding <script, want all markup from input escaped:\n%s", rec.Code, body)
		}
		if rec.Code >= 400 {
			if m := problemRE.FindSubmatch(body); m != nil {
				sentence = html.UnescapeString(string(m[1]))
			}
		}
	case strings.HasPrefix(ct, "text/plain"):
		sentence = strings.TrimSuffix(string(body), "\n")
	default:
		tb.Fatalf("answered %d with Content-Type %q, want JSON, HTML or plain text", rec.Code, ct)
	}
	if rec.Code < 400 {
		return
	}
	if sentence == "" {
		tb.Errorf("answered %d with %q, want a sentence saying what to fix", rec.Code, body)
	}
	for _, bad := range internals {
		// A 415 names the type it was sent, which may hold anything.
		if strings.Contains(sentence, bad) && !strings.Contains(requestType, bad) {
			tb.Errorf("answered %d with %q, want no Go internals such as %q", rec.Code, sentence, bad)
		}
	}
}

// checkStoredText checks text is something the board may store.
func checkStoredText(tb testing.TB, text string) {
	tb.Helper()
	if !utf8.ValidString(text) || strings.Contains(text, "\r") || strings.TrimSpace(text) == "" ||
		utf8.RuneCountInString(text) > fuzzMaxChars {
		tb.Errorf("stored %q, want non-blank UTF-8 of at most %d characters without CR", text, fuzzMaxChars)
	}
}
