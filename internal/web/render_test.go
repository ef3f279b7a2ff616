package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"tinyboard/internal/board"
	"tinyboard/internal/memstore"
)

// The html/template versions of the board page and the error page, as
// they were before the Go renderer (render.go) replaced them; the Go
// renderer must write exactly what these render. They share the static
// pages' layout (templates/layout.html), so a change to the layout that
// render.go's top and bottom do not follow fails these tests too.
const (
	referenceBoard = `{{template "top" (chrome "Tiny Message Board" "./")}}
<h1>Tiny Message Board</h1>

<section class="messages" aria-labelledby="messages-heading">
<h2 id="messages-heading">Messages</h2>
{{if .Older}}<p class="pager"><a rel="prev" href="?before={{.Older}}">↑ Older messages</a></p>{{end}}
{{if .Messages}}
<ol class="board">
{{range .Messages}}<li id="m-{{.ID}}"><p class="text">{{.Text}}</p><time datetime="{{stamp .Posted}}">{{when .Posted}}</time></li>
{{end}}</ol>
{{else}}<p class="empty">{{if .Paged}}No older messages.{{else}}No messages yet. Write the first one below.{{end}}</p>
{{end}}
{{if .Paged}}<p class="pager"><a href="board">↓ Newest messages</a></p>{{end}}
</section>

<section class="compose" aria-labelledby="new-heading">
<h2 id="new-heading">New Message</h2>
<form method="post" action="board">
<input type="hidden" name="id" value="{{.ID}}">
<label for="message" class="hint">Up to {{.MaxChars}} characters. Line breaks are kept.</label>
{{if .Problem}}<p class="problem" id="message-problem" role="alert">{{.Problem}}</p>
{{end}}<textarea id="message" name="message" rows="4" maxlength="{{.MaxChars}}" required{{if .Problem}} aria-describedby="message-problem" autofocus{{end}}>
{{.Draft}}</textarea>
<button id="save" type="submit">Save Message</button>
</form>
</section>

<section class="danger" aria-label="Clear the board">
<form method="post" action="board" class="clear">
{{if .ClearProblem}}<p class="problem" role="alert">{{.ClearProblem}}</p>
{{end}}{{if .NeedToken}}<label>Clear token <input type="password" name="token" autocomplete="current-password" required></label>
{{end}}<button name="clear" value="" type="submit">Clear Messages</button>
</form>
</section>
{{template "bottom"}}
`
	referenceError = `{{template "top" (chrome .Title .Home)}}
<h1>{{.Status}} {{.Title}}</h1>
<p class="problem">{{.Message}}</p>
<p><a href="{{.Board}}">Back to the board</a> · <a href="{{.Home}}">Home</a></p>
{{template "bottom"}}
`
)

// referenceTemplates parses the reference pages with the real layout.
func referenceTemplates(tb testing.TB) *template.Template {
	tb.Helper()
	layout, err := templateFS.ReadFile("templates/layout.html")
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := template.New("").Funcs(template.FuncMap{
		"chrome": func(title, root string) chromeView { return chromeView{Title: title, Root: root} },
		"stamp":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"when":   func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
	})
	template.Must(tmpl.New("layout.html").Parse(string(layout)))
	template.Must(tmpl.New("board.html").Parse(referenceBoard))
	template.Must(tmpl.New("error.html").Parse(referenceError))
	return tmpl
}

// reference renders the named reference template.
func reference(tb testing.TB, tmpl *template.Template, name string, data any) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		tb.Fatalf("reference %s: %v", name, err)
	}
	return buf.String()
}

// rendered returns what the Go renderer writes.
func rendered(write func(*htmlWriter)) string {
	var w htmlWriter
	write(&w)
	return string(w.b)
}

// hostile is text meant to break out of every context the pages put a
// value in.
var hostile = []string{
	"",
	"hello",
	"<script>alert(1)</script>",
	`"onmouseover="alert(1)`,
	`'><img src=x onerror=alert(1)>`,
	"{{.}} {{template \"top\"}} {{/* */}}",
	"</textarea><textarea>",
	"</title><script>x</script>",
	"javascript:alert(1)",
	" JavaScript:alert(1)",
	"JAVASCRIPT:alert(1)",
	"data:text/html,<b>x</b>",
	"vbscript:x",
	"http://example.com/?a=b&c=d+e#f",
	"HTTPS://example.com/",
	"mailto:a@example.com",
	"//evil.example/",
	"/a:b",
	"a/b:c",
	"../",
	"./board",
	"a\x00b\x00",
	"\xff\xfe\xfd",
	"\xc3(",
	"\xed\xa0\x80",
	"\u202eevil\u202c \u2066isolate\u2069 \u200f",
	"\ufffd \ufdd0 \ufdef \ufff0 \uffff \ufeff",
	"line one\nline two\r\nline three\r",
	"tab\there",
	"&amp; &lt; &#34; &#x3c; &",
	"a+b&c=d;e",
	"00000000000000000123-01ARZ3NDEKTSV4RRFFQ69G5FAV+&x=y",
	"%41%4g%zz%%2B%",
	"%",
	"%4",
	"100% sure",
	"[ipv6]:80 @user !$*,;=?#",
	"~tilde_under-score.dot",
	"ünïcödé 日本語 🙂",
	"`backtick` \\backslash\\",
	strings.Repeat("<>&\"'+", 2000),
	strings.Repeat("long text ", 1200),
}

// times are post times a message might carry.
var times = []time.Time{
	time.Date(2026, 11, 24, 10, 3, 12, 500_000_000, time.UTC),
	time.Date(1999, 12, 31, 23, 59, 59, 999_999_999, time.FixedZone("X", -7*3600)),
	{},
	time.Unix(0, 0),
	time.Date(9999, 1, 2, 3, 4, 5, 6, time.FixedZone("Y", 5*3600+1800)),
}

func TestRenderBoardMatchesTemplate(t *testing.T) {
	tmpl := referenceTemplates(t)
	var messages []board.Message
	for i, s := range hostile {
		messages = append(messages, board.Message{ID: s, Text: s, Posted: times[i%len(times)]})
	}
	views := []boardView{
		{MaxChars: 1000, ID: "01JDA0000000000000000000AB"},
		{Paged: true, MaxChars: 1},
		{Messages: messages[:1], NeedToken: true, MaxChars: -5},
		{Messages: messages, Older: "00000000000000000123-01ARZ3NDEKTSV4RRFFQ69G5FAV", Paged: true, NeedToken: true, MaxChars: 10000},
	}
	for _, s := range hostile {
		views = append(views,
			boardView{Messages: messages[:3], Older: s, ID: s, MaxChars: 1000},
			boardView{Messages: []board.Message{{Text: s, ID: s}}, Older: s, Paged: true, ID: s, NeedToken: true, MaxChars: len(s)},
			boardView{Messages: messages[:2], ID: s, MaxChars: 1000, Problem: s, Draft: s, ClearProblem: s},
			boardView{Draft: s, Problem: "Too long."},
		)
	}
	for i, v := range views {
		want := reference(t, tmpl, "board.html", v)
		got := rendered(func(w *htmlWriter) { w.boardPage(v) })
		if got != want {
			t.Errorf("view %d: the Go renderer differs from html/template:\n%s", i, firstDifference(got, want))
		}
	}
}

func TestRenderErrorMatchesTemplate(t *testing.T) {
	tmpl := referenceTemplates(t)
	var views []errorView
	for _, status := range []int{400, 403, 404, 405, 413, 415, 500, 503, 0, 999} {
		root := "./"
		views = append(views, errorView{Status: status, Title: http.StatusText(status), Message: "A sentence.", Home: root, Board: root + "board"})
	}
	for _, s := range hostile {
		views = append(views,
			errorView{Status: 404, Title: s, Message: s, Home: s, Board: s + "board"},
			errorView{Status: -1, Title: "Bad Request", Message: s, Home: "../../", Board: s},
		)
	}
	for i, v := range views {
		want := reference(t, tmpl, "error.html", v)
		got := rendered(func(w *htmlWriter) { w.errorPage(v) })
		if got != want {
			t.Errorf("view %d (%+.80v): the Go renderer differs from html/template:\n%s", i, v, firstDifference(got, want))
		}
	}
}

// TestRefusedPostsMatchTemplate: a browser's refused post comes back as
// the board page, the sentence beside the form and the text as sent in
// the textarea, and that page too is what html/template renders.
func TestRefusedPostsMatchTemplate(t *testing.T) {
	tmpl := referenceTemplates(t)
	st := memstore.New()
	for i, s := range hostile[:8] {
		if _, err := st.Save(t.Context(), board.NewID(time.Now().Add(time.Duration(i))), s+"."); err != nil {
			t.Fatal(err)
		}
	}
	h, err := NewBoard(BoardConfig{Store: st, PageSize: 5, ClearToken: "t&<'>"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.Page(t.Context(), "", 5)
	if err != nil {
		t.Fatal(err)
	}
	id := board.NewID(time.Now())
	bodies := []struct {
		body, draft string
		clear       bool
	}{
		{body: "message=&id=" + id},
		{body: "message=%E2%80%8B%EF%BB%BF&id=" + id, draft: "\u200b\ufeff"},
		{body: "clear=&token=wrong"},
		{body: "clear="},
	}
	for _, s := range hostile {
		if len(s) > board.DefaultMaxChars {
			continue // over the body limit: 413, not a page
		}
		bodies = append(bodies, struct {
			body, draft string
			clear       bool
		}{body: "clear=&id=" + id + "&message=" + urlQueryEscape(s), draft: s})
	}
	for _, b := range bodies {
		r := httptest.NewRequest("POST", "/board", strings.NewReader(b.body))
		r.Header.Set("Accept", "text/html")
		r.Header.Set("Content-Type", formType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		got := rec.Body.String()
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusForbidden {
			t.Errorf("POST %.60q: got status %d, want 400 or 403", b.body, rec.Code)
			continue
		}
		m := formIDPattern.FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("POST %.60q: no form id in the answer %.300q", b.body, got)
		}
		v := boardView{Messages: page.Messages, Older: page.Older, ID: m[1], NeedToken: true, MaxChars: board.DefaultMaxChars}
		if strings.HasPrefix(b.body, "clear=&token") || b.body == "clear=" {
			v.ClearProblem = problemOf(t, got)
		} else {
			// Invalid UTF-8 comes back as U+FFFD, as a browser shows it.
			v.Problem, v.Draft = problemOf(t, got), strings.ToValidUTF8(b.draft, "\uFFFD")
			if v.ID != id {
				t.Errorf("POST %.60q: the page came back with form id %q, want the post's own %q", b.body, v.ID, id)
			}
		}
		if want := reference(t, tmpl, "board.html", v); got != want {
			t.Errorf("POST %.60q: the refused post's page differs from html/template:\n%s", b.body, firstDifference(got, want))
		}
	}
}

// formIDPattern finds the board form's one-time id in a page.
var formIDPattern = regexp.MustCompile(`name="id" value="([^"]*)"`)

// TestServedPagesMatchTemplate renders through the board handler itself:
// a page of stored hostile messages, error pages in HTML for every kind
// of failure, and the 404 page for hostile paths, each compared with
// what html/template renders for the same view.
func TestServedPagesMatchTemplate(t *testing.T) {
	tmpl := referenceTemplates(t)
	st := memstore.New()
	now := time.Now()
	for i, s := range hostile {
		if text, err := board.CleanText(s, 10000); err == nil {
			if _, err := st.Save(t.Context(), board.NewID(now.Add(time.Duration(i))), text); err != nil {
				t.Fatal(err)
			}
		}
	}
	h, err := NewBoard(BoardConfig{Store: st, PageSize: 5, ClearToken: "t&<'>"})
	if err != nil {
		t.Fatal(err)
	}
	const accept = "text/html"

	// Every page of the board, newest first, by following Older.
	cursor, pages := "", 0
	for {
		target := "/board"
		if cursor != "" {
			target += "?before=" + urlQueryEscape(cursor)
		}
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: got status %d, want 200", target, rec.Code)
		}
		page, err := st.Page(t.Context(), cursor, 5)
		if err != nil {
			t.Fatal(err)
		}
		m := formIDPattern.FindStringSubmatch(rec.Body.String())
		if m == nil {
			t.Fatalf("GET %s: no form id in the page", target)
		}
		v := boardView{Messages: page.Messages, Older: page.Older, Paged: cursor != "", ID: m[1], NeedToken: true, MaxChars: board.DefaultMaxChars}
		if want := reference(t, tmpl, "board.html", v); rec.Body.String() != want {
			t.Errorf("GET %s: the served page differs from html/template:\n%s", target, firstDifference(rec.Body.String(), want))
		}
		pages++
		if page.Older == "" {
			break
		}
		cursor = page.Older
	}
	if pages < 3 {
		t.Errorf("followed %d pages, want the hostile corpus to fill at least 3", pages)
	}

	// Error pages: bad input, a refused clear, a cross-site post, a
	// malformed cursor, and 404s under hostile paths.
	type call struct {
		method, target, contentType, body string
		header                            map[string]string
	}
	calls := []call{
		{"POST", "/board", formType, "message=%zz", nil},
		{"POST", "/board", "text/csv", "a,b", nil},
		{"POST", "/board", formType, "message=hi", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}},
		{"POST", "/board", formType, "message=" + strings.Repeat("x", MaxBodyBytes), nil},
		{"GET", "/board?before=%3Cscript%3E", "", "", nil},
		{"GET", "/missing", "", "", nil},
		{"GET", "/a/b/c/%3Cscript%3E'%22", "", "", nil},
		{"GET", "/javascript:alert(1)/x", "", "", nil},
		{"GET", "/%00/%ff/%E2%80%AE", "", "", nil},
	}
	for _, c := range calls {
		r := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
		r.Header.Set("Accept", accept)
		if c.contentType != "" {
			r.Header.Set("Content-Type", c.contentType)
		}
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code < 400 {
			t.Errorf("%s %s: got status %d, want an error", c.method, c.target, rec.Code)
			continue
		}
		status, msg := rec.Code, problemOf(t, rec.Body.String())
		root := rootOf(r.URL.Path)
		v := errorView{Status: status, Title: http.StatusText(status), Message: msg, Home: root, Board: root + "board"}
		if want := reference(t, tmpl, "error.html", v); rec.Body.String() != want {
			t.Errorf("%s %s: the served error page differs from html/template:\n%s", c.method, c.target, firstDifference(rec.Body.String(), want))
		}
	}
}

const formType = "application/x-www-form-urlencoded"

// problemOf returns the sentence an error page shows, unescaped: the
// handler's own, which the reference must then escape the same way.
func problemOf(tb testing.TB, page string) string {
	tb.Helper()
	_, rest, ok := strings.Cut(page, `<p class="problem"`)
	_, rest, _ = strings.Cut(rest, ">")
	msg, _, ok2 := strings.Cut(rest, "</p>")
	if !ok || !ok2 {
		tb.Fatalf("no problem paragraph in %.300q", page)
	}
	return strings.NewReplacer("&#34;", `"`, "&amp;", "&", "&#39;", "'", "&#43;", "+", "&lt;", "<", "&gt;", ">").Replace(msg)
}

// urlQueryEscape escapes a cursor for a query, as a browser following
// the Older link would send it.
func urlQueryEscape(s string) string {
	var w htmlWriter
	w.query(s)
	return string(w.b)
}

// firstDifference shows where got and want part.
func firstDifference(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-60, 0)
	return fmt.Sprintf("at byte %d:\n got  %q\n want %q", i, clip(got[from:], 160), clip(want[from:], 160))
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// FuzzRenderMatchesTemplate puts arbitrary text in every context of the
// board and error pages and compares with html/template.
func FuzzRenderMatchesTemplate(f *testing.F) {
	for _, s := range hostile[:len(hostile)-2] {
		f.Add(s, s)
	}
	f.Add("a", "javascript:x")
	f.Add("%", "%4")
	tmpl := referenceTemplates(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		bv := boardView{Messages: []board.Message{{ID: a, Text: a}, {Text: b}}, Older: b, ID: a, MaxChars: len(b), Paged: len(a) > len(b), NeedToken: len(a) < len(b), Problem: b, Draft: a, ClearProblem: a}
		if got, want := rendered(func(w *htmlWriter) { w.boardPage(bv) }), reference(t, tmpl, "board.html", bv); got != want {
			t.Errorf("board page for %q, %q differs from html/template:\n%s", a, b, firstDifference(got, want))
		}
		ev := errorView{Status: len(a), Title: a, Message: b, Home: a, Board: b}
		if got, want := rendered(func(w *htmlWriter) { w.errorPage(ev) }), reference(t, tmpl, "error.html", ev); got != want {
			t.Errorf("error page for %q, %q differs from html/template:\n%s", a, b, firstDifference(got, want))
		}
	})
}
