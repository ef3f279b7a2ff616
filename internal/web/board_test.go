package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"tinyboard/internal/board"
	"tinyboard/internal/memstore"
	"tinyboard/internal/web"
)

const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
	htmlType = "text/html"
)

// newBoard returns the board handler for cfg, over a fresh memstore when
// cfg has no Store.
func newBoard(tb testing.TB, cfg web.BoardConfig) http.Handler {
	tb.Helper()
	if cfg.Store == nil {
		cfg.Store = memstore.New()
	}
	h, err := web.NewBoard(cfg)
	if err != nil {
		tb.Fatalf("NewBoard: %v", err)
	}
	return h
}

// newRequest builds a request from headers given as name, value pairs.
func newRequest(tb testing.TB, method, target, body string, headers ...string) *http.Request {
	tb.Helper()
	if len(headers)%2 != 0 {
		tb.Fatalf("newRequest: headers %q are not name, value pairs", headers)
	}
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

// serve runs r through h and returns what it answered.
func serve(tb testing.TB, h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// do builds a request and serves it.
func do(tb testing.TB, h http.Handler, method, target, body string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	return serve(tb, h, newRequest(tb, method, target, body, headers...))
}

// postForm posts form, url-encoded, to /board as curl -d does.
func postForm(tb testing.TB, h http.Handler, form string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	return do(tb, h, "POST", "/board", form, append([]string{"Content-Type", formType}, headers...)...)
}

// postJSON posts body to /board as a JSON client that wants JSON back.
func postJSON(tb testing.TB, h http.Handler, body string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	return do(tb, h, "POST", "/board", body, append([]string{"Content-Type", jsonType, "Accept", jsonType}, headers...)...)
}

// getHTML fetches target as a browser does and returns the page.
func getHTML(tb testing.TB, h http.Handler, target string) string {
	tb.Helper()
	rec := do(tb, h, "GET", target, "", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	wantStatus(tb, rec, http.StatusOK)
	wantContentType(tb, rec, htmlType)
	return rec.Body.String()
}

// boardJSON is the JSON answer to GET /board.
type boardJSON struct {
	Messages []messageJSON `json:"messages"`
	Older    *string       `json:"older"`
}

// messageJSON is a message as the JSON answers carry it.
type messageJSON struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Posted string `json:"posted"`
}

// getJSON fetches target as a JSON client does.
func getJSON(tb testing.TB, h http.Handler, target string) boardJSON {
	tb.Helper()
	rec := do(tb, h, "GET", target, "", "Accept", jsonType)
	wantStatus(tb, rec, http.StatusOK)
	wantContentType(tb, rec, jsonType)
	var page boardJSON
	decodeStrict(tb, rec.Body.Bytes(), &page)
	if page.Messages == nil {
		tb.Errorf("GET %s: got %s, want a messages array (even when empty)", target, rec.Body)
	}
	for _, m := range page.Messages {
		checkMessageJSON(tb, m)
	}
	return page
}

// decodeStrict decodes a JSON answer, refusing fields it does not expect.
func decodeStrict(tb testing.TB, body []byte, v any) {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("decoding %s: %v", body, err)
	}
}

// checkMessageJSON checks a message object has an id and an RFC 3339 UTC
// posted time.
func checkMessageJSON(tb testing.TB, m messageJSON) {
	tb.Helper()
	if m.ID == "" {
		tb.Errorf("message %+v: got an empty id, want one", m)
	}
	posted, err := time.Parse(time.RFC3339, m.Posted)
	if err != nil || !strings.HasSuffix(m.Posted, "Z") {
		tb.Errorf("message %+v: got posted %q, want an RFC 3339 time in UTC", m, m.Posted)
	} else if posted.IsZero() {
		tb.Errorf("message %+v: got a zero posted time, want when it was saved", m)
	}
}

func wantStatus(tb testing.TB, rec *httptest.ResponseRecorder, want int) {
	tb.Helper()
	if rec.Code != want {
		tb.Fatalf("got status %d, want %d; body %q", rec.Code, want, rec.Body)
	}
}

func wantContentType(tb testing.TB, rec *httptest.ResponseRecorder, want string) {
	tb.Helper()
	if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, want) {
		tb.Errorf("got Content-Type %q, want %s", got, want)
	}
}

func wantLen(tb testing.TB, st *memstore.Store, want int) {
	tb.Helper()
	if got := st.Len(); got != want {
		tb.Errorf("got %d stored messages, want %d", got, want)
	}
}

var (
	messageRE = regexp.MustCompile(`(?s)<p class="text">(.*?)</p>`)
	inputRE   = regexp.MustCompile(`<input\b[^>]*>`)
	attrRE    = regexp.MustCompile(`([a-zA-Z-]+)(?:="([^"]*)")?`)
	olderRE   = regexp.MustCompile(`<a\b[^>]*\bhref="([^"]*)"[^>]*>[^<]*Older messages</a>`)
	problemRE = regexp.MustCompile(`(?s)<p class="problem"[^>]*>(.*?)</p>`)
	hrefRE    = regexp.MustCompile(`\b(?:href|src|action)="([^"]*)"`)
)

// messagesIn returns the texts of the messages a board page shows, in
// page order, as a reader sees them.
func messagesIn(page string) []string {
	var texts []string
	for _, m := range messageRE.FindAllStringSubmatch(page, -1) {
		texts = append(texts, html.UnescapeString(m[1]))
	}
	return texts
}

// inputsIn returns the attributes of every <input> on a page.
func inputsIn(page string) []map[string]string {
	var inputs []map[string]string
	for _, tag := range inputRE.FindAllString(page, -1) {
		attrs := make(map[string]string)
		for _, a := range attrRE.FindAllStringSubmatch(strings.TrimPrefix(tag, "<input"), -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		inputs = append(inputs, attrs)
	}
	return inputs
}

// formID returns the one-time id in the page's New Message form.
func formID(tb testing.TB, page string) string {
	tb.Helper()
	for _, in := range inputsIn(page) {
		if in["name"] == "id" {
			if in["type"] != "hidden" {
				tb.Errorf("id input has type %q, want hidden", in["type"])
			}
			return in["value"]
		}
	}
	tb.Fatalf("got a page without an id input, want one in the New Message form:\n%s", page)
	return ""
}

// olderLink returns the target of the page's "Older messages" link,
// resolved against the page's own URL, or "" when there is none.
func olderLink(tb testing.TB, pageURL, page string) string {
	tb.Helper()
	m := olderRE.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		tb.Fatalf("page URL %q: %v", pageURL, err)
	}
	ref, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		tb.Fatalf("got Older messages href %q, want a URL: %v", m[1], err)
	}
	return base.ResolveReference(ref).RequestURI()
}

// seed saves texts straight into the store.
func seed(tb testing.TB, st board.Store, texts ...string) {
	tb.Helper()
	for _, text := range texts {
		if _, err := st.Save(tb.Context(), board.NewID(time.Now()), text); err != nil {
			tb.Fatalf("seeding %q: %v", text, err)
		}
	}
}

// numbered returns "prefix 0" … "prefix n-1".
func numbered(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s %d", prefix, i))
	}
	return out
}

// oneLine checks a text answer is one line of text.
func oneLine(tb testing.TB, rec *httptest.ResponseRecorder) string {
	tb.Helper()
	wantContentType(tb, rec, "text/plain")
	body := rec.Body.String()
	line, rest, ok := strings.Cut(body, "\n")
	if !ok || rest != "" || strings.TrimSpace(line) == "" {
		tb.Errorf("got body %q, want one line of text", body)
	}
	return line
}

// TestBoardRoundTrip is the book's board used from curl, a browser and a
// JSON client: post, read, clear.
func TestBoardRoundTrip(t *testing.T) {
	st := memstore.New()
	h := newBoard(t, web.BoardConfig{Store: st})

	if got := messagesIn(getHTML(t, h, "/board")); len(got) != 0 {
		t.Fatalf("empty board shows %q, want no messages", got)
	}

	rec := postForm(t, h, "message=hello")
	wantStatus(t, rec, http.StatusSeeOther)
	oneLine(t, rec)
	if saved := getJSON(t, h, "/board").Messages; len(saved) != 1 || rec.Header().Get("Location") != "board#m-"+saved[0].ID {
		t.Errorf("got Location %q, want board#m- and the id of the one saved message (%+v)", rec.Header().Get("Location"), saved)
	}
	if got, want := messagesIn(getHTML(t, h, "/board")), []string{"hello"}; !slices.Equal(got, want) {
		t.Errorf("board page shows %q, want %q", got, want)
	}
	page := getJSON(t, h, "/board")
	if len(page.Messages) != 1 || page.Messages[0].Text != "hello" {
		t.Errorf("JSON board lists %+v, want one message hello", page.Messages)
	}
	if page.Older != nil {
		t.Errorf("JSON board has older %q, want none on the only page", *page.Older)
	}

	rec = postJSON(t, h, `{"message":"hi"}`)
	wantStatus(t, rec, http.StatusCreated)
	wantContentType(t, rec, jsonType)
	var m messageJSON
	decodeStrict(t, rec.Body.Bytes(), &m)
	checkMessageJSON(t, m)
	if m.Text != "hi" {
		t.Errorf("201 answered text %q, want hi", m.Text)
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("message", "from a multipart\r\nform")
	mw.Close()
	rec = do(t, h, "POST", "/board", body.String(), "Content-Type", mw.FormDataContentType())
	wantStatus(t, rec, http.StatusSeeOther)
	if got, want := messagesIn(getHTML(t, h, "/board")), []string{"hello", "hi", "from a multipart\nform"}; !slices.Equal(got, want) {
		t.Errorf("board page shows %q, want %q", got, want)
	}
	if got := getJSON(t, h, "/board").Messages; len(got) != 3 || got[1].ID != m.ID || got[2].Text != "from a multipart\nform" {
		t.Errorf("JSON board lists %+v, want hello, hi (id %s), and the multipart message", got, m.ID)
	}

	rec = postForm(t, h, "clear=")
	wantStatus(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != "board" {
		t.Errorf("clear: got Location %q, want board", got)
	}
	oneLine(t, rec)
	wantLen(t, st, 0)
	if got := messagesIn(getHTML(t, h, "/board")); len(got) != 0 {
		t.Errorf("cleared board shows %q, want no messages", got)
	}
	if got := getJSON(t, h, "/board").Messages; len(got) != 0 {
		t.Errorf("cleared JSON board lists %+v, want []", got)
	}

	seed(t, st, "again")
	rec = postJSON(t, h, `{"clear": true}`)
	wantStatus(t, rec, http.StatusNoContent)
	if rec.Body.Len() != 0 {
		t.Errorf("204 has body %q, want none", rec.Body)
	}
	wantLen(t, st, 0)
}

// TestBoardAcceptsLongMultiByteMessages checks the limit counts
// characters, not bytes, after CRLF becomes LF.
func TestBoardAcceptsLongMultiByteMessages(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"1000 é", strings.Repeat("é", 1000), strings.Repeat("é", 1000)},
		{"1000 emoji", strings.Repeat("🙂", 1000), strings.Repeat("🙂", 1000)},
		{"999 and a CRLF", strings.Repeat("a", 499) + "\r\n" + strings.Repeat("b", 499), strings.Repeat("a", 499) + "\n" + strings.Repeat("b", 499)},
		{"html as text", `<script>alert(1)</script>`, `<script>alert(1)</script>`},
	}
	for _, tt := range tests {
		for _, client := range []string{"form", "json"} {
			t.Run(tt.name+"/"+client, func(t *testing.T) {
				st := memstore.New()
				h := newBoard(t, web.BoardConfig{Store: st})
				var rec *httptest.ResponseRecorder
				if client == "form" {
					rec = postForm(t, h, url.Values{"message": {tt.text}}.Encode())
					wantStatus(t, rec, http.StatusSeeOther)
				} else {
					body, _ := json.Marshal(map[string]string{"message": tt.text})
					rec = postJSON(t, h, string(body))
					wantStatus(t, rec, http.StatusCreated)
				}
				wantLen(t, st, 1)
				if got := getJSON(t, h, "/board").Messages; len(got) != 1 || got[0].Text != tt.want {
					t.Errorf("got stored %+v, want one message %q", got, tt.want)
				}
				if got := messagesIn(getHTML(t, h, "/board")); len(got) != 1 || got[0] != tt.want {
					t.Errorf("page shows %q, want [%q]", got, tt.want)
				}
			})
		}
	}
}

// TestBoardAcceptsTheLongestMessageInEveryEncoding posts a message of
// exactly the limit, at the highest limit that may be configured, in its
// costliest spelling in each encoding the board reads: every one is
// stored, none is refused as too large. One character more is a 400 that
// says so, never a 413.
func TestBoardAcceptsTheLongestMessageInEveryEncoding(t *testing.T) {
	const max = board.MaxMessageChars
	emoji := strings.Repeat("🙂", max) // 4 bytes each in UTF-8
	crlf := strings.Repeat("\r\n", max-1) + "x"
	multipartBody := func(text string) (string, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("id", board.NewID(time.Now()))
		mw.WriteField("message", text)
		mw.Close()
		return mw.FormDataContentType(), b.String()
	}
	// jsonEscaped spells every character of text as \u escapes, a
	// surrogate pair for one outside the BMP.
	jsonEscaped := func(text string) string {
		var b strings.Builder
		b.WriteString(`{"id":"` + board.NewID(time.Now()) + `","message":"`)
		for _, r := range text {
			if r > 0xFFFF {
				hi, lo := utf16.EncodeRune(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		}
		b.WriteString(`"}`)
		return b.String()
	}
	form := func(text string) (string, string) {
		return formType, url.Values{"id": {board.NewID(time.Now())}, "message": {text}}.Encode()
	}
	tests := []struct {
		name string
		body func(text string) (contentType, body string)
	}{
		{"form, percent-encoded", form},
		{"multipart", multipartBody},
		{"JSON, \\u escapes", func(text string) (string, string) { return jsonType, jsonEscaped(text) }},
	}
	for _, tt := range tests {
		for _, text := range []struct{ name, text, want string }{
			{fmt.Sprint(max, " emoji"), emoji, emoji},
			{fmt.Sprint(max-1, " CRLF line breaks and a letter"), crlf, strings.ReplaceAll(crlf, "\r\n", "\n")},
		} {
			t.Run(tt.name+"/"+text.name, func(t *testing.T) {
				st := memstore.New()
				h := newBoard(t, web.BoardConfig{Store: st, MaxChars: max})
				ct, body := tt.body(text.text)
				t.Logf("%d characters, %d bytes of body", utf8.RuneCountInString(text.want), len(body))
				rec := do(t, h, "POST", "/board", body, "Content-Type", ct, "Accept", jsonType)
				wantStatus(t, rec, http.StatusCreated)
				if msgs := getJSON(t, h, "/board").Messages; len(msgs) != 1 || msgs[0].Text != text.want {
					t.Errorf("board holds %d messages, want the one posted", len(msgs))
				}

				ct, body = tt.body(text.text + "🙂")
				rec = do(t, h, "POST", "/board", body, "Content-Type", ct, "Accept", jsonType)
				if msg := wantProblem(t, rec, jsonType, http.StatusBadRequest); !strings.Contains(msg, fmt.Sprint("the limit is ", max)) {
					t.Errorf("one character over: got %q, want a sentence naming the limit", msg)
				}
				wantLen(t, st, 1)
			})
		}
	}
}

// TestBoardEscapesMarkup checks that markup in a message reaches the page
// as text, never as markup.
func TestBoardEscapesMarkup(t *testing.T) {
	for _, text := range []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `</p></li></ol><h1>big</h1>`} {
		t.Run(text, func(t *testing.T) {
			h := newBoard(t, web.BoardConfig{})
			wantStatus(t, postForm(t, h, url.Values{"message": {text}}.Encode()), http.StatusSeeOther)
			page := getHTML(t, h, "/board")
			if strings.Contains(page, text) {
				t.Errorf("page contains %q unescaped, want it escaped", text)
			}
			if want := template.HTMLEscapeString(text); !strings.Contains(page, want) {
				t.Errorf("page lacks %q, want the message shown as text", want)
			}
			if strings.Contains(page, "<script") {
				t.Errorf("page has a <script> element, want none")
			}
		})
	}
}

// internals are fragments of Go error text a client must never see.
var internals = []string{"invalid character", "unexpected EOF", "cannot unmarshal", "json:", "http:", "multipart:", "invalid URL escape", "mime:", "strconv", "goroutine", "runtime", "%!", "<nil>", "error="}

// checkSentence checks msg reads as a sentence written for a person.
func checkSentence(tb testing.TB, msg string) {
	tb.Helper()
	if msg == "" || !strings.ContainsAny(msg[:1], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || !strings.HasSuffix(msg, ".") {
		tb.Errorf("got message %q, want a sentence (capital letter to full stop)", msg)
	}
	for _, bad := range internals {
		if strings.Contains(msg, bad) {
			tb.Errorf("got message %q, want no Go internals such as %q", msg, bad)
		}
	}
}

// wantProblem checks rec is status with a helpful sentence, the same in
// every format: one line of text, {"error": ...} or an HTML page, and
// returns the sentence.
func wantProblem(tb testing.TB, rec *httptest.ResponseRecorder, accept string, status int) string {
	tb.Helper()
	wantStatus(tb, rec, status)
	var msg string
	switch accept {
	case jsonType:
		wantContentType(tb, rec, jsonType)
		var e struct {
			Error string `json:"error"`
		}
		decodeStrict(tb, rec.Body.Bytes(), &e)
		msg = e.Error
	case htmlType:
		wantContentType(tb, rec, htmlType)
		body := rec.Body.String()
		if !strings.HasPrefix(strings.ToLower(body), "<!doctype html>") {
			tb.Errorf("got body starting %.40q, want an HTML page", body)
		}
		m := problemRE.FindStringSubmatch(body)
		if m == nil {
			tb.Fatalf("got HTML page without the problem sentence:\n%s", body)
		}
		checkSentence(tb, html.UnescapeString(m[1]))
		return body
	default:
		msg = oneLine(tb, rec)
	}
	checkSentence(tb, msg)
	return msg
}

// TestBoardRejectsBadInput posts what a user could get wrong and checks
// each gets its 4xx with a sentence saying what to fix, in the client's
// format, and stores nothing.
func TestBoardRejectsBadInput(t *testing.T) {
	var big bytes.Buffer
	mw := multipart.NewWriter(&big)
	mw.WriteField("message", strings.Repeat("a", 65<<10))
	mw.Close()

	tests := []struct {
		name        string
		contentType string // "" sends none
		body        string
		status      int
		say         string // part of the sentence
	}{
		{"empty message", formType, "message=", 400, "empty"},
		{"whitespace only", formType, "message=+%20%0D%0A%09", 400, "empty"},
		{"1001 characters", formType, "message=" + strings.Repeat("a", 1001), 400, "limit is 1000"},
		{"1001 multi-byte characters", formType, url.Values{"message": {strings.Repeat("é", 1001)}}.Encode(), 400, "limit is 1000"},
		{"1001 characters in JSON", jsonType, `{"message":"` + strings.Repeat("a", 1001) + `"}`, 400, "limit is 1000"},
		{"invalid UTF-8, percent-encoded", formType, "message=caf%FF", 400, "UTF-8"},
		{"invalid UTF-8, raw in JSON", jsonType, "{\"message\":\"caf\xff\"}", 400, "UTF-8"},
		{"lone high surrogate in JSON", jsonType, `{"message":"caf\ud800"}`, 400, "surrogate"},
		{"lone low surrogate in JSON", jsonType, `{"message":"\udc00x"}`, 400, "surrogate"},
		{"high surrogate then a letter in JSON", jsonType, `{"message":"\uD83Dx\u0041"}`, 400, "surrogate"},
		{"two high surrogates in JSON", jsonType, `{"message":"\ud83d\ud83d"}`, 400, "surrogate"},
		{"lone surrogate in the id", jsonType, `{"message":"hi","id":"\ud800"}`, 400, "surrogate"},
		{"invalid UTF-8 in multipart", "multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\ncaf\xff\r\n--X--\r\n", 400, "UTF-8"},
		{"control character", formType, "message=a%1Bb", 400, "control character"},
		{"malformed percent-encoding", formType, "message=%zz", 400, "percent-encoding"},
		{"65 KiB form", formType, "message=" + strings.Repeat("a", 65<<10), 413, "at most 19 KiB"},
		{"65 KiB JSON", jsonType, `{"message":"` + strings.Repeat("a", 65<<10) + `"}`, 413, "at most 19 KiB"},
		{"65 KiB multipart", mw.FormDataContentType(), big.String(), 413, "at most 19 KiB"},
		{"zero-width spaces only", formType, "message=%E2%80%8B%E2%80%8B", 400, "invisible"},
		{"BOM and word joiner only, in JSON", jsonType, `{"message":"\ufeff\u2060"}`, 400, "invisible"},
		{"soft hyphen and spaces only", formType, url.Values{"message": {" \u00ad \r\n"}}.Encode(), 400, "invisible"},
		{"message and clear", formType, "message=hello&clear=", 400, "one or the other"},
		{"clear and message", formType, "clear=&message=hello", 400, "one or the other"},
		{"message and clear in JSON", jsonType, `{"message":"hello","clear":true}`, 400, "one or the other"},
		{"message and clear in multipart", "multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhello\r\n--X\r\nContent-Disposition: form-data; name=\"clear\"\r\n\r\n\r\n--X--\r\n", 400, "one or the other"},
		{"text/xml", "text/xml", "<message>hello</message>", 415, "application/x-www-form-urlencoded"},
		{"text/plain", "text/plain", "hello", 415, "application/json"},
		{"no Content-Type", "", "message=hello", 415, "Content-Type"},
		{"unreadable Content-Type", "form;;==", "message=hello", 415, "Content-Type"},
		{"charset latin-1", formType + "; charset=iso-8859-1", "message=caf%E9", 415, "UTF-8"},
		{"malformed JSON", jsonType, `{"message": "hello"`, 400, "JSON"},
		{"JSON message is a number", jsonType, `{"message": 5}`, 400, "JSON"},
		{"JSON array", jsonType, `["hello"]`, 400, "JSON"},
		{"malformed multipart", "multipart/form-data; boundary=X", "no parts here", 400, "multipart"},
		{"neither message nor clear", formType, "msg=hello", 400, "message="},
		{"empty form", formType, "", 400, "message="},
		{"JSON with neither", jsonType, `{"clear": false}`, 400, "message"},
	}
	for _, tt := range tests {
		for _, accept := range []string{"", jsonType, htmlType} {
			t.Run(tt.name+"/accept "+accept, func(t *testing.T) {
				st := memstore.New()
				seed(t, st, "already here")
				h := newBoard(t, web.BoardConfig{Store: st})

				headers := []string{}
				if tt.contentType != "" {
					headers = append(headers, "Content-Type", tt.contentType)
				}
				if accept != "" {
					headers = append(headers, "Accept", accept)
				}
				rec := do(t, h, "POST", "/board", tt.body, headers...)
				got := wantProblem(t, rec, accept, tt.status)
				say := tt.say
				if accept == htmlType {
					say = template.HTMLEscapeString(say)
				}
				if !strings.Contains(got, say) {
					t.Errorf("got %q, want a sentence mentioning %q", got, tt.say)
				}
				wantLen(t, st, 1)
			})
		}
	}
}

// TestBoardSameFormIDStoresOnce submits a rendered form twice, as a double
// click or a retry does.
func TestBoardSameFormIDStoresOnce(t *testing.T) {
	tests := []struct {
		name   string
		post   func(tb testing.TB, h http.Handler, id string) *httptest.ResponseRecorder
		status int
	}{
		{"form", func(tb testing.TB, h http.Handler, id string) *httptest.ResponseRecorder {
			return postForm(tb, h, url.Values{"id": {id}, "message": {"only once"}}.Encode())
		}, http.StatusSeeOther},
		{"form with browser headers", func(tb testing.TB, h http.Handler, id string) *httptest.ResponseRecorder {
			return postForm(tb, h, url.Values{"id": {id}, "message": {"only once"}}.Encode(),
				"Accept", "text/html", "Origin", "http://example.com", "Sec-Fetch-Site", "same-origin")
		}, http.StatusSeeOther},
		{"json", func(tb testing.TB, h http.Handler, id string) *httptest.ResponseRecorder {
			body, _ := json.Marshal(map[string]string{"id": id, "message": "only once"})
			return postJSON(tb, h, string(body))
		}, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memstore.New()
			h := newBoard(t, web.BoardConfig{Store: st})
			id := formID(t, getHTML(t, h, "/board"))

			first := tt.post(t, h, id)
			wantStatus(t, first, tt.status)
			second := tt.post(t, h, id)
			wantStatus(t, second, tt.status)
			if first.Body.String() != second.Body.String() || first.Header().Get("Location") != second.Header().Get("Location") {
				t.Errorf("got second answer %q (Location %q), want the first %q (Location %q)",
					second.Body, second.Header().Get("Location"), first.Body, first.Header().Get("Location"))
			}
			wantLen(t, st, 1)
			if got := messagesIn(getHTML(t, h, "/board")); !slices.Equal(got, []string{"only once"}) {
				t.Errorf("board shows %q, want [only once]", got)
			}
		})
	}
}

// TestBoardFormSentAgainIsNotLost sends one rendered form the ways a
// person can send it again: after pressing Back and correcting the text,
// and after the board was cleared. Neither may be answered "Saved" and
// then be missing from the board.
func TestBoardFormSentAgainIsNotLost(t *testing.T) {
	for _, client := range []string{"form", "json"} {
		t.Run(client, func(t *testing.T) {
			h := newBoard(t, web.BoardConfig{})
			post := func(id, text string) *httptest.ResponseRecorder {
				t.Helper()
				if client == "form" {
					rec := postForm(t, h, url.Values{"id": {id}, "message": {text}}.Encode())
					wantStatus(t, rec, http.StatusSeeOther)
					return rec
				}
				body, _ := json.Marshal(map[string]string{"id": id, "message": text})
				rec := postJSON(t, h, string(body))
				wantStatus(t, rec, http.StatusCreated)
				return rec
			}
			id := formID(t, getHTML(t, h, "/board"))
			post(id, "helo")
			post(id, "hello") // Back, correct the typo, Save
			post(id, "hello") // and a double click
			if got, want := messagesIn(getHTML(t, h, "/board")), []string{"helo", "hello"}; !slices.Equal(got, want) {
				t.Errorf("board after the corrected form = %q, want %q", got, want)
			}
			wantStatus(t, postForm(t, h, "clear="), http.StatusSeeOther)
			post(id, "hello") // Back past the clear, Save
			if got, want := messagesIn(getHTML(t, h, "/board")), []string{"hello"}; !slices.Equal(got, want) {
				t.Errorf("board after the form was sent again past a clear = %q, want %q", got, want)
			}
		})
	}
}

// TestBoardFormIDsAreFresh checks every rendered form gets its own id.
func TestBoardFormIDsAreFresh(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	h := newBoard(t, web.BoardConfig{Now: func() time.Time { return now }})
	a, b := formID(t, getHTML(t, h, "/board")), formID(t, getHTML(t, h, "/board"))
	if a == b {
		t.Errorf("two pages got the same form id %q, want distinct ids", a)
	}
	if !board.UsableID(a, now) {
		t.Errorf("page's form id %q is not usable now, want a fresh one", a)
	}
}

// TestBoardReplacesUnusableID posts the same unusable id twice: each post
// gets a fresh id, so both messages are stored.
func TestBoardReplacesUnusableID(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	fresh := board.NewID(now)
	tests := []struct {
		name string
		id   string
	}{
		{"malformed", "not-an-id"},
		{"lower case", strings.ToLower(fresh)},
		{"markup", `"><b>`},
		{"older than a day", board.NewID(now.Add(-25 * time.Hour))},
		{"from the future", board.NewID(now.Add(time.Hour))},
		{"none (curl)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memstore.New()
			h := newBoard(t, web.BoardConfig{Store: st, Now: func() time.Time { return now }})
			form := url.Values{"message": {"posted twice"}}
			if tt.id != "" {
				form.Set("id", tt.id)
			}
			for range 2 {
				wantStatus(t, postForm(t, h, form.Encode()), http.StatusSeeOther)
			}
			wantLen(t, st, 2)
			msgs := getJSON(t, h, "/board").Messages
			for _, m := range msgs {
				if m.ID == tt.id || !board.UsableID(m.ID, now) {
					t.Errorf("got stored id %q, want a fresh one in place of %q", m.ID, tt.id)
				}
			}
			if len(msgs) == 2 && msgs[0].ID == msgs[1].ID {
				t.Errorf("both messages stored under %q, want distinct ids", msgs[0].ID)
			}
		})
	}
}

// TestBoardCrossOrigin checks browsers on other sites cannot post or
// clear, while curl and the board's own page can.
func TestBoardCrossOrigin(t *testing.T) {
	tests := []struct {
		name    string
		form    string
		headers []string
		status  int
		wantLen int // messages stored afterwards; one is seeded
	}{
		{"evil origin, cross-site", "message=pwned", []string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, 1},
		{"cross-site only", "message=pwned", []string{"Sec-Fetch-Site", "cross-site"}, 403, 1},
		{"evil origin only (older browser)", "message=pwned", []string{"Origin", "http://evil.example"}, 403, 1},
		{"same-site subdomain", "message=pwned", []string{"Origin", "http://sub.example.com", "Sec-Fetch-Site", "same-site"}, 403, 1},
		{"evil clear", "clear=", []string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, 1},
		{"curl: neither header", "message=hello", nil, 303, 2},
		{"same-origin", "message=hello", []string{"Origin", "http://example.com", "Sec-Fetch-Site", "same-origin"}, 303, 2},
		{"same-origin, no Origin", "message=hello", []string{"Sec-Fetch-Site", "same-origin"}, 303, 2},
		{"own origin, no Sec-Fetch-Site", "message=hello", []string{"Origin", "http://example.com"}, 303, 2},
		{"typed in the address bar", "message=hello", []string{"Sec-Fetch-Site", "none"}, 303, 2},
		{"curl clear", "clear=", nil, 303, 0},
	}
	for _, tt := range tests {
		for _, accept := range []string{"", jsonType, htmlType} {
			t.Run(tt.name+"/accept "+accept, func(t *testing.T) {
				st := memstore.New()
				seed(t, st, "already here")
				h := newBoard(t, web.BoardConfig{Store: st})
				headers := tt.headers
				if accept != "" {
					headers = append(slices.Clone(headers), "Accept", accept)
				}
				rec := postForm(t, h, tt.form, headers...)
				status := tt.status
				if accept == jsonType && status == http.StatusSeeOther {
					status = http.StatusCreated
					if tt.form == "clear=" {
						status = http.StatusNoContent
					}
				}
				if status == http.StatusForbidden {
					wantProblem(t, rec, accept, status)
				} else {
					wantStatus(t, rec, status)
				}
				wantLen(t, st, tt.wantLen)
			})
		}
	}
}

// TestBoardClearToken checks that a configured clear token guards
// clearing, and only clearing.
func TestBoardClearToken(t *testing.T) {
	tests := []struct {
		name    string
		json    bool
		body    string
		headers []string
		status  int
	}{
		{"form, no token", false, "clear=", nil, 403},
		{"form, empty token", false, "clear=&token=", nil, 403},
		{"form, wrong token", false, "clear=&token=wrong", nil, 403},
		{"form, token prefix", false, "clear=&token=s3cre", nil, 403},
		{"form, token with more", false, "clear=&token=s3cret2", nil, 403},
		{"form, wrong bearer", false, "clear=", []string{"Authorization", "Bearer wrong"}, 403},
		{"form, token as basic auth", false, "clear=", []string{"Authorization", "Basic s3cret"}, 403},
		{"json, no token", true, `{"clear": true}`, nil, 403},
		{"json, wrong token", true, `{"clear": true, "token": "wrong"}`, nil, 403},
		{"json, wrong bearer", true, `{"clear": true}`, []string{"Authorization", "Bearer wrong"}, 403},
		{"form token", false, "clear=&token=s3cret", nil, 303},
		{"form, bearer", false, "clear=", []string{"Authorization", "Bearer s3cret"}, 303},
		{"json token", true, `{"clear": true, "token": "s3cret"}`, nil, 204},
		{"json, bearer", true, `{"clear": true}`, []string{"Authorization", "Bearer s3cret"}, 204},
		{"form, bearer in lower case", false, "clear=", []string{"Authorization", "bearer s3cret"}, 303},
		{"json, bearer in capitals", true, `{"clear": true}`, []string{"Authorization", "BEARER s3cret"}, 204},
		{"form, bearer with no space", false, "clear=", []string{"Authorization", "Bearers3cret"}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memstore.New()
			seed(t, st, numbered("m", 0, 3)...)
			h := newBoard(t, web.BoardConfig{Store: st, ClearToken: "s3cret"})
			var rec *httptest.ResponseRecorder
			accept := ""
			if tt.json {
				rec, accept = postJSON(t, h, tt.body, tt.headers...), jsonType
			} else {
				rec = postForm(t, h, tt.body, tt.headers...)
			}
			if tt.status == http.StatusForbidden {
				if msg := wantProblem(t, rec, accept, tt.status); !strings.Contains(msg, "token") {
					t.Errorf("got %q, want a sentence saying the clear token is needed", msg)
				}
				if strings.Contains(rec.Body.String(), "s3cret") {
					t.Errorf("got %q, want an answer that does not reveal the token", rec.Body)
				}
				wantLen(t, st, 3)
				return
			}
			wantStatus(t, rec, tt.status)
			wantLen(t, st, 0)
		})
	}

	t.Run("posting needs no token", func(t *testing.T) {
		st := memstore.New()
		h := newBoard(t, web.BoardConfig{Store: st, ClearToken: "s3cret"})
		wantStatus(t, postForm(t, h, "message=hello"), http.StatusSeeOther)
		wantLen(t, st, 1)
	})
}

// TestBoardClearTokenRefusalSaysWhatToFix checks that a refused clear
// says whether the token was wrong or missing, in the terms of the client:
// the form's field to a browser, which cannot send headers; JSON fields
// to a JSON client; form fields or a header to curl.
func TestBoardClearTokenRefusalSaysWhatToFix(t *testing.T) {
	h := newBoard(t, web.BoardConfig{Store: memstore.New(), ClearToken: "s3cret"})
	tests := []struct {
		name     string
		rec      *httptest.ResponseRecorder
		accept   string
		want     []string
		dontWant []string
	}{
		{"browser, wrong token", postForm(t, h, "clear=&token=wrong", "Accept", htmlType), htmlType,
			[]string{"token you typed is not this board", "token field of the Clear form", "Clear Messages"}, []string{"Authorization", "Bearer", "needs"}},
		{"browser, no token", postForm(t, h, "clear=", "Accept", htmlType), htmlType,
			[]string{"needs its clear token", "token field of the Clear form"}, []string{"Authorization", "Bearer", "not this board"}},
		{"json, wrong token", postJSON(t, h, `{"clear": true, "token": "wrong"}`), jsonType,
			[]string{"not this board", `"token"`}, []string{"token="}},
		{"json, no token", postJSON(t, h, `{"clear": true}`), jsonType,
			[]string{"needs its clear token", `"token"`}, []string{"token="}},
		{"curl, wrong bearer", postForm(t, h, "clear=", "Authorization", "Bearer wrong"), "",
			[]string{"not this board", "token=", "Authorization: Bearer"}, nil},
		{"curl, no token", postForm(t, h, "clear="), "",
			[]string{"needs its clear token", "token=", "Authorization: Bearer"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := wantProblem(t, tt.rec, tt.accept, http.StatusForbidden)
			if tt.accept == htmlType {
				msg = html.UnescapeString(problemRE.FindStringSubmatch(msg)[1])
			}
			for _, want := range tt.want {
				if !strings.Contains(msg, want) {
					t.Errorf("got %q, want it to say %q", msg, want)
				}
			}
			for _, bad := range tt.dontWant {
				if strings.Contains(msg, bad) {
					t.Errorf("got %q, want nothing about %q", msg, bad)
				}
			}
		})
	}
}

// TestBoardClearFormAsksForToken checks the Clear form has a password
// field exactly when a token is configured.
func TestBoardClearFormAsksForToken(t *testing.T) {
	for _, token := range []string{"", "s3cret"} {
		t.Run("token "+token, func(t *testing.T) {
			page := getHTML(t, newBoard(t, web.BoardConfig{ClearToken: token}), "/board")
			var fields []map[string]string
			for _, in := range inputsIn(page) {
				if in["name"] == "token" {
					fields = append(fields, in)
				}
			}
			switch {
			case token == "" && len(fields) != 0:
				t.Errorf("got token fields %v, want none when no token is configured", fields)
			case token != "" && (len(fields) != 1 || fields[0]["type"] != "password"):
				t.Errorf("got token fields %v, want one password field", fields)
			}
			if strings.Contains(page, "s3cret") {
				t.Errorf("page reveals the clear token")
			}
		})
	}
}

// TestBoardPages fills the board with 120 messages and reads it as a
// browser and as a JSON client would.
func TestBoardPages(t *testing.T) {
	st := memstore.New()
	all := numbered("m", 0, 120)
	seed(t, st, all...)
	h := newBoard(t, web.BoardConfig{Store: st})

	first := getHTML(t, h, "/board")
	if got, want := messagesIn(first), all[70:]; !slices.Equal(got, want) {
		t.Errorf("first page shows %q, want %q (newest 50, oldest at the top)", got, want)
	}

	t.Run("html", func(t *testing.T) {
		var seen [][]string
		target := "/board"
		for range 10 {
			page := getHTML(t, h, target)
			seen = append(seen, messagesIn(page))
			if target != "/board" && !strings.Contains(page, `href="board"`) {
				t.Errorf("older page %s has no link back to the newest messages, want one to board", target)
			}
			next := olderLink(t, "http://example.com"+target, page)
			if next == "" {
				break
			}
			target = next
		}
		checkPages(t, seen, all)
	})

	t.Run("json", func(t *testing.T) {
		var seen [][]string
		target := "/board"
		for range 10 {
			page := getJSON(t, h, target)
			var texts []string
			for _, m := range page.Messages {
				texts = append(texts, m.Text)
			}
			seen = append(seen, texts)
			if page.Older == nil {
				break
			}
			if *page.Older == "" {
				t.Fatalf("got older \"\", want it absent on the last page")
			}
			target = "/board?before=" + url.QueryEscape(*page.Older)
		}
		checkPages(t, seen, all)
	})

	for _, before := range []string{"x", "123-01A", "00000000000000000001-%3Cb%3E", "-1", "00000000000000000001-"} {
		for _, accept := range []string{"", jsonType, htmlType} {
			t.Run("damaged before="+before+"/accept "+accept, func(t *testing.T) {
				headers := []string{}
				if accept != "" {
					headers = append(headers, "Accept", accept)
				}
				rec := do(t, h, "GET", "/board?before="+before, "", headers...)
				if msg := wantProblem(t, rec, accept, http.StatusBadRequest); !strings.Contains(msg, "older messages") {
					t.Errorf("got %q, want a sentence about the link to older messages", msg)
				}
			})
		}
	}
}

// checkPages checks that pages, newest first, each read oldest at the top
// and together show every one of all exactly once.
func checkPages(tb testing.TB, pages [][]string, all []string) {
	tb.Helper()
	var got []string
	for i, p := range slices.Backward(pages) {
		if len(p) > 50 {
			tb.Errorf("page %d shows %d messages, want at most 50", i, len(p))
		}
		got = append(got, p...)
	}
	if !slices.Equal(got, all) {
		tb.Errorf("pages, oldest first, show %q, want %q", got, all)
	}
	if len(pages) != 3 {
		tb.Errorf("got %d pages, want 3 (50, 50, 20)", len(pages))
	}
}

// storeFailure is the error the failing store returns; no part of it may
// reach a client.
const storeFailure = "operation error DynamoDB: Query, dial tcp 10.9.8.7:8000: connect: connection refused"

// failingStore is a board.Store whose every call fails with err.
type failingStore struct{ err error }

func (s failingStore) Save(context.Context, string, string) (board.Message, error) {
	return board.Message{}, s.err
}
func (s failingStore) Page(context.Context, string, int) (board.Page, error) {
	return board.Page{}, s.err
}
func (s failingStore) Clear(context.Context) error { return s.err }

// blockingStore is a board.Store whose calls hang, ignoring their context,
// until the test ends. It records the deadline each call was given.
type blockingStore struct {
	release   chan struct{}
	mu        sync.Mutex
	deadlines []time.Time
}

func newBlockingStore(tb testing.TB) *blockingStore {
	s := &blockingStore{release: make(chan struct{})}
	tb.Cleanup(func() { close(s.release) })
	return s
}

func (s *blockingStore) block(ctx context.Context) {
	d, ok := ctx.Deadline()
	if !ok {
		d = time.Time{}
	}
	s.mu.Lock()
	s.deadlines = append(s.deadlines, d)
	s.mu.Unlock()
	<-s.release
}

func (s *blockingStore) Save(ctx context.Context, _, _ string) (board.Message, error) {
	s.block(ctx)
	return board.Message{}, nil
}
func (s *blockingStore) Page(ctx context.Context, _ string, _ int) (board.Page, error) {
	s.block(ctx)
	return board.Page{}, nil
}
func (s *blockingStore) Clear(ctx context.Context) error {
	s.block(ctx)
	return nil
}

// storeCalls are requests that each make one store call.
var storeCalls = []struct {
	name, method, contentType, accept, body string
}{
	{"get page", "GET", "", htmlType, ""},
	{"get json", "GET", "", jsonType, ""},
	{"get text", "GET", "", "", ""},
	{"post form", "POST", formType, "", "message=hello"},
	{"post form from browser", "POST", formType, htmlType, "message=hello"},
	{"post json", "POST", jsonType, jsonType, `{"message":"hello"}`},
	{"clear form", "POST", formType, "", "clear="},
	{"clear json", "POST", jsonType, jsonType, `{"clear":true}`},
}

func storeCallRequest(tb testing.TB, method, contentType, accept, body string) *http.Request {
	tb.Helper()
	var headers []string
	if contentType != "" {
		headers = append(headers, "Content-Type", contentType)
	}
	if accept != "" {
		headers = append(headers, "Accept", accept)
	}
	return newRequest(tb, method, "/board", body, headers...)
}

// want503 checks rec is the answer to a store failure: 503, Retry-After,
// a sentence in the client's format, nothing of the store's error.
func want503(tb testing.TB, rec *httptest.ResponseRecorder, accept string) {
	tb.Helper()
	wantProblem(tb, rec, accept, http.StatusServiceUnavailable)
	if got := rec.Header().Get("Retry-After"); got != "1" {
		tb.Errorf("got Retry-After %q, want 1", got)
	}
	body := rec.Body.String()
	for _, leak := range []string{"DynamoDB", "dial tcp", "10.9.8.7", "connection refused", "context deadline exceeded", "storage unavailable", "internal error"} {
		if strings.Contains(body, leak) {
			tb.Errorf("got body %q, want it without %q", body, leak)
		}
	}
}

// logLine returns the first log line at level (JSON, as slog writes it)
// whose message is msg, or "" when there is none.
func logLine(logs, level, msg string) string {
	for line := range strings.Lines(logs) {
		var rec struct{ Level, Msg string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Level == level && rec.Msg == msg {
			return line
		}
	}
	return ""
}

// TestBoardStoreFails checks each kind of store failure gets its answer:
// unavailable storage 503 with Retry-After and a warning in the log;
// broken storage, or an error of no known kind, 500 with a page saying the
// operator must look at the logs, and the cause logged at ERROR. No answer
// shows the store's error.
func TestBoardStoreFails(t *testing.T) {
	errs := []struct {
		name   string
		err    error
		status int
		say    string // part of the sentence shown
		level  string // of the log line
	}{
		{"unavailable", board.Unavailable(errors.New(storeFailure)), 503, "try again", "WARN"},
		{"deadline", fmt.Errorf("%s: %w", storeFailure, context.DeadlineExceeded), 503, "try again", "WARN"},
		{"broken", board.Broken(errors.New(storeFailure)), 500, "misconfigured", "ERROR"},
		{"no known kind", errors.New(storeFailure), 500, "logs", "ERROR"},
	}
	for _, e := range errs {
		for _, c := range storeCalls {
			t.Run(e.name+"/"+c.name, func(t *testing.T) {
				var logs bytes.Buffer
				h := newBoard(t, web.BoardConfig{
					Store:  failingStore{err: e.err},
					Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
				})
				rec := serve(t, h, storeCallRequest(t, c.method, c.contentType, c.accept, c.body))
				if e.status == http.StatusServiceUnavailable {
					want503(t, rec, c.accept)
				} else {
					want500(t, rec, c.accept)
				}
				if body := rec.Body.String(); !strings.Contains(body, e.say) {
					t.Errorf("got body %q, want a sentence saying %q", body, e.say)
				}
				line := logLine(logs.String(), e.level, "request failed")
				if !strings.Contains(line, "connection refused") {
					t.Errorf("got logs %q, want a %s line with the store's error for the operator", logs.String(), e.level)
				}
				if e.level == "WARN" && logLine(logs.String(), "ERROR", "request failed") != "" {
					t.Errorf("got logs %q, want no ERROR for storage that may come back", logs.String())
				}
			})
		}
	}
}

// want500 checks rec is the answer to broken storage: 500, no
// Retry-After, a sentence in the client's format that sends the operator
// to the logs, nothing of the store's error.
func want500(tb testing.TB, rec *httptest.ResponseRecorder, accept string) {
	tb.Helper()
	wantProblem(tb, rec, accept, http.StatusInternalServerError)
	if got := rec.Header().Get("Retry-After"); got != "" {
		tb.Errorf("got Retry-After %q, want none: trying again does not help", got)
	}
	body := rec.Body.String()
	if !strings.Contains(body, "logs") {
		tb.Errorf("got body %q, want it to send the operator to the logs", body)
	}
	for _, leak := range []string{"DynamoDB", "dial tcp", "10.9.8.7", "connection refused", "storage broken", "internal error"} {
		if strings.Contains(body, leak) {
			tb.Errorf("got body %q, want it without %q", body, leak)
		}
	}
}

// serveWithin serves r in the background and fails if h has not answered
// after limit: a hang is the failure this guards against.
func serveWithin(tb testing.TB, h http.Handler, r *http.Request, limit time.Duration) *httptest.ResponseRecorder {
	tb.Helper()
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(rec, r)
	}()
	select {
	case <-done:
		return rec
	case <-time.After(limit):
		tb.Fatalf("got no answer after %v, want a 503 once the store's deadline passes", limit)
		return nil
	}
}

// TestBoardStoreBlocks checks a store that hangs, ignoring its context, is
// answered 503 once StoreTimeout passes.
func TestBoardStoreBlocks(t *testing.T) {
	for _, c := range storeCalls {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newBoard(t, web.BoardConfig{Store: newBlockingStore(t), StoreTimeout: 200 * time.Millisecond})
			rec := serveWithin(t, h, storeCallRequest(t, c.method, c.contentType, c.accept, c.body), time.Minute)
			want503(t, rec, c.accept)
		})
	}
}

// TestBoardRespectsRequestDeadline checks a request whose own deadline
// (Lambda's) comes before StoreTimeout is answered 503 before that
// deadline, with the store told to stop before it.
func TestBoardRespectsRequestDeadline(t *testing.T) {
	for _, left := range []time.Duration{2 * time.Second, 100 * time.Millisecond} {
		for _, c := range storeCalls {
			t.Run(fmt.Sprintf("%v left/%s", left, c.name), func(t *testing.T) {
				t.Parallel()
				st := newBlockingStore(t)
				h := newBoard(t, web.BoardConfig{Store: st, StoreTimeout: time.Hour})
				ctx, cancel := context.WithTimeout(t.Context(), left)
				defer cancel()
				deadline, _ := ctx.Deadline()
				r := storeCallRequest(t, c.method, c.contentType, c.accept, c.body).WithContext(ctx)

				rec := serveWithin(t, h, r, time.Minute)
				if ctx.Err() != nil {
					t.Errorf("answered after the request's deadline, want an answer before it")
				}
				want503(t, rec, c.accept)
				st.mu.Lock()
				defer st.mu.Unlock()
				for _, d := range st.deadlines {
					if d.IsZero() || !d.Before(deadline) {
						t.Errorf("store call got deadline %v, want one before the request's %v", d, deadline)
					}
				}
			})
		}
	}
}

// TestBoardSecurityHeaders checks every kind of answer carries the
// security headers.
func TestBoardSecurityHeaders(t *testing.T) {
	tests := []struct {
		name   string
		store  board.Store
		req    func(tb testing.TB) *http.Request
		status int
	}{
		{"page", nil, func(tb testing.TB) *http.Request { return newRequest(tb, "GET", "/board", "", "Accept", htmlType) }, 200},
		{"json page", nil, func(tb testing.TB) *http.Request { return newRequest(tb, "GET", "/board", "", "Accept", jsonType) }, 200},
		{"head", nil, func(tb testing.TB) *http.Request { return newRequest(tb, "HEAD", "/board", "") }, 200},
		{"saved", nil, func(tb testing.TB) *http.Request {
			return newRequest(tb, "POST", "/board", "message=hi", "Content-Type", formType)
		}, 303},
		{"created", nil, func(tb testing.TB) *http.Request {
			return newRequest(tb, "POST", "/board", `{"message":"hi"}`, "Content-Type", jsonType, "Accept", jsonType)
		}, 201},
		{"cleared", nil, func(tb testing.TB) *http.Request {
			return newRequest(tb, "POST", "/board", `{"clear":true}`, "Content-Type", jsonType, "Accept", jsonType)
		}, 204},
		{"bad input", nil, func(tb testing.TB) *http.Request {
			return newRequest(tb, "POST", "/board", "message=", "Content-Type", formType, "Accept", htmlType)
		}, 400},
		{"cross-site", nil, func(tb testing.TB) *http.Request {
			return newRequest(tb, "POST", "/board", "message=hi", "Content-Type", formType, "Sec-Fetch-Site", "cross-site")
		}, 403},
		{"too large", nil, func(tb testing.TB) *http.Request {
			return newRequest(tb, "POST", "/board", "message="+strings.Repeat("a", 65<<10), "Content-Type", formType)
		}, 413},
		{"unsupported type", nil, func(tb testing.TB) *http.Request {
			return newRequest(tb, "POST", "/board", "<m/>", "Content-Type", "text/xml")
		}, 415},
		{"not found", nil, func(tb testing.TB) *http.Request {
			return newRequest(tb, "GET", "/nope/deeper", "", "Accept", htmlType)
		}, 404},
		{"method not allowed", nil, func(tb testing.TB) *http.Request { return newRequest(tb, "PUT", "/board", "message=hi") }, 405},
		{"store down", failingStore{err: board.Unavailable(errors.New(storeFailure))}, func(tb testing.TB) *http.Request {
			return newRequest(tb, "GET", "/board", "", "Accept", htmlType)
		}, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newBoard(t, web.BoardConfig{Store: tt.store})
			rec := serve(t, h, tt.req(t))
			wantStatus(t, rec, tt.status)
			csp := rec.Header().Get("Content-Security-Policy")
			for _, want := range []string{"frame-ancestors 'none'", "form-action 'self'", "default-src"} {
				if !strings.Contains(csp, want) {
					t.Errorf("got Content-Security-Policy %q, want it to have %s", csp, want)
				}
			}
			for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*"} {
				if strings.Contains(csp, bad) {
					t.Errorf("got Content-Security-Policy %q, want it without %s", csp, bad)
				}
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("got X-Content-Type-Options %q, want nosniff", got)
			}
			if got := rec.Header().Get("Referrer-Policy"); got == "" || got == "unsafe-url" || got == "no-referrer-when-downgrade" {
				t.Errorf("got Referrer-Policy %q, want one that keeps board URLs on this site", got)
			}
		})
	}
}

// TestBoardMethodNotAllowed checks other methods are told what /board
// accepts.
func TestBoardMethodNotAllowed(t *testing.T) {
	for _, method := range []string{"PUT", "DELETE", "PATCH"} {
		t.Run(method, func(t *testing.T) {
			st := memstore.New()
			seed(t, st, "still here")
			rec := do(t, newBoard(t, web.BoardConfig{Store: st}), method, "/board", "message=hi", "Content-Type", formType)
			wantStatus(t, rec, http.StatusMethodNotAllowed)
			allow := strings.Split(strings.ReplaceAll(rec.Header().Get("Allow"), " ", ""), ",")
			for _, want := range []string{"GET", "HEAD", "POST"} {
				if !slices.Contains(allow, want) {
					t.Errorf("got Allow %q, want it to list %s", rec.Header().Get("Allow"), want)
				}
			}
			wantLen(t, st, 1)
		})
	}
}

// TestBoardNotFound checks unknown paths get a 404 page whose links lead
// back relative to the path, so they work under a stage prefix too.
func TestBoardNotFound(t *testing.T) {
	tests := []struct {
		path, home string
	}{
		{"/nope", "./"},
		{"/nope/deeper", "../"},
		{"/a/b/c", "../../"},
		{"/board/", "../"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := do(t, newBoard(t, web.BoardConfig{}), "GET", tt.path, "", "Accept", htmlType)
			page := wantProblem(t, rec, htmlType, http.StatusNotFound)
			var links []string
			for _, m := range hrefRE.FindAllStringSubmatch(page, -1) {
				links = append(links, html.UnescapeString(m[1]))
			}
			if !slices.Contains(links, tt.home) {
				t.Errorf("got links %q, want a home link %q", links, tt.home)
			}
			if !slices.Contains(links, tt.home+"board") {
				t.Errorf("got links %q, want a board link %q", links, tt.home+"board")
			}
			for _, l := range links {
				if strings.HasPrefix(l, "/") || strings.Contains(l, "://") {
					t.Errorf("got link %q, want only relative links", l)
				}
			}
		})
	}
	t.Run("curl", func(t *testing.T) {
		rec := do(t, newBoard(t, web.BoardConfig{}), "GET", "/nope", "")
		wantProblem(t, rec, "", http.StatusNotFound)
	})
}

// TestBoardHead checks HEAD answers like GET, without a body.
func TestBoardHead(t *testing.T) {
	st := memstore.New()
	seed(t, st, "hello")
	srv := httptest.NewServer(newBoard(t, web.BoardConfig{Store: st}))
	defer srv.Close()
	send := func(tb testing.TB, method, path, accept string) (*http.Response, int) {
		tb.Helper()
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			tb.Fatal(err)
		}
		req.Header.Set("Accept", accept)
		resp, err := srv.Client().Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		n, _ := io.Copy(io.Discard, resp.Body)
		return resp, int(n)
	}
	for _, accept := range []string{"", htmlType, jsonType} {
		t.Run("accept "+accept, func(t *testing.T) {
			get, getLen := send(t, "GET", "/board", accept)
			head, headLen := send(t, "HEAD", "/board", accept)
			if head.StatusCode != http.StatusOK {
				t.Errorf("got HEAD status %d, want 200", head.StatusCode)
			}
			if headLen != 0 || getLen == 0 {
				t.Errorf("got HEAD body of %d bytes (GET %d), want none", headLen, getLen)
			}
			if got, want := head.Header.Get("Content-Type"), get.Header.Get("Content-Type"); got != want {
				t.Errorf("got HEAD Content-Type %q, want GET's %q", got, want)
			}
		})
	}
	t.Run("not found", func(t *testing.T) {
		head, n := send(t, "HEAD", "/nope/deeper", htmlType)
		if head.StatusCode != http.StatusNotFound || n != 0 {
			t.Errorf("got HEAD /nope/deeper %d with %d body bytes, want 404 with none", head.StatusCode, n)
		}
	})
}

// TestLogRequests checks one JSON line per request, with what an operator
// needs and nothing a user typed.
func TestLogRequests(t *testing.T) {
	var logs bytes.Buffer
	st := memstore.New()
	h := web.LogRequests(slog.New(slog.NewJSONHandler(&logs, nil)), func(*http.Request) []slog.Attr {
		return []slog.Attr{slog.String("request_id", "req-1")}
	})(newBoard(t, web.BoardConfig{Store: st, ClearToken: "tok-s3cret"}))

	const secretText = "my-private-message-text"
	requests := []struct {
		req    *http.Request
		path   string
		status int
	}{
		{newRequest(t, "GET", "/board", ""), "/board", 200},
		{newRequest(t, "POST", "/board", "message="+secretText, "Content-Type", formType), "/board", 303},
		{newRequest(t, "POST", "/board", `{"message":"`+secretText+`"}`, "Content-Type", jsonType, "Accept", jsonType), "/board", 201},
		{newRequest(t, "POST", "/board", "clear=&token=tok-s3cret", "Content-Type", formType), "/board", 303},
		{newRequest(t, "POST", "/board", "clear=", "Content-Type", formType, "Authorization", "Bearer tok-s3cret"), "/board", 303},
		{newRequest(t, "POST", "/board", "clear=&token=wrong-tok", "Content-Type", formType), "/board", 403},
		{newRequest(t, "GET", "/board?before=x&q="+secretText, ""), "/board", 400},
		{newRequest(t, "GET", "/nope", ""), "/nope", 404},
		{newRequest(t, "HEAD", "/board", ""), "/board", 200},
	}
	for _, r := range requests {
		serve(t, h, r.req)
	}

	out := logs.String()
	for _, secret := range []string{secretText, "tok-s3cret", "wrong-tok"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q, want no message text or tokens:\n%s", secret, out)
		}
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(requests) {
		t.Fatalf("got %d log lines, want %d, one per request:\n%s", len(lines), len(requests), out)
	}
	for i, line := range lines {
		var entry struct {
			Method    string   `json:"method"`
			Path      string   `json:"path"`
			Status    int      `json:"status"`
			Duration  *float64 `json:"duration_ms"`
			RequestID string   `json:"request_id"`
		}
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Errorf("log line %d %q: got %v, want a JSON object", i, line, err)
			continue
		}
		want := requests[i]
		if entry.Method != want.req.Method || entry.Path != want.path || entry.Status != want.status {
			t.Errorf("log line %d: got %s %s %d, want %s %s %d", i, entry.Method, entry.Path, entry.Status, want.req.Method, want.path, want.status)
		}
		if entry.Duration == nil {
			t.Errorf("log line %d %q: got no duration_ms, want one", i, line)
		}
		if entry.RequestID != "req-1" {
			t.Errorf("log line %d: got request_id %q, want req-1 from attrs", i, entry.RequestID)
		}
	}
}

// TestPrintRequests checks -v prints each request as the book's socket
// server did, with credentials hidden.
func TestPrintRequests(t *testing.T) {
	var out bytes.Buffer
	h := web.PrintRequests(&out)(newBoard(t, web.BoardConfig{}))
	r := newRequest(t, "POST", "/board?x=1", "message=hi",
		"Content-Type", formType, "User-Agent", "curl/8.5.0",
		"Authorization", "Bearer s3cret", "Cookie", "session=s3cret-cookie")
	wantStatus(t, serve(t, h, r), http.StatusSeeOther)

	got := out.String()
	for _, want := range []string{"POST /board?x=1 HTTP/1.1\n", "Host: example.com\n", "User-Agent: curl/8.5.0\n", "Content-Type: " + formType + "\n", "Authorization: [hidden]\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("got printed request %q, want it to contain %q", got, want)
		}
	}
	for _, secret := range []string{"s3cret", "s3cret-cookie"} {
		if strings.Contains(got, secret) {
			t.Errorf("got printed request %q, want %q hidden", got, secret)
		}
	}
}

// TestBoardJSONEscapesKeepTheirText: \u escapes that are characters,
// surrogate pairs among them, and text that only looks like an escape
// are stored as the client wrote them (lone surrogates are refused in
// TestBoardRejectsBadInput).
func TestBoardJSONEscapesKeepTheirText(t *testing.T) {
	h := newBoard(t, web.BoardConfig{})
	for body, want := range map[string]string{
		`{"message":"smile \ud83d\ude42"}`:           "smile 🙂",
		`{"message":"\uD83D\uDE42\u00e9"}`:           "🙂é",
		`{"message":"a backslash: \\ud800"}`:         `a backslash: \ud800`,
		`{"message":"quote \" then \\\ud83d\ude42"}`: `quote " then \🙂`,
	} {
		rec := postJSON(t, h, body)
		wantStatus(t, rec, http.StatusCreated)
		var m messageJSON
		decodeStrict(t, rec.Body.Bytes(), &m)
		if m.Text != want {
			t.Errorf("posted %s: stored %q, want %q", body, m.Text, want)
		}
	}
}
