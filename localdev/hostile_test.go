package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// These tests send localdev what no well-behaved client sends, as raw
// bytes over TCP, so nothing between the test and the server tidies the
// request up: each case names the answer it must get (a status, or the
// connection closed without one), and the board must hold exactly what it
// held before, unless the case is a legitimate post.

// closedConn stands for "the server closed the connection without
// answering" where a case expects a status.
const closedConn = 0

// hostileToken is the CLEAR_TOKEN of the localdev the hostile cases run
// against, so a clear without it is one of them.
const hostileToken = "hostile-clear-token"

// hostileCase is one raw request and what it must get.
type hostileCase struct {
	name string
	raw  string
	// closeWrite shuts the sending side after raw, as a client that has
	// nothing more to send; otherwise the server sees an open connection.
	closeWrite bool
	want       int // the status, or closedConn
	// next, when set, is the status of a second answer on the same
	// connection, to bytes sent after the first request.
	next   int
	stored int // messages a legitimate post adds; 0 for the rest
	// check, when set, looks further at the answer.
	check func(tb testing.TB, res *http.Response, body string)
}

// request returns an HTTP/1.1 request: line, a Host header, the header
// lines given, and body, framed by a Content-Length unless a header
// already frames it.
func request(line string, headers []string, body string) string {
	var b strings.Builder
	b.WriteString(line + "\r\nHost: 127.0.0.1\r\n")
	framed := false
	for _, h := range headers {
		lower := strings.ToLower(h)
		framed = framed || strings.HasPrefix(lower, "content-length:") || strings.HasPrefix(lower, "transfer-encoding:")
		b.WriteString(h + "\r\n")
	}
	if body != "" && !framed {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n" + body)
	return b.String()
}

// postBoard returns a POST /board with the given Content-Type and body.
func postBoard(contentType, body string, headers ...string) string {
	return request("POST /board HTTP/1.1", append([]string{"Content-Type: " + contentType}, headers...), body)
}

// chunked returns body in chunks of at most size bytes, with the last
// chunk.
func chunked(body string, size int) string {
	var b strings.Builder
	for len(body) > 0 {
		n := min(size, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

// multipartBody returns a multipart/form-data body with the fields given
// as name, value pairs, and its Content-Type.
func multipartBody(fields ...string) (contentType, body string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		w.WriteField(fields[i], fields[i+1])
	}
	w.Close()
	return w.FormDataContentType(), b.String()
}

// gzipBomb returns a small gzip stream that inflates to size zero bytes.
func gzipBomb(size int) string {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	chunk := make([]byte, 1<<20)
	for size > 0 {
		n := min(size, len(chunk))
		zw.Write(chunk[:n])
		size -= n
	}
	zw.Close()
	return b.String()
}

// noText fails tb when body holds any of the texts.
func noText(texts ...string) func(testing.TB, *http.Response, string) {
	return func(tb testing.TB, _ *http.Response, body string) {
		tb.Helper()
		for _, text := range texts {
			if strings.Contains(body, text) {
				tb.Errorf("got an answer holding %q, want none:\n%.500s", text, body)
			}
		}
	}
}

// location fails tb unless the answer redirects to want.
func location(want string) func(testing.TB, *http.Response, string) {
	return func(tb testing.TB, res *http.Response, _ string) {
		tb.Helper()
		if got := res.Header.Get("Location"); got != want {
			tb.Errorf("got Location %q, want %q", got, want)
		}
	}
}

// closes fails tb unless the answer says the server closes the
// connection after it, as it must after a 413 rather than read on.
func closes(tb testing.TB, res *http.Response, _ string) {
	tb.Helper()
	if !res.Close {
		tb.Errorf("got Connection %q, want close", res.Header.Get("Connection"))
	}
}

// allows fails tb unless the answer's Allow header is want.
func allows(want string) func(testing.TB, *http.Response, string) {
	return func(tb testing.TB, res *http.Response, _ string) {
		tb.Helper()
		if got := res.Header.Get("Allow"); got != want {
			tb.Errorf("got Allow %q, want %q", got, want)
		}
	}
}

// hostileCases are the requests of TestHostileInput, by group.
func hostileCases() []hostileCase {
	const form = "application/x-www-form-urlencoded"
	get := func(target string, headers ...string) string {
		return request("GET "+target+" HTTP/1.1", headers, "")
	}
	big := strings.Repeat("a", 65<<10)
	mpType, mpHuge := multipartBody("message", strings.Repeat("b", 100<<10))
	// More parts than mime/multipart reads (1000).
	mpMany := strings.Repeat("--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n", 1100) + "--B--\r\n"
	_, mpNoBoundary := multipartBody("message", "no boundary")
	bomb := gzipBomb(64 << 20)
	smuggled := "0\r\n\r\n" + postBoard(form, "message=smuggled")

	return []hostileCase{
		// Headers.
		{name: "header over 16 KiB", raw: get("/board", "X-Big: "+strings.Repeat("a", 20<<10)), want: 431},
		{name: "Cookie over 16 KiB", raw: get("/board", "Cookie: session="+strings.Repeat("c", 20<<10)), want: 431},
		{name: "3000 small headers", raw: get("/board", strings.TrimSuffix(strings.Repeat("X-N: v\r\n", 3000), "\r\n")), want: 431},
		{name: "NUL in a header value", raw: get("/board", "X-A: a\x00b"), want: 400},
		{name: "bare CR in a header value", raw: get("/board", "X-A: a\rSet-Cookie: x=1"), want: 400},
		{name: "space in a header name", raw: get("/board", "X Bad: 1"), want: 400},
		{name: "header line without a colon", raw: get("/board", "NoColonHere"), want: 400},
		// RFC 9112 §5.2 lets a server join a folded line with a space,
		// as Go does, instead of refusing it.
		{name: "folded header line", raw: get("/board", "X-A: a", " folded"), want: 200},
		{name: "two different Content-Lengths", raw: postBoard(form, "message=hi", "Content-Length: 10", "Content-Length: 11"), want: 400},
		{name: "negative Content-Length", raw: postBoard(form, "message=hi", "Content-Length: -1"), want: 400},
		{name: "Content-Length not a number", raw: postBoard(form, "message=hi", "Content-Length: ten"), want: 400},
		{name: "Content-Length with a sign", raw: postBoard(form, "message=hi", "Content-Length: +10"), want: 400},
		{name: "Content-Length past 64 bits", raw: postBoard(form, "message=hi", "Content-Length: 99999999999999999999"), want: 400},
		// With both, Transfer-Encoding frames the body (RFC 9112 §6.3):
		// read by its Content-Length this body would be "14\r\n", a 400.
		// The server answers, then closes the connection (§6.1).
		{name: "Transfer-Encoding with Content-Length", raw: postBoard(form, chunked("message=framed-by-te", 64),
			"Content-Length: 4", "Transfer-Encoding: chunked"), want: 303, stored: 1, check: closes},
		// The classic smuggling body: a proxy that framed it by its
		// Content-Length would pass the bytes after the last chunk on as
		// part of this request. The server frames it by its chunks,
		// answers this request (an empty form, 400), and closes the
		// connection, so the bytes after it are never read as a request
		// (TestSmuggledRequestIsNotServed looks closer).
		{name: "request smuggled after the last chunk", raw: postBoard(form, smuggled,
			"Content-Length: "+strconv.Itoa(len(smuggled)), "Transfer-Encoding: chunked"), want: 400, check: closes},
		{name: "unknown Transfer-Encoding", raw: postBoard(form, "message=hi", "Transfer-Encoding: gzip, chunked"), want: 501},
		{name: "two Transfer-Encoding headers", raw: postBoard(form, chunked("message=hi", 4), "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"), want: 501},
		{name: "two Host headers", raw: get("/board", "Host: evil.example"), want: 400},
		{name: "Host with a space", raw: "GET /board HTTP/1.1\r\nHost: a b\r\n\r\n", want: 400},
		{name: "HTTP/1.1 without Host", raw: "GET /board HTTP/1.1\r\n\r\n", want: 400},
		{name: "HTTP/1.0 without Host, GET", raw: "GET /board HTTP/1.0\r\n\r\n", want: 200},
		{name: "HTTP/1.0 without Host, a legitimate post", raw: "POST /board HTTP/1.0\r\nContent-Type: " + form + "\r\nContent-Length: 16\r\n\r\nmessage=HTTP/1.0",
			want: 303, stored: 1},
		{name: "unknown Expect", raw: postBoard(form, "message=hi", "Expect: 200-ok"), want: 417},

		// Bodies.
		{name: "65 KiB form body", raw: postBoard(form, "message="+big), want: 413, check: closes},
		{name: "65 KiB chunked body", raw: postBoard(form, chunked("message="+big, 4096), "Transfer-Encoding: chunked"), want: 413, check: closes},
		{name: "65 KiB JSON body", raw: postBoard("application/json", `{"message":"`+big+`"}`), want: 413, check: closes},
		{name: "Content-Length of a GiB, 65 KiB sent", raw: postBoard(form, "message="+big, "Content-Length: 1073741824"), want: 413, check: closes},
		{name: "body shorter than its Content-Length", raw: postBoard(form, "message=cut", "Content-Length: 100"), closeWrite: true, want: 400},
		{name: "chunked body cut short", raw: postBoard(form, "10\r\nmessage=cut", "Transfer-Encoding: chunked"), closeWrite: true, want: 400},
		{name: "invalid UTF-8 in a form", raw: postBoard(form, "message=caf\xff"), want: 400},
		{name: "NUL bytes in a form", raw: postBoard(form, "message=a\x00b"), want: 400},
		{name: "NUL bytes in JSON", raw: postBoard("application/json", "{\"message\":\"a\x00b\"}"), want: 400},
		{name: "escaped NUL in JSON", raw: postBoard("application/json", `{"message":"a\u0000b"}`), want: 400},
		// Past encoding/json's 10000 levels, within the body limit.
		{name: "JSON nested 12000 deep", raw: postBoard("application/json", strings.Repeat("[", 12000)), want: 400},
		{name: "JSON with a duplicate key, a legitimate post", raw: postBoard("application/json", `{"message":"first","message":"second"}`),
			want: 303, stored: 1},
		{name: "JSON with trailing data", raw: postBoard("application/json", `{"message":"a"}{"message":"b"}`), want: 400},
		// Past net/url's 10000 fields, within the body limit.
		{name: "form with 10001 fields", raw: postBoard(form, "message=hi"+strings.Repeat("&a", 10000)), want: 400},
		{name: "multipart without a boundary", raw: postBoard("multipart/form-data", mpNoBoundary), want: 400},
		{name: "multipart with a 100 KiB part", raw: postBoard(mpType, mpHuge), want: 413, check: closes},
		{name: "multipart with 1100 parts", raw: postBoard("multipart/form-data; boundary=B", mpMany), want: 400},

		// Paths.
		{name: "dot-dot path", raw: get("/../../etc/passwd"), want: 307, check: location("/etc/passwd")},
		{name: "the path dot-dot leads to", raw: get("/etc/passwd"), want: 404, check: noText("root:")},
		{name: "encoded dot-dot path", raw: get("/%2e%2e/%2e%2e/etc/passwd"), want: 404, check: noText("root:")},
		{name: "encoded slashes", raw: get("/..%2f..%2fetc%2fpasswd"), want: 404, check: noText("root:")},
		{name: "backslashes", raw: get(`/..\..\windows\win.ini`), want: 404},
		{name: "double slash to another host", raw: get("//evil.example/board"), want: 307, check: location("/evil.example/board")},
		{name: "encoded NUL in the path", raw: get("/index.html%00.png"), want: 404},
		{name: "raw NUL in the path", raw: get("/index.html\x00"), want: 400},
		{name: "overlong UTF-8 dot-dot", raw: get("/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd"), want: 404},
		{name: "8 KiB path", raw: get("/" + strings.Repeat("a", 8<<10)), want: 404},
		{name: "20 KiB path", raw: get("/" + strings.Repeat("a", 20<<10)), want: 431},
		{name: "asterisk target", raw: get("*"), want: 400},
		{name: "absolute-form target to another host", raw: get("http://evil.example/board"), want: 421, check: noText("evil.example")},
		{name: "NUL in the cursor", raw: get("/board?before=%00"), want: 400},

		// Methods.
		{name: "PUT", raw: request("PUT /board HTTP/1.1", []string{"Content-Type: " + form}, "message=put"), want: 405, check: allows("GET, HEAD, POST")},
		{name: "DELETE", raw: request("DELETE /board HTTP/1.1", nil, ""), want: 405, check: allows("GET, HEAD, POST")},
		{name: "PATCH", raw: request("PATCH /board HTTP/1.1", []string{"Content-Type: " + form}, "message=patch"), want: 405},
		{name: "OPTIONS", raw: request("OPTIONS /board HTTP/1.1", nil, ""), want: 405},
		{name: "TRACE", raw: request("TRACE /board HTTP/1.1", []string{"X-Echo: traced"}, ""), want: 405, check: noText("traced")},
		{name: "CONNECT", raw: request("CONNECT evil.example:443 HTTP/1.1", nil, ""), want: 421},
		{name: "lowercase post", raw: request("post /board HTTP/1.1", []string{"Content-Type: " + form}, "message=lowercase"), want: 405},
		{name: "garbage method", raw: request("G{T /board HTTP/1.1", nil, ""), want: 400},
		{name: "PUT on a page", raw: request("PUT /index.html HTTP/1.1", nil, ""), want: 405},

		// Encodings.
		{name: "gzip bomb", raw: postBoard(form, bomb, "Content-Encoding: gzip"), want: 415},
		{name: "gzip claimed, plain body", raw: postBoard(form, "message=not-gzip", "Content-Encoding: gzip"), want: 415},
		{name: "charset=utf-16", raw: postBoard(form+"; charset=utf-16", "m\x00e\x00s\x00"), want: 415},
		{name: "charset=iso-8859-1", raw: postBoard(form+"; charset=iso-8859-1", "message=caf\xe9"), want: 415},
		{name: "no Content-Type", raw: request("POST /board HTTP/1.1", nil, "message=hi"), want: 415},
		{name: "XML body", raw: postBoard("text/xml", "<message>hi</message>"), want: 415},

		// Cross-origin posts and clearing.
		{name: "post from another origin", raw: postBoard(form, "message=csrf", "Origin: http://evil.example"), want: 403},
		{name: "post from another site", raw: postBoard(form, "message=csrf", "Sec-Fetch-Site: cross-site"), want: 403},
		{name: "post from a sibling site", raw: postBoard(form, "message=csrf", "Sec-Fetch-Site: same-site"), want: 403},
		{name: "post from an opaque origin", raw: postBoard(form, "message=csrf", "Origin: null"), want: 403},
		{name: "clear from another origin", raw: postBoard(form, "clear=&token="+hostileToken, "Origin: http://evil.example"), want: 403},
		{name: "clear without the token", raw: postBoard(form, "clear="), want: 403},
		{name: "clear with a wrong token", raw: postBoard(form, "clear=&token=guess"), want: 403},
		{name: "clear with a wrong bearer token", raw: postBoard(form, "clear=", "Authorization: Bearer guess"), want: 403},
		{name: "clear as JSON with a wrong token", raw: postBoard("application/json", `{"clear":true,"token":"guess"}`), want: 403},
		{name: "clear with the token in the query", raw: request("POST /board?token="+hostileToken+" HTTP/1.1", []string{"Content-Type: " + form}, "clear="), want: 403},

		// Protocols.
		{name: "HTTP/2 preface", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", want: 400},
		{name: "HTTP/3.0", raw: "GET /board HTTP/3.0\r\nHost: 127.0.0.1\r\n\r\n", want: 505},
		{name: "HTTP/0.9", raw: "GET /board\r\n\r\n", want: 400},
		{name: "malformed version", raw: "GET /board HTTP/1.1x\r\nHost: 127.0.0.1\r\n\r\n", want: 400},
		{name: "TLS handshake", raw: "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + strings.Repeat("\x00", 64), closeWrite: true, want: 400},
		{name: "request line, then the end", raw: "GET /board HTTP/1.1\r\n", closeWrite: true, want: 400},
		{name: "connection closed at once", raw: "", closeWrite: true, want: closedConn},
	}
}

// TestHostileInput sends every hostile case to one localdev, in turn, and
// checks its answer and that the board is unchanged after it.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	s := start(t, map[string]string{"CLEAR_TOKEN": hostileToken, "PAGE_SIZE": "500"})
	addr := strings.TrimSuffix(strings.TrimPrefix(s.URL, "http://"), "/")
	for _, text := range []string{"first", "second", "third"} {
		postOK(t, s.URL, text)
	}
	count := len(getJSON(t, s.URL+"board").Messages)

	cases := hostileCases()
	if len(cases) < 40 {
		t.Errorf("got %d hostile cases, want at least 40", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			answers := 1
			if c.next != 0 {
				answers = 2
			}
			res, bodies := exchange(t, addr, func(conn net.Conn) error {
				_, err := io.WriteString(conn, c.raw)
				return err
			}, c.closeWrite, answers)
			got := closedConn
			if len(res) > 0 {
				got = res[0].StatusCode
			}
			if got != c.want {
				t.Errorf("got %s, want %s; body %.300q", outcomeText(got), outcomeText(c.want), bodies)
			} else if c.check != nil {
				c.check(t, res[0], bodies[0])
			}
			if c.next != 0 {
				if len(res) < 2 {
					t.Errorf("got no second answer, want status %d", c.next)
				} else if res[1].StatusCode != c.next {
					t.Errorf("got a second answer with status %d, want %d; body %.300q", res[1].StatusCode, c.next, bodies[1])
				}
			}
			count += c.stored
			if now := len(getJSON(t, s.URL+"board").Messages); now != count {
				t.Errorf("the board holds %d messages after it, want %d", now, count)
				count = now
			}
		})
	}
}

// TestHostileSlowClients holds connections open by sending slowly, one
// byte a second: the server's timeouts must cut each off, and nothing be
// stored. Each case takes as long as the timeout it meets (5 s for the
// headers, 10 s for the body), so they run in parallel, each against a
// localdev of its own.
func TestHostileSlowClients(t *testing.T) {
	t.Parallel()
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name    string
		head    string // sent at once
		trickle string // then sent one byte a second
		want    int
	}{
		{
			name:    "headers one byte a second",
			head:    "GET /board HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
			trickle: strings.Repeat("a", 30) + "\r\n\r\n",
			want:    closedConn, // ReadHeaderTimeout (5 s)
		},
		{
			name:    "body one byte a second",
			head:    postBoard(form, "", "Content-Length: 38"),
			trickle: "message=" + strings.Repeat("a", 30),
			want:    400, // ReadTimeout (10 s) ends the body the board reads
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, nil)
			addr := strings.TrimSuffix(strings.TrimPrefix(s.URL, "http://"), "/")
			var sent atomic.Bool // the whole request went out
			began := time.Now()
			res, bodies := exchange(t, addr, func(conn net.Conn) error {
				if _, err := io.WriteString(conn, tt.head); err != nil {
					return err
				}
				for i := range len(tt.trickle) {
					time.Sleep(time.Second)
					if _, err := io.WriteString(conn, tt.trickle[i:i+1]); err != nil {
						return err
					}
				}
				sent.Store(true)
				return nil
			}, false, 1)
			got := closedConn
			if len(res) > 0 {
				got = res[0].StatusCode
			}
			t.Logf("%s after %v", outcomeText(got), time.Since(began).Round(100*time.Millisecond))
			if got != tt.want {
				t.Errorf("got %s, want %s; body %.300q", outcomeText(got), outcomeText(tt.want), bodies)
			}
			if sent.Load() {
				t.Errorf("the server waited for all %d slow bytes, want it to cut the client off first", len(tt.trickle))
			}
			if n := len(getJSON(t, s.URL+"board").Messages); n != 0 {
				t.Errorf("the board holds %d messages after it, want 0", n)
			}
		})
	}
}

// outcomeText names a status, or closedConn.
func outcomeText(status int) string {
	if status == closedConn {
		return "the connection closed without an answer"
	}
	return fmt.Sprintf("status %d", status)
}

// exchange dials addr, lets send write to the connection while it reads
// up to answers final answers from the server, and returns them and their
// bodies: none when the server closed the connection without a word.
// With closeWrite, the connection's sending side is shut once send
// returns. Errors from send are expected (the server may close first)
// and ignored.
func exchange(tb testing.TB, addr string, send func(net.Conn) error, closeWrite bool, answers int) ([]*http.Response, []string) {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatalf("dial %s: %v", addr, err)
	}
	conn.SetReadDeadline(time.Now().Add(40 * time.Second))
	var wg sync.WaitGroup
	defer wg.Wait()
	defer conn.Close() // runs first, so a send still writing returns
	wg.Go(func() {
		if send(conn) == nil && closeWrite {
			conn.(*net.TCPConn).CloseWrite()
		}
	})

	counted := &countingReader{r: conn}
	br := bufio.NewReader(counted)
	var all []*http.Response
	var bodies []string
	for len(all) < answers {
		used := counted.n.Load() - int64(br.Buffered()) // by earlier answers
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			var netErr net.Error
			switch {
			case errors.As(err, &netErr) && netErr.Timeout():
				tb.Fatalf("no answer and no close within 40s")
			case counted.n.Load() == used:
				return all, bodies // closed without a word
			}
			tb.Fatalf("got bytes that are not an HTTP answer: %v", err)
		}
		body, _ := io.ReadAll(res.Body) // the server may close mid-body
		res.Body.Close()
		if res.StatusCode >= 200 {
			all = append(all, res)
			bodies = append(bodies, string(body))
		}
	}
	return all, bodies
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestSmuggledRequestIsNotServed sends, over one raw TCP connection, a
// POST with both Content-Length and Transfer-Encoding: chunked whose body
// hides a second request after its last chunk, as a request smuggler
// would. The server must answer the first and close the connection: no
// second answer, and the hidden post stores nothing.
func TestSmuggledRequestIsNotServed(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	addr := strings.TrimSuffix(strings.TrimPrefix(s.URL, "http://"), "/")
	const form = "application/x-www-form-urlencoded"
	hidden := "0\r\n\r\n" + postBoard(form, "message=SMUGGLED")
	raw := postBoard(form, hidden, "Content-Length: "+strconv.Itoa(len(hidden)), "Transfer-Encoding: chunked")

	res, bodies := exchange(t, addr, func(conn net.Conn) error {
		_, err := io.WriteString(conn, raw)
		return err
	}, false, 2)
	if len(res) == 0 {
		t.Fatal("got no answer, want one to the first request")
	}
	if !res[0].Close {
		t.Errorf("first answer (%d) has Connection %q, want close", res[0].StatusCode, res[0].Header.Get("Connection"))
	}
	if len(res) > 1 {
		t.Errorf("got a second answer, %d %.200q, on the same connection: the hidden request was served", res[1].StatusCode, bodies[1])
	}
	for _, text := range allTexts(t, s.URL) {
		if strings.Contains(text, "SMUGGLED") {
			t.Errorf("board shows %q, want nothing from the hidden request", text)
		}
	}
}
