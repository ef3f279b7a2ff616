package web

import (
	"strconv"
	"strings"
	"time"
)

// The board function's pages (the board, the error pages, the 404) are
// written by the Go code below rather than by html/template: the
// template engine finds methods by name through reflection, which stops
// the linker from dropping any exported method of any type in the
// binary, megabytes of the AWS SDK among them, and every one of those
// bytes is paid for at each cold start. The static function's pages,
// which cost nothing per request, stay in html/template (templates.go).
//
// The renderer escapes by construction, with html/template's rules:
// markup is appended only from constants (the markup type), and every
// dynamic value goes through the one method for its context: text for
// element text, RCDATA and quoted attribute values, url for a whole URL
// in an attribute, query for a value in a URL's query. render_test.go
// proves the output byte for byte equal to html/template's on a hostile
// corpus.

// markup is HTML the program itself wrote. Only constants convert to it
// implicitly; a string variable needs a conversion that a reader sees.
type markup string

// htmlWriter appends a page to a byte slice.
type htmlWriter struct{ b []byte }

// raw appends the program's own markup.
func (w *htmlWriter) raw(m markup) { w.b = append(w.b, m...) }

// text appends s as element text, RCDATA (a title) or a quoted attribute
// value: NUL becomes U+FFFD, and the characters that could end the text
// or the value, start markup or an entity, or be read as a space in a URL
// become character references.
func (w *htmlWriter) text(s string) { w.b = appendText(w.b, s) }

// time appends t, in UTC and the given layout, as text.
func (w *htmlWriter) time(t time.Time, layout string) {
	t = t.UTC()
	if b, ok := appendUTC(w.b, t, layout); ok { // digits, letters and punctuation that need no escaping
		w.b = b
		return
	}
	var buf [64]byte
	w.b = appendText(w.b, t.AppendFormat(buf[:0], layout))
}

// appendText appends s to b escaped as text (htmlWriter.text).
func appendText[S string | []byte](b []byte, s S) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		esc := textEscapes[s[i]]
		if esc == "" {
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// textEscapes is what each byte becomes in text, where it must change.
var textEscapes = [256]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// int appends n as element text.
func (w *htmlWriter) int(n int) { w.b = strconv.AppendInt(w.b, int64(n), 10) }

// url appends s as a whole URL in a quoted attribute (href, src). A URL
// whose scheme is not http, https or mailto (javascript:, data:) becomes
// "#ZgotmplZ", which goes nowhere; bytes that are not allowed in a URL
// are percent-encoded, existing %XX escapes kept; then the result is
// escaped for the attribute.
func (w *htmlWriter) url(s string) {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		s = "#ZgotmplZ"
	}
	w.percentEncode(s, true)
}

// query appends s as a value in the query of a URL in a quoted attribute:
// every byte but ASCII letters, digits and -._~ is percent-encoded, which
// leaves nothing the attribute would need escaped.
func (w *htmlWriter) query(s string) { w.percentEncode(s, false) }

// percentEncode appends s with every byte a URL may not hold as it is
// percent-encoded. keepURL keeps the URL's own punctuation (the reserved
// characters) and existing %XX escapes, for a whole URL; without it, s
// is one value inside a URL. Of what remains, & and + are then escaped
// for the attribute the URL is in; nothing else that is left needs it.
func (w *htmlWriter) percentEncode(s string, keepURL bool) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		case keepURL && c == '&':
			w.b = append(w.b, "&amp;"...)
			continue
		case keepURL && c == '+':
			w.b = append(w.b, "&#43;"...)
			continue
		case keepURL && strings.IndexByte("!#$*,/:;=?@[]", c) >= 0:
		case keepURL && c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
		default:
			w.b = append(w.b, '%', hex[c>>4], hex[c&15])
			continue
		}
		w.b = append(w.b, c)
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// top writes the shared top of every page: the document's head, the
// site's header and navigation, up to the start of <main>. root is the
// relative link back to the site's root ("./", "../").
func (w *htmlWriter) top(title, root string) {
	w.raw("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	w.text(title)
	w.raw(" · tinyboard</title>\n<link rel=\"stylesheet\" href=\"")
	w.url(root)
	w.raw("style.css\">\n<link rel=\"icon\" href=\"")
	w.url(root)
	w.raw("favicon.ico\">\n</head>\n<body>\n<header class=\"site\">\n<a class=\"brand\" href=\"")
	w.url(root)
	w.raw("\"><img src=\"")
	w.url(root)
	w.raw("logo.png\" alt=\"\" width=\"28\" height=\"28\">tinyboard</a>\n<nav><a href=\"")
	w.url(root)
	w.raw("\">Home</a> <a href=\"")
	w.url(root)
	w.raw("page.html\">Page</a> <a href=\"")
	w.url(root)
	w.raw("board\">Board</a> <a href=\"")
	w.url(root)
	w.raw("hello\">Hello</a> <a href=\"")
	w.url(root)
	w.raw("request\">Request</a></nav>\n</header>\n<main>\n")
}

// bottom writes the shared end of every page, from the end of <main>.
func (w *htmlWriter) bottom() {
	w.raw("</main>\n<footer class=\"site\">tinyboard — the Tiny Message Board from “Python programs as network servers”, served by Go.</footer>\n</body>\n</html>\n")
}

// boardPage writes the board page for v (the book's make_page).
func (w *htmlWriter) boardPage(v boardView) {
	w.top("Tiny Message Board", "./")
	w.raw("\n<h1>Tiny Message Board</h1>\n\n<section class=\"messages\" aria-labelledby=\"messages-heading\">\n<h2 id=\"messages-heading\">Messages</h2>\n")
	if v.Older != "" {
		w.raw("<p class=\"pager\"><a rel=\"prev\" href=\"?before=")
		w.query(v.Older)
		w.raw("\">↑ Older messages</a></p>")
	}
	w.raw("\n")
	switch {
	case len(v.Messages) > 0:
		w.raw("\n<ol class=\"board\">\n")
		for _, m := range v.Messages {
			w.raw("<li id=\"m-")
			w.text(m.ID)
			w.raw("\"><p class=\"text\">")
			w.text(m.Text)
			w.raw("</p><time datetime=\"")
			w.time(m.Posted, time.RFC3339)
			w.raw("\">")
			w.time(m.Posted, "2 Jan 2006, 15:04 UTC")
			w.raw("</time></li>\n")
		}
		w.raw("</ol>\n")
	case v.Paged:
		w.raw("<p class=\"empty\">No older messages.</p>\n")
	default:
		w.raw("<p class=\"empty\">No messages yet. Write the first one below.</p>\n")
	}
	w.raw("\n")
	if v.Paged {
		w.raw("<p class=\"pager\"><a href=\"board\">↓ Newest messages</a></p>")
	}
	w.raw("\n</section>\n\n<section class=\"compose\" aria-labelledby=\"new-heading\">\n<h2 id=\"new-heading\">New Message</h2>\n<form method=\"post\" action=\"board\">\n<input type=\"hidden\" name=\"id\" value=\"")
	w.text(v.ID)
	w.raw("\">\n<label for=\"message\" class=\"hint\">Up to ")
	w.int(v.MaxChars)
	w.raw(" characters. Line breaks are kept.</label>\n")
	if v.Problem != "" {
		w.raw("<p class=\"problem\" id=\"message-problem\" role=\"alert\">")
		w.text(v.Problem)
		w.raw("</p>\n")
	}
	w.raw("<textarea id=\"message\" name=\"message\" rows=\"4\" maxlength=\"")
	w.int(v.MaxChars)
	w.raw("\" required")
	if v.Problem != "" {
		w.raw(" aria-describedby=\"message-problem\" autofocus")
	}
	// The parser drops one newline right after <textarea>: this one, so
	// that a draft's own leading newline survives.
	w.raw(">\n")
	w.text(v.Draft)
	w.raw("</textarea>\n<button id=\"save\" type=\"submit\">Save Message</button>\n</form>\n</section>\n\n<section class=\"danger\" aria-label=\"Clear the board\">\n<form method=\"post\" action=\"board\" class=\"clear\">\n")
	if v.ClearProblem != "" {
		w.raw("<p class=\"problem\" role=\"alert\">")
		w.text(v.ClearProblem)
		w.raw("</p>\n")
	}
	if v.NeedToken {
		w.raw("<label>Clear token <input type=\"password\" name=\"token\" autocomplete=\"current-password\" required></label>\n")
	}
	w.raw("<button name=\"clear\" value=\"\" type=\"submit\">Clear Messages</button>\n</form>\n</section>\n")
	w.bottom()
	w.raw("\n")
}

// errorPage writes the page that explains a failed request.
func (w *htmlWriter) errorPage(v errorView) {
	w.top(v.Title, v.Home)
	w.raw("\n<h1>")
	w.int(v.Status)
	w.raw(" ")
	w.text(v.Title)
	w.raw("</h1>\n<p class=\"problem\">")
	w.text(v.Message)
	w.raw("</p>\n<p><a href=\"")
	w.url(v.Board)
	w.raw("\">Back to the board</a> · <a href=\"")
	w.url(v.Home)
	w.raw("\">Home</a></p>\n")
	w.bottom()
	w.raw("\n")
}
