package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tinyboard/internal/testenv"
)

// server is a localdev started by a test through run, as main starts it.
type server struct {
	URL    string // http://127.0.0.1:port/
	stdout *testenv.Buffer
	stderr *testenv.Buffer // the log, when started with startLogged
	// stop shuts localdev down, as Ctrl-C does, and returns what run
	// returned; the test's end calls it too.
	stop func() error
}

// start runs localdev on a free loopback port with args and env, and stops
// it when tb ends, failing tb unless it shuts down cleanly.
func start(tb testing.TB, env map[string]string, args ...string) *server {
	tb.Helper()
	return launch(tb, env, nil, args)
}

// startLogged is start, keeping localdev's log in the server's stderr.
func startLogged(tb testing.TB, env map[string]string, args ...string) *server {
	tb.Helper()
	return launch(tb, env, &testenv.Buffer{}, args)
}

func launch(tb testing.TB, env map[string]string, logs *testenv.Buffer, args []string) *server {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	out := &testenv.Buffer{}
	var stderr io.Writer = io.Discard
	if logs != nil {
		stderr = logs
	}
	done := make(chan error, 1)
	args = append([]string{"-addr", "127.0.0.1:0"}, args...)
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, io.MultiWriter(pw, out), stderr)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var base string
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "Open your browser and connect to: "); ok {
			base = strings.TrimSuffix(u, "board")
			break
		}
	}
	go io.Copy(io.Discard, pr) // keep draining so the server never blocks on its output
	if base == "" {
		cancel()
		tb.Fatalf("localdev did not print the address to open; it returned %v", <-done)
	}
	// The printed address says localhost for people; tests dial loopback.
	base = strings.Replace(base, "localhost", "127.0.0.1", 1)
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return errors.New("localdev did not shut down within 30s")
		}
	})
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Errorf("run returned %v after shutdown, want nil", err)
		}
	})
	return &server{URL: base, stdout: out, stderr: logs, stop: stop}
}

// noRedirect is a client that shows redirects instead of following them,
// as curl does without -L.
var noRedirect = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func postForm(tb testing.TB, target string, form url.Values) *http.Response {
	tb.Helper()
	res, err := noRedirect.Post(target, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// boardPage is the JSON answer to GET /board.
type boardPage struct {
	Messages []struct {
		ID, Text string
		Posted   time.Time
	}
	Older string
}

func getJSON(tb testing.TB, target string) boardPage {
	tb.Helper()
	req, _ := http.NewRequest("GET", target, nil)
	req.Header.Set("Accept", "application/json")
	res, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: status %d, want 200", target, res.StatusCode)
	}
	var p boardPage
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		tb.Fatalf("GET %s: %v", target, err)
	}
	return p
}

// allTexts walks the board's JSON pages, newest to oldest, and returns
// every message text, oldest first.
func allTexts(tb testing.TB, base string) []string {
	tb.Helper()
	var pages [][]string
	target := base + "board"
	for {
		p := getJSON(tb, target)
		var texts []string
		for _, m := range p.Messages {
			texts = append(texts, m.Text)
		}
		pages = append(pages, texts)
		if p.Older == "" {
			break
		}
		target = base + "board?before=" + url.QueryEscape(p.Older)
	}
	var all []string
	for i := len(pages) - 1; i >= 0; i-- {
		all = append(all, pages[i]...)
	}
	return all
}

func TestCurlPostsAndClears(t *testing.T) {
	s := start(t, nil)
	res := postForm(t, s.URL+"board", url.Values{"message": {"hello"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "board#m-") {
		t.Fatalf("curl -d message=hello: %d Location %q, want 303 to board", res.StatusCode, res.Header.Get("Location"))
	}
	page, err := http.Get(s.URL + "board")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if n := strings.Count(string(body), `<p class="text">hello</p>`); n != 1 {
		t.Errorf("board page shows hello %d times, want once", n)
	}
	if got := allTexts(t, s.URL); len(got) != 1 || got[0] != "hello" {
		t.Errorf("JSON board = %q, want [hello]", got)
	}

	req, _ := http.NewRequest("POST", s.URL+"board", strings.NewReader(`{"message":"hi"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	jres, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ ID, Text string }
	json.NewDecoder(jres.Body).Decode(&m)
	jres.Body.Close()
	if jres.StatusCode != http.StatusCreated || m.Text != "hi" || m.ID == "" {
		t.Errorf("JSON POST: %d %+v, want 201 with the message hi and its id", jres.StatusCode, m)
	}

	res = postForm(t, s.URL+"board", url.Values{"clear": {""}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("curl -d clear=: status %d, want 303", res.StatusCode)
	}
	if got := allTexts(t, s.URL); len(got) != 0 {
		t.Errorf("board after clear = %q, want it empty", got)
	}
}

func TestConcurrentPostsStoreEveryMessage(t *testing.T) {
	s := start(t, map[string]string{"PAGE_SIZE": "500"})
	const workers, each = 8, 250
	var failures atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: workers},
		CheckRedirect: noRedirect.CheckRedirect,
	}
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				body := url.Values{"message": {fmt.Sprintf("w%d-%d", w, i)}}.Encode()
				res, err := client.Post(s.URL+"board", "application/x-www-form-urlencoded", strings.NewReader(body))
				if err != nil {
					t.Errorf("post w%d-%d: %v", w, i, err)
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusSeeOther {
					t.Errorf("post w%d-%d: status %d, want 303", w, i, res.StatusCode)
					failures.Add(1)
				}
			}
		})
	}
	wg.Wait()
	texts := allTexts(t, s.URL)
	seen := make(map[string]int)
	for _, text := range texts {
		seen[text]++
	}
	if len(texts) != workers*each || len(seen) != workers*each {
		t.Errorf("board holds %d messages (%d distinct) after %d posts, want exactly %d", len(texts), len(seen), workers*each, workers*each)
	}
	if failures.Load() != 0 {
		t.Errorf("%d posts failed, want none", failures.Load())
	}
}

func TestVerbosePrintsEachRequest(t *testing.T) {
	s := start(t, nil, "-v")
	req, _ := http.NewRequest("GET", s.URL+"hello?x=1", nil)
	req.Header.Set("X-Probe", "probe-value")
	req.Header.Set("Authorization", "Bearer s3cret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	out := s.stdout.String()
	for _, want := range []string{"GET /hello?x=1 HTTP/1.1", "X-Probe: probe-value", "Authorization: [hidden]"} {
		if !strings.Contains(out, want) {
			t.Errorf("-v output lacks %q; got:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("-v output shows the Authorization secret:\n%s", out)
	}
}

func TestSettingsAreChecked(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown store", []string{"-store", "postgres"}, nil, `unknown -store "postgres"`},
		{"page size not a number", nil, map[string]string{"PAGE_SIZE": "fifty"}, "PAGE_SIZE"},
		{"message limit zero", nil, map[string]string{"MESSAGE_MAX_CHARS": "0"}, "MESSAGE_MAX_CHARS"},
		{"address taken", []string{"-addr", "256.0.0.1:1"}, nil, "256.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(t.Context(), tt.args, func(k string) string { return tt.env[k] }, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want an error mentioning %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestSitePagesAndBoardOnOnePort(t *testing.T) {
	s := start(t, nil)
	for path, want := range map[string]int{
		"":           http.StatusOK,
		"index.html": http.StatusOK,
		"page.html":  http.StatusOK,
		"style.css":  http.StatusOK,
		"hello":      http.StatusOK,
		"board":      http.StatusOK,
		"nope":       http.StatusNotFound,
	} {
		res, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET /%s: status %d, want %d", path, res.StatusCode, want)
		}
	}
}
