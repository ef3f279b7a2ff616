package lambdaproxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"tinyboard/internal/board"
	"tinyboard/internal/lambdaproxy"
	"tinyboard/internal/memstore"
	"tinyboard/internal/web"
)

// now is the fixed time of the boards under test, so that two boards
// given the same requests give the same pages.
var now = time.Date(2026, 3, 10, 5, 16, 23, 0, time.UTC)

func clock() time.Time { return now }

// site is tinyboard twice over: the two Lambda functions, each behind
// lambdaproxy as functions/board and functions/static build them, and
// localdev's single server, each with a board of its own.
type site struct {
	boardFn, staticFn *lambdaproxy.Handler
	localdev          *httptest.Server
}

// newSite builds a site whose boards start empty.
func newSite(tb testing.TB) *site {
	tb.Helper()
	logger := slog.New(slog.DiscardHandler)
	newBoard := func() http.Handler {
		h, err := web.NewBoard(web.BoardConfig{Store: memstore.NewWithClock(clock), Now: clock, Logger: logger})
		if err != nil {
			tb.Fatal(err)
		}
		return h
	}
	newPages := func() http.Handler {
		h, err := web.NewPages(logger)
		if err != nil {
			tb.Fatal(err)
		}
		return h
	}
	logLambda := web.LogRequests(logger, lambdaproxy.LogAttrs)
	s := &site{
		boardFn:  lambdaproxy.New(logLambda(newBoard()), logger),
		staticFn: lambdaproxy.New(logLambda(newPages()), logger),
		localdev: httptest.NewServer(web.LogRequests(logger, nil)(web.NewSite(newBoard(), newPages()))),
	}
	tb.Cleanup(s.localdev.Close)
	return s
}

// lambda sends r, in format's event, to the function the deployed site
// routes it to: /board to the board function, the rest to static.
func (s *site) lambda(tb testing.TB, format string, r request) answer {
	tb.Helper()
	fn := s.staticFn
	if strings.HasPrefix(r.target, "/board") {
		fn = s.boardFn
	}
	return invoke(tb, context.Background(), fn, eventFor(tb, format, r))
}

// local sends r to localdev, as a browser or curl would.
func (s *site) local(tb testing.TB, r request) answer {
	tb.Helper()
	req, err := http.NewRequest(r.method, s.localdev.URL+r.target, strings.NewReader(r.body))
	if err != nil {
		tb.Fatal(err)
	}
	for name, value := range r.header {
		req.Header.Set(name, value)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return answer{status: res.StatusCode, header: res.Header, body: body}
}

// curlExample matches the home page's curl example, up to the address.
var curlExample = regexp.MustCompile(`(<code>curl -d message=hello )[^<]*(</code>)`)

// formID matches the one-time id a board page mints for its form.
var formID = regexp.MustCompile(`name="id" value="[0-9A-Z]{26}"`)

// sameAnswer fails tb unless got (from Lambda) and want (from localdev)
// agree in status, in every header the handler set, and in body. Only
// the board form's one-time id may differ: each rendering mints its own.
func sameAnswer(tb testing.TB, got, want answer) {
	tb.Helper()
	if got.status != want.status {
		tb.Errorf("status: got %d, want %d", got.status, want.status)
	}
	gotNames, wantNames := headerNames(got.header), headerNames(want.header)
	if strings.Join(gotNames, " ") != strings.Join(wantNames, " ") {
		tb.Errorf("header names: got %q, want %q", gotNames, wantNames)
	}
	// The home page's curl example names the address the client used, so
	// its body, and with it its ETag, differ between the two by design.
	addressOnly := curlExample.Match(got.body) && !bytes.Equal(got.body, want.body)
	for _, name := range wantNames {
		if name == "Etag" && addressOnly {
			continue
		}
		if g, w := headerValues(got.header, name), headerValues(want.header, name); g != w {
			tb.Errorf("%s: got %q, want %q", name, g, w)
		}
	}
	gotBody := formID.ReplaceAll(got.body, []byte(`name="id" value="ID"`))
	wantBody := formID.ReplaceAll(want.body, []byte(`name="id" value="ID"`))
	gotBody = curlExample.ReplaceAll(gotBody, []byte("${1}ADDRESS$2"))
	wantBody = curlExample.ReplaceAll(wantBody, []byte("${1}ADDRESS$2"))
	if !bytes.Equal(gotBody, wantBody) {
		tb.Errorf("body:\ngot  %q\nwant %q", gotBody, wantBody)
	}
}

// Headers a browser sends with what it asks for.
var (
	browserPage = map[string]string{"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
	browserPNG  = map[string]string{"Accept": "image/avif,image/webp,image/png,image/*;q=0.8,*/*;q=0.5", "Sec-Fetch-Dest": "image"}
	jsonClient  = map[string]string{"Accept": "application/json"}
)

// browserForm is a browser submitting the board's own form.
var browserForm = map[string]string{
	"Accept":         browserPage["Accept"],
	"Content-Type":   "application/x-www-form-urlencoded",
	"Sec-Fetch-Site": "same-origin",
}

func TestEveryFrontDoorAnswersAsLocaldev(t *testing.T) {
	logo, err := os.ReadFile("../web/site/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			s := newSite(t)
			id1, id2 := board.NewID(now.Add(-time.Minute)), board.NewID(now.Add(-time.Minute))
			form1 := url.Values{"id": {id1}, "message": {"Hello from " + format + "!\nSecond line & <b>bold</b>"}}.Encode()
			form2 := url.Values{"id": {id2}, "message": {"Base64 from " + format}}.Encode()
			steps := []struct {
				name  string
				r     request
				check func(t *testing.T, a answer)
			}{
				{"GET /board, empty", request{method: "GET", target: "/board", header: browserPage}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusOK)
					wantContains(t, a, "No messages yet")
				}},
				{"POST /board, form", request{method: "POST", target: "/board", header: browserForm, body: form1}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusSeeOther)
					if loc := a.header.Get("Location"); !strings.HasPrefix(loc, "board#m-") {
						t.Errorf("got Location %q, want board#m- and the saved message's id", loc)
					}
				}},
				{"POST /board, form in base64", request{method: "POST", target: "/board", header: browserForm, body: form2, base64: true}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusSeeOther)
				}},
				{"GET /board as JSON", request{method: "GET", target: "/board", header: jsonClient}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusOK)
					var page struct{ Messages []board.Message }
					if err := json.Unmarshal(a.body, &page); err != nil {
						t.Fatalf("JSON page: %v", err)
					}
					var texts []string
					for _, m := range page.Messages {
						texts = append(texts, m.Text)
					}
					want := []string{"Hello from " + format + "!\nSecond line & <b>bold</b>", "Base64 from " + format}
					if fmt.Sprint(texts) != fmt.Sprint(want) {
						t.Errorf("messages: got %q, want %q", texts, want)
					}
				}},
				{"GET /board, two messages", request{method: "GET", target: "/board", header: browserPage}, func(t *testing.T, a answer) {
					wantContains(t, a, "Second line &amp; &lt;b&gt;bold&lt;/b&gt;")
				}},
				{"HEAD /board", request{method: "HEAD", target: "/board", header: browserPage}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusOK)
					wantNoBody(t, a)
				}},
				{"PUT /board", request{method: "PUT", target: "/board", header: browserPage}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusMethodNotAllowed)
					wantHeader(t, a, "Allow", "GET, HEAD, POST")
				}},
				{"GET /", request{method: "GET", target: "/", header: browserPage}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusOK)
					wantHeader(t, a, "Content-Type", "text/html; charset=utf-8")
					wantContains(t, a, "Welcome to tinyboard")
					wantContains(t, a, "://"+frontDoorHosts[format]+"/")
				}},
				{"GET /logo.png", request{method: "GET", target: "/logo.png", header: browserPNG}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusOK)
					wantHeader(t, a, "Content-Type", "image/png")
					if !a.base64 {
						t.Errorf("isBase64Encoded: got false, want true for a PNG")
					}
					if !bytes.Equal(a.body, logo) {
						t.Errorf("logo: got %d bytes, want the %d bytes of internal/web/site/logo.png", len(a.body), len(logo))
					}
				}},
				{"HEAD /logo.png", request{method: "HEAD", target: "/logo.png", header: browserPNG}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusOK)
					wantHeader(t, a, "Content-Type", "image/png")
					wantNoBody(t, a)
				}},
				{"GET /no/such/page", request{method: "GET", target: "/no/such/page", header: browserPage}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusNotFound)
					wantContains(t, a, "There is no page at this address")
				}},
				{"DELETE /page.html", request{method: "DELETE", target: "/page.html", header: browserPage}, func(t *testing.T, a answer) {
					wantStatus(t, a, http.StatusMethodNotAllowed)
					wantHeader(t, a, "Allow", "GET, HEAD")
				}},
			}
			for _, step := range steps {
				// In order: each step sees the board the earlier ones left.
				got := s.lambda(t, format, step.r)
				want := s.local(t, step.r)
				t.Run(step.name, func(t *testing.T) {
					step.check(t, got)
					sameAnswer(t, got, want)
				})
			}
		})
	}
}

func wantStatus(tb testing.TB, a answer, want int) {
	tb.Helper()
	if a.status != want {
		tb.Errorf("status: got %d, want %d; body %.200q", a.status, want, a.body)
	}
}

func wantHeader(tb testing.TB, a answer, name, want string) {
	tb.Helper()
	if got := strings.Join(a.header.Values(name), ", "); got != want {
		tb.Errorf("%s: got %q, want %q", name, got, want)
	}
}

func wantContains(tb testing.TB, a answer, want string) {
	tb.Helper()
	if !bytes.Contains(a.body, []byte(want)) {
		tb.Errorf("body: got %.300q, want it to contain %q", a.body, want)
	}
}

func wantNoBody(tb testing.TB, a answer) {
	tb.Helper()
	if len(a.body) != 0 || a.base64 {
		tb.Errorf("body: got %d bytes (isBase64Encoded %v), want none", len(a.body), a.base64)
	}
}

// link matches the URLs a page points at: links, images, style sheets,
// icons and form targets.
var link = regexp.MustCompile(`(?:href|src|action)="([^"]*)"`)

func TestRESTAPIStageKeepsLinksUnderStage(t *testing.T) {
	s := newSite(t)
	base := "https://70ixmpl4fl.execute-api.us-east-2.amazonaws.com"
	for _, tc := range []struct {
		target string
		header map[string]string
		status int
	}{
		{"/board", browserPage, http.StatusOK},
		{"/", browserPage, http.StatusOK},
		{"/page.html", browserPage, http.StatusOK},
		{"/hello", browserPage, http.StatusOK},
		{"/request", browserPage, http.StatusOK},
		{"/a/b", browserPage, http.StatusNotFound},
		{"/board?before=bogus", browserPage, http.StatusBadRequest},
	} {
		t.Run(tc.target, func(t *testing.T) {
			a := s.lambda(t, restAPI, request{method: "GET", target: tc.target, header: tc.header})
			wantStatus(t, a, tc.status)
			page, err := url.Parse(base + stage + tc.target)
			if err != nil {
				t.Fatal(err)
			}
			links := link.FindAllSubmatch(a.body, -1)
			if len(links) == 0 {
				t.Fatalf("page %s has no links: %.300q", page, a.body)
			}
			for _, m := range links {
				ref := html.UnescapeString(string(m[1]))
				wantUnderStage(t, page, ref)
			}
		})
	}

	t.Run("GET / curl example", func(t *testing.T) {
		a := s.lambda(t, restAPI, request{method: "GET", target: "/", header: browserPage})
		wantContains(t, a, "curl -d message=hello "+base+stage+"/board<")
	})

	t.Run("POST /board Location", func(t *testing.T) {
		form := url.Values{"message": {"under the stage"}}.Encode()
		a := s.lambda(t, restAPI, request{method: "POST", target: "/board", header: browserForm, body: form})
		wantStatus(t, a, http.StatusSeeOther)
		page, _ := url.Parse(base + stage + "/board")
		wantUnderStage(t, page, a.header.Get("Location"))
	})
}

// TestClientCannotSetTheForwardedPrefix: the home page's curl example
// names the address the front door reports, never a prefix the client
// sent itself.
func TestClientCannotSetTheForwardedPrefix(t *testing.T) {
	s := newSite(t)
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			header := map[string]string{"X-Forwarded-Prefix": "/you-were-hacked"}
			for k, v := range browserPage {
				header[k] = v
			}
			a := s.lambda(t, format, request{method: "GET", target: "/", header: header})
			wantStatus(t, a, http.StatusOK)
			if bytes.Contains(a.body, []byte("you-were-hacked")) {
				t.Errorf("the home page took the client's X-Forwarded-Prefix: %q", curlLine.Find(a.body))
			}
			wantContains(t, a, "/board</code>")
		})
	}
}

// curlLine finds the home page's curl example.
var curlLine = regexp.MustCompile(`curl -d message=hello [^<]*`)

// wantUnderStage fails tb unless ref, followed from page, stays under
// the REST API's stage on the same host.
func wantUnderStage(tb testing.TB, page *url.URL, ref string) {
	tb.Helper()
	u, err := page.Parse(ref)
	if err != nil {
		tb.Errorf("link %q: %v", ref, err)
		return
	}
	if u.Host != page.Host || !strings.HasPrefix(u.Path, stage+"/") {
		tb.Errorf("link %q from %s: got %s, want a URL under %s%s/", ref, page, u, page.Host, stage)
	}
}

// cookieHandler sets two cookies and two Vary values, as an app with
// sessions might.
var cookieHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc", Path: "/", HttpOnly: true, Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
	http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark", Path: "/"})
	w.Header().Add("Vary", "Accept")
	w.Header().Add("Vary", "Cookie")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "two cookies\n")
})

func TestSeveralSetCookiesSurvive(t *testing.T) {
	h := lambdaproxy.New(cookieHandler, slog.New(slog.DiscardHandler))
	want := []string{
		"session=abc; Path=/; Expires=Tue, 01 Jan 2030 00:00:00 GMT; HttpOnly",
		"theme=dark; Path=/",
	}
	for _, format := range []string{httpAPI, functionURL, restAPI, albMultiValue} {
		t.Run(format, func(t *testing.T) {
			a := invoke(t, context.Background(), h, eventFor(t, format, request{method: "GET", target: "/"}))
			if got := a.header.Values("Set-Cookie"); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("Set-Cookie: got %q, want %q", got, want)
			}
			if got := headerValues(a.header, "Vary"); got != "Accept,Cookie" {
				t.Errorf("Vary: got %q, want both Accept and Cookie", got)
			}
			switch format {
			case httpAPI, functionURL:
				// Payload 2.0 has no multi-value headers: cookies go in
				// their own field, each becoming a Set-Cookie line.
				if !a.has("cookies") {
					t.Errorf("response has no cookies field: %s", a.fields)
				}
			default:
				if !a.has("multiValueHeaders") {
					t.Errorf("response has no multiValueHeaders: %s", a.fields)
				}
			}
		})
	}

	// An ALB target group with multi-value headers off reads one value per
	// header: the other values of a list header join it with commas, and
	// of several cookies only one can be sent.
	t.Run(alb, func(t *testing.T) {
		a := invoke(t, context.Background(), h, eventFor(t, alb, request{method: "GET", target: "/"}))
		if got := a.header.Values("Set-Cookie"); len(got) != 1 {
			t.Errorf("Set-Cookie: got %q, want one of %q", got, want)
		}
		if got := headerValues(a.header, "Vary"); got != "Accept,Cookie" {
			t.Errorf("Vary: got %q, want both Accept and Cookie", got)
		}
	})
}

func TestALBAnswersInItsRequestsHeaderStyle(t *testing.T) {
	h := lambdaproxy.New(cookieHandler, slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		format    string
		want, not string // the answer's header field, and the one it must not have
	}{
		{alb, "headers", "multiValueHeaders"},
		{albMultiValue, "multiValueHeaders", "headers"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			a := invoke(t, context.Background(), h, eventFor(t, tc.format, request{method: "GET", target: "/"}))
			if !a.has(tc.want) {
				t.Errorf("response: got fields %s, want %s", keys(a.fields), tc.want)
			}
			if v, ok := a.fields[tc.not]; ok {
				t.Errorf("response: got %s %s, want no such field (the target group reads only %s)", tc.not, v, tc.want)
			}
			wantHeader(t, a, "Content-Type", "text/plain; charset=utf-8")
			// "The statusDescription header must contain the status code
			// and reason phrase, separated by a single space."
			if got, want := string(a.fields["statusDescription"]), `"200 OK"`; got != want {
				t.Errorf("statusDescription: got %s, want %s", got, want)
			}
		})
	}
}

// keys returns the names of the non-null fields of a response.
func keys(m map[string]json.RawMessage) []string {
	var names []string
	for name, v := range m {
		if string(v) != "null" {
			names = append(names, name)
		}
	}
	return names
}

// echo answers with what the handler saw of the request.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	deadline, ok := r.Context().Deadline()
	lc, _ := lambdacontext.FromContext(r.Context())
	var requestID string
	if lc != nil {
		requestID = lc.AwsRequestID
	}
	var ids []string
	for _, a := range lambdaproxy.LogAttrs(r) {
		ids = append(ids, a.String())
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"host":        r.Host,
		"path":        r.URL.Path,
		"q":           r.URL.Query().Get("q"),
		"cookie":      r.Header.Values("Cookie"),
		"deadline":    deadline.UnixMilli(),
		"hasDeadline": ok,
		"requestID":   requestID,
		"logAttrs":    ids,
	})
})

type echoed struct {
	Host        string
	Path        string
	Q           string
	Cookie      []string
	Deadline    int64
	HasDeadline bool
	RequestID   string
	LogAttrs    []string
}

func echoFor(tb testing.TB, ctx context.Context, format string, r request) echoed {
	tb.Helper()
	h := lambdaproxy.New(echo, slog.New(slog.DiscardHandler))
	a := invoke(tb, ctx, h, eventFor(tb, format, r))
	var e echoed
	if err := json.Unmarshal(a.body, &e); err != nil {
		tb.Fatalf("echo: %v; body %q", err, a.body)
	}
	return e
}

// frontDoorHosts are the Host each front door's event carries.
var frontDoorHosts = map[string]string{
	httpAPI:       "r3pmxmplak.execute-api.us-east-2.amazonaws.com",
	functionURL:   "n4kxmplq7w2vzj5y3abcdefghi6uo2tm.lambda-url.us-east-2.on.aws",
	restAPI:       "70ixmpl4fl.execute-api.us-east-2.amazonaws.com",
	alb:           "lambda-alb-123578498.us-east-2.elb.amazonaws.com",
	albMultiValue: "lambda-alb-123578498.us-east-2.elb.amazonaws.com",
}

func TestRequestReachesHandlerWhole(t *testing.T) {
	hosts := frontDoorHosts
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			e := echoFor(t, context.Background(), format, request{
				method: "GET",
				target: "/board?q=a%20b%26c%2520",
				header: map[string]string{"Cookie": "a=1; b=2"},
			})
			if e.Path != "/board" {
				t.Errorf("path: got %q, want /board", e.Path)
			}
			if e.Q != "a b&c%20" { // decoded once, whatever the front door did
				t.Errorf("query q: got %q, want %q", e.Q, "a b&c%20")
			}
			if e.Host != hosts[format] {
				t.Errorf("host: got %q, want %q", e.Host, hosts[format])
			}
			var cookies []string
			for _, c := range e.Cookie {
				cookies = append(cookies, strings.Split(c, "; ")...)
			}
			if strings.Join(cookies, " ") != "a=1 b=2" {
				t.Errorf("cookies: got %q, want a=1 and b=2", e.Cookie)
			}
		})
	}
}

func TestDeadlineReachesHandler(t *testing.T) {
	deadline := time.Now().Add(7 * time.Second).Truncate(time.Millisecond)
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			ctx, cancel := context.WithDeadline(context.Background(), deadline)
			defer cancel()
			ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "c0ffee00-0000-4000-8000-000000000001"})
			e := echoFor(t, ctx, format, request{method: "GET", target: "/board"})
			if !e.HasDeadline || e.Deadline != deadline.UnixMilli() {
				t.Errorf("handler's deadline: got %v (set %v), want %v", time.UnixMilli(e.Deadline), e.HasDeadline, deadline)
			}
			if e.RequestID != "c0ffee00-0000-4000-8000-000000000001" {
				t.Errorf("Lambda request id in the handler: got %q, want c0ffee00-0000-4000-8000-000000000001", e.RequestID)
			}
			wantAttrs := []string{"lambda_request_id=c0ffee00-0000-4000-8000-000000000001"}
			switch format {
			case httpAPI:
				wantAttrs = append(wantAttrs, "apigw_request_id=JKJaXmPLvHcESHA=")
			case functionURL:
				wantAttrs = append(wantAttrs, "apigw_request_id=e1506fd5-9e7b-434f-bd42-4f8fa224b599")
			case restAPI:
				wantAttrs = append(wantAttrs, "apigw_request_id=77375676-xmpl-4b79-853a-f982474efe18")
			}
			if strings.Join(e.LogAttrs, " ") != strings.Join(wantAttrs, " ") {
				t.Errorf("LogAttrs: got %q, want %q", e.LogAttrs, wantAttrs)
			}
		})
	}
}

func TestUnknownEventIsAnError(t *testing.T) {
	h := lambdaproxy.New(echo, slog.New(slog.DiscardHandler))
	for name, event := range map[string]string{
		"S3 notification": `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put"}]}`,
		"scheduled event": `{"version":"0","id":"53dc4d37","detail-type":"Scheduled Event","source":"aws.events","detail":{}}`,
		"empty object":    `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := h.Invoke(context.Background(), []byte(event))
			if !errors.Is(err, lambdaproxy.ErrUnknownEvent) {
				t.Errorf("Invoke: got %v, want ErrUnknownEvent", err)
			}
		})
	}
	t.Run("not JSON", func(t *testing.T) {
		if _, err := h.Invoke(context.Background(), []byte(`GET / HTTP/1.1`)); err == nil {
			t.Error("Invoke: got no error, want one")
		}
	})
}

func TestPanicIsAnswered500AndNextRequestServed(t *testing.T) {
	var logs bytes.Buffer
	h := lambdaproxy.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("the handler lost its way")
		}
		io.WriteString(w, "fine\n")
	}), slog.New(slog.NewJSONHandler(&logs, nil)))
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			a := invoke(t, context.Background(), h, eventFor(t, format, request{method: "GET", target: "/panic"}))
			wantStatus(t, a, http.StatusInternalServerError)
			if got, want := string(a.body), "internal error\n"; got != want {
				t.Errorf("body: got %q, want %q (no panic text for the client)", got, want)
			}
			a = invoke(t, context.Background(), h, eventFor(t, format, request{method: "GET", target: "/next"}))
			wantStatus(t, a, http.StatusOK)
		})
	}
	if !strings.Contains(logs.String(), "the handler lost its way") {
		t.Errorf("log: got %q, want the panic logged", logs.String())
	}
}

func TestHandlerThatWritesNothingAnswers200(t *testing.T) {
	h := lambdaproxy.New(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), slog.New(slog.DiscardHandler))
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			a := invoke(t, context.Background(), h, eventFor(t, format, request{method: "GET", target: "/"}))
			wantStatus(t, a, http.StatusOK) // as net/http answers
			wantNoBody(t, a)
		})
	}
}
