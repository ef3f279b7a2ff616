package functions_test

// The functions as `sam local start-api` runs them: each bootstrap built
// by the Makefile target `sam build` calls, for this machine's
// architecture, run under AWS's Runtime Interface Emulator (a pinned
// `go tool`), and reached through internal/samlocal's Front, which builds
// events and reads answers as SAM CLI does.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"tinyboard/internal/board"
	"tinyboard/internal/dynamostore"
	"tinyboard/internal/samlocal"
	"tinyboard/internal/samtemplate"
	"tinyboard/internal/testenv"
)

// makeBootstrap builds function's bootstrap with `make build-<function>`,
// as `sam build` does, with GOARCH set to this machine's architecture,
// and returns its path. Each function is built once per test binary.
func makeBootstrap(tb testing.TB, function string) string {
	tb.Helper()
	return buildOnce(tb, "make "+function, func() (string, error) {
		makePath, err := exec.LookPath("make")
		if err != nil {
			return "", fmt.Errorf("make is not installed; the bootstraps are built by the Makefile: %v", err)
		}
		dir := filepath.Join(buildDir, "make_"+runtime.GOARCH, function)
		cmd := exec.Command(makePath, "-C", "..", "build-"+function, "ARTIFACTS_DIR="+dir, "GOARCH="+runtime.GOARCH)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("make build-%s: %v\n%s", function, err, out)
		}
		return filepath.Join(dir, "bootstrap"), nil
	})
}

// samAPI is the template's HTTP API served as sam local serves it.
type samAPI struct {
	URL     string // the front's base URL, with a trailing slash
	runtime *samlocal.Runtime
	output  *testenv.Buffer // every emulator's output: START/END/REPORT and the functions' logs
}

// loadTemplate reads the project's template.yaml.
func loadTemplate(tb testing.TB) *samtemplate.Template {
	tb.Helper()
	tpl, err := samtemplate.Load("../template.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return tpl
}

// envFile reads infra/env.json, the --env-vars file samconfig.toml gives
// sam local start-api.
func envFile(tb testing.TB) map[string]map[string]string {
	tb.Helper()
	data, err := os.ReadFile("../infra/env.json")
	if err != nil {
		tb.Fatal(err)
	}
	var env map[string]map[string]string
	if err := json.Unmarshal(data, &env); err != nil {
		tb.Fatalf("infra/env.json: %v", err)
	}
	return env
}

// startSAMAPI serves the template's routes through a samlocal Front, the
// functions run under the emulator in mode, the board on table at
// endpoint: infra/env.json's settings, with the endpoint and table of
// this test's dynalite in place of the user's.
func startSAMAPI(tb testing.TB, mode samlocal.Mode, table, endpoint string) *samAPI {
	tb.Helper()
	tpl := loadTemplate(tb)
	overrides := envFile(tb)
	overrides["BoardFunction"]["BOARD_TABLE"] = table
	overrides["BoardFunction"]["DYNAMODB_ENDPOINT"] = endpoint
	functions := map[string]samlocal.Function{}
	for _, r := range samlocal.Routes(tpl) {
		functions[r.Function] = samlocal.Function{
			Bootstrap: makeBootstrap(tb, r.Function),
			Env:       samlocal.Env(tpl, r.Function, overrides[r.Function]),
		}
	}
	api := &samAPI{output: new(testenv.Buffer)}
	rt, err := samlocal.NewRuntime(context.Background(), samlocal.Binary(tb), functions, mode, api.output)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rt.Close() })
	api.runtime = rt
	srv, url, err := samlocal.Serve(samlocal.NewFront(samlocal.Routes(tpl), rt, nil))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	api.URL = url + "/"
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("emulator output:\n%s", api.output.String())
		}
	})
	return api
}

// samModes are SAM's two ways of running functions.
var samModes = []struct {
	name string
	mode samlocal.Mode
}{
	{"fresh emulator per request", samlocal.PerRequest},
	{"warm emulator per function", samlocal.WarmEager},
}

// client talks to the front as curl does: it does not follow redirects.
var client = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       time.Minute,
}

// reply is an HTTP answer read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends req and reads the answer.
func do(tb testing.TB, req *http.Request) reply {
	tb.Helper()
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return reply{resp.StatusCode, resp.Header, body}
}

// send builds a request to the front and sends it.
func (a *samAPI) send(tb testing.TB, method, target string, header map[string]string, body io.Reader) reply {
	tb.Helper()
	req, err := http.NewRequest(method, a.URL+target, body)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(tb, req)
}

// browserPost are the headers a browser sends with the board's own form.
func (a *samAPI) browserPost(contentType string) map[string]string {
	return map[string]string{
		"Content-Type":   contentType,
		"Accept":         acceptPage,
		"Origin":         strings.TrimSuffix(a.URL, "/"),
		"Sec-Fetch-Site": "same-origin",
	}
}

// jsonPage is GET /board's JSON.
type jsonPage struct {
	Messages []board.Message `json:"messages"`
	Older    string          `json:"older"`
}

func (a *samAPI) jsonBoard(tb testing.TB, target string) jsonPage {
	tb.Helper()
	r := a.send(tb, "GET", target, map[string]string{"Accept": "application/json"}, nil)
	var page jsonPage
	if r.status != http.StatusOK || json.Unmarshal(r.body, &page) != nil {
		tb.Fatalf("GET %s as JSON: got %d %.300q, want 200 and the board's JSON", target, r.status, r.body)
	}
	return page
}

var (
	formID    = regexp.MustCompile(`<input type="hidden" name="id" value="([^"]+)">`)
	olderLink = regexp.MustCompile(`<a rel="prev" href="([^"]+)">`)
	shownText = regexp.MustCompile(`<p class="text">([^<]*)</p>`)
)

// pageTexts returns the texts of the messages an HTML board page shows,
// unescaped, and the href of its link to older messages ("" if none).
func pageTexts(body []byte) (texts []string, older string) {
	for _, m := range shownText.FindAllSubmatch(body, -1) {
		texts = append(texts, html.UnescapeString(string(m[1])))
	}
	if m := olderLink.FindSubmatch(body); m != nil {
		older = html.UnescapeString(string(m[1]))
	}
	return texts, older
}

func TestSAMLocalBoardFlow(t *testing.T) {
	for _, m := range samModes {
		t.Run(m.name, func(t *testing.T) {
			const table = "tinyboard-sam"
			endpoint, store := newTable(t, table)
			api := startSAMAPI(t, m.mode, table, endpoint)
			boardFlow(t, api, store)
		})
	}
}

// boardFlow walks the board as its users do, through api.
func boardFlow(t *testing.T, api *samAPI, store *dynamostore.Store) {
	// The page, with a one-time id in its form.
	page := api.send(t, "GET", "board", map[string]string{"Accept": acceptPage}, nil)
	if page.status != http.StatusOK || !bytes.Contains(page.body, []byte("<h1>Tiny Message Board</h1>")) {
		t.Fatalf("GET /board: got %d %.200q, want 200 and the board page", page.status, page.body)
	}
	if ct := page.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET /board: Content-Type %q, want text/html; charset=utf-8", ct)
	}
	if page.header.Get("Content-Security-Policy") == "" || page.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("GET /board: headers %v, want the board's security headers", page.header)
	}
	m := formID.FindSubmatch(page.body)
	if m == nil {
		t.Fatalf("GET /board: no hidden id in the form:\n%s", page.body)
	}

	// The book's form: 303 to the board, which shows the message with its
	// line break.
	first := "Hello through sam local\nsecond line"
	form := url.Values{"id": {string(m[1])}, "message": {first}}.Encode()
	saved := api.send(t, "POST", "board", api.browserPost("application/x-www-form-urlencoded"), strings.NewReader(form))
	if saved.status != http.StatusSeeOther || !strings.HasPrefix(saved.header.Get("Location"), "board") {
		t.Errorf("POST /board form: got %d, Location %q, want 303 to board; body %q", saved.status, saved.header.Get("Location"), saved.body)
	}
	again := api.send(t, "POST", "board", api.browserPost("application/x-www-form-urlencoded"), strings.NewReader(form))
	if again.status != http.StatusSeeOther {
		t.Errorf("POST /board form again (a double click): got %d, want 303", again.status)
	}

	// A browser that sends Origin but not Sec-Fetch-Site (Safari before
	// 16.4): same origin, so accepted.
	originOnly := api.send(t, "POST", "board", map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Accept": acceptPage, "Origin": strings.TrimSuffix(api.URL, "/"),
	}, strings.NewReader("message=origin+only"))
	if originOnly.status != http.StatusSeeOther {
		t.Errorf("POST /board with a same-origin Origin and no Sec-Fetch-Site: got %d %.300q, want 303", originOnly.status, originOnly.body)
	}

	// curl -F: multipart.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("message", "multipart hello")
	mw.Close()
	multi := api.send(t, "POST", "board", map[string]string{"Content-Type": mw.FormDataContentType()}, &mp)
	if multi.status != http.StatusSeeOther {
		t.Errorf("POST /board multipart: got %d %q, want 303", multi.status, multi.body)
	}

	// JSON in, JSON out.
	created := api.send(t, "POST", "board", map[string]string{"Content-Type": "application/json", "Accept": "application/json"},
		strings.NewReader(`{"message": "json hello"}`))
	var msg board.Message
	if created.status != http.StatusCreated || json.Unmarshal(created.body, &msg) != nil || msg.Text != "json hello" || msg.ID == "" {
		t.Errorf("POST /board JSON: got %d %q, want 201 and the stored message", created.status, created.body)
	}

	// Another site's form is refused, and nothing is stored.
	cross := api.send(t, "POST", "board", map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site",
	}, strings.NewReader("message=from+elsewhere"))
	if cross.status != http.StatusForbidden {
		t.Errorf("cross-origin POST /board: got %d, want 403", cross.status)
	}

	// Markup is shown as text.
	hostile := []string{"<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, "</textarea><b>bold</b>"}
	for _, text := range hostile {
		r := api.send(t, "POST", "board", api.browserPost("application/x-www-form-urlencoded"), strings.NewReader(url.Values{"message": {text}}.Encode()))
		if r.status != http.StatusSeeOther {
			t.Errorf("POST /board %q: got %d, want 303", text, r.status)
		}
	}
	shown := api.send(t, "GET", "board", map[string]string{"Accept": acceptPage}, nil)
	texts, _ := pageTexts(shown.body)
	want := append([]string{first, "origin only", "multipart hello", "json hello"}, hostile...)
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("GET /board shows %q, want %q", texts, want)
	}
	for _, raw := range []string{"<script>alert", "<img src=x", "<b>bold"} {
		if bytes.Contains(shown.body, []byte(raw)) {
			t.Errorf("GET /board: the page holds %q unescaped", raw)
		}
	}

	// Clear: the board is empty, in the page and in DynamoDB's view.
	cleared := api.send(t, "POST", "board", api.browserPost("application/x-www-form-urlencoded"), strings.NewReader("clear="))
	if cleared.status != http.StatusSeeOther {
		t.Errorf("POST /board clear: got %d %q, want 303", cleared.status, cleared.body)
	}
	if got := api.jsonBoard(t, "board").Messages; len(got) != 0 {
		t.Errorf("GET /board after clear: got %d messages, want none", len(got))
	}

	// 120 messages, paged through the older links, oldest first on each page.
	var posted []string
	for i := range 120 {
		text := fmt.Sprintf("message %03d", i)
		posted = append(posted, text)
		if _, err := store.Save(t.Context(), board.NewID(time.Now()), text); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	target := "board"
	for pages := 0; target != ""; pages++ {
		if pages > 5 {
			t.Fatalf("still paging after %d pages", pages)
		}
		r := api.send(t, "GET", target, map[string]string{"Accept": acceptPage}, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: got %d, want 200", target, r.status)
		}
		texts, older := pageTexts(r.body)
		seen = append(texts, seen...)
		if older != "" {
			target = "board" + older
		} else {
			target = ""
		}
	}
	if strings.Join(seen, "|") != strings.Join(posted, "|") {
		t.Errorf("paging through the older links shows %d messages, want the 120 posted, in order: got %q", len(seen), seen)
	}
}

func TestSAMLocalPages(t *testing.T) {
	logo, err := os.ReadFile("../internal/web/site/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range samModes {
		t.Run(m.name, func(t *testing.T) {
			api := startSAMAPI(t, m.mode, "unused", "http://127.0.0.1:9")

			home := api.send(t, "GET", "", map[string]string{"Accept": acceptPage}, nil)
			if home.status != http.StatusOK || !bytes.Contains(home.body, []byte("Welcome to tinyboard")) {
				t.Errorf("GET /: got %d %.200q, want 200 and the home page", home.status, home.body)
			}
			// The page builds its curl example from what SAM forwards:
			// Host, X-Forwarded-Proto http, no stage prefix.
			if example := "curl -d message=hello " + api.URL + "board"; !bytes.Contains(home.body, []byte(example)) {
				t.Errorf("GET /: the home page does not show %q, the address sam local serves:\n%s", example, home.body)
			}

			png := api.send(t, "GET", "logo.png", map[string]string{"Accept": acceptImage}, nil)
			if png.status != http.StatusOK || png.header.Get("Content-Type") != "image/png" {
				t.Errorf("GET /logo.png: got %d %q, want 200 image/png", png.status, png.header.Get("Content-Type"))
			}
			if !bytes.Equal(png.body, logo) {
				t.Errorf("GET /logo.png: got %d bytes, want the %d bytes of logo.png, byte for byte", len(png.body), len(logo))
			}

			etag := png.header.Get("Etag")
			same := api.send(t, "GET", "logo.png", map[string]string{"Accept": acceptImage, "If-None-Match": etag}, nil)
			if etag == "" || same.status != http.StatusNotModified || len(same.body) != 0 {
				t.Errorf("GET /logo.png with If-None-Match %q: got %d and %d bytes, want 304 and none", etag, same.status, len(same.body))
			}

			head := api.send(t, "HEAD", "page.html", nil, nil)
			if head.status != http.StatusOK || len(head.body) != 0 || head.header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("HEAD /page.html: got %d, %d bytes, %q; want 200, no body, text/html", head.status, len(head.body), head.header.Get("Content-Type"))
			}

			missing := api.send(t, "GET", "no/such/page.html", map[string]string{"Accept": acceptPage}, nil)
			if missing.status != http.StatusNotFound || !bytes.Contains(missing.body, []byte(`href="../../"`)) {
				t.Errorf("GET /no/such/page.html: got %d %.300q, want 404 with a relative link home", missing.status, missing.body)
			}
		})
	}
}
