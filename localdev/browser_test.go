package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"tinyboard/internal/browsertest"
)

// watchDialogs counts JavaScript dialogs (alert, confirm, prompt) the page
// tries to open, and dismisses them so the page never stalls.
func watchDialogs(tb testing.TB, ctx context.Context) *atomic.Int64 {
	tb.Helper()
	var opened atomic.Int64
	chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			opened.Add(1)
			go chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
				return err
			}))
		}
	})
	return &opened
}

// boardTexts returns the text of every message shown on the board page.
func boardTexts(tb testing.TB, ctx context.Context) []string {
	tb.Helper()
	texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("ol.board .text")].map(e => e.textContent)`))
	if err != nil {
		tb.Fatalf("read messages: %v", err)
	}
	return texts
}

// clickAndWait clicks the button sel and waits until the page it submits
// to has loaded: the old page is marked first, so a fresh body shows the
// new page has arrived.
func clickAndWait(tb testing.TB, ctx context.Context, sel string) {
	tb.Helper()
	err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`void (document.body.dataset.stale = "yes")`),
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-stale]) main")),
	)
	if err != nil {
		tb.Fatalf("click %s: %v", sel, err)
	}
}

// savePost types text into the New Message form and clicks Save Message.
func savePost(tb testing.TB, ctx context.Context, text string) {
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("textarea[name=message]"), text)); err != nil {
		tb.Fatalf("type %q: %v", text, err)
	}
	clickAndWait(tb, ctx, "#save")
}

func TestBrowserSavesShowsAndClears(t *testing.T) {
	ctx := browsertest.Chromium(t)
	s := start(t, nil)
	dialogs := watchDialogs(t, ctx)

	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"board")); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || title != "Tiny Message Board" {
		t.Fatalf("board heading = %q, %v; want Tiny Message Board", title, err)
	}

	hostile := []string{"<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`}
	savePost(t, ctx, "Hello from Chromium")
	for _, text := range hostile {
		savePost(t, ctx, text)
	}
	want := append([]string{"Hello from Chromium"}, hostile...)
	if got := boardTexts(t, ctx); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("board shows %q, want %q, oldest first", got, want)
	}
	injected, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("ol.board script, ol.board img, [onerror]").length`))
	if err != nil || injected != 0 {
		t.Errorf("hostile messages became %d elements, %v; want 0 (shown as text)", injected, err)
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened, want none", n)
	}

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "board.png", shot)

	clickAndWait(t, ctx, "button[name=clear]")
	if got := boardTexts(t, ctx); len(got) != 0 {
		t.Errorf("board after Clear Messages shows %q, want it empty", got)
	}
}

func TestBrowserWalksTheTinyWebsite(t *testing.T) {
	ctx := browsertest.Chromium(t)
	s := start(t, nil)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL)); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		click   string // link to click, by its text
		heading string // the h1 of the page it leads to
	}{
		{"", "Welcome to tinyboard"},
		{"The second page", "The second page"},
		{"Back to the home page", "Welcome to tinyboard"},
		{"The Tiny Message Board", "Tiny Message Board"},
	}
	for _, step := range steps {
		if step.click != "" {
			link := `//main//a[normalize-space()="` + step.click + `"]`
			if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`void (document.body.dataset.stale = "yes")`)); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Click(link), chromedp.WaitVisible(chromedp.CSS("body:not([data-stale]) h1"))); err != nil {
				t.Fatalf("click %q: %v", step.click, err)
			}
		}
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil || got != step.heading {
			t.Fatalf("after clicking %q the heading is %q, %v; want %q", step.click, got, err, step.heading)
		}
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = getComputedStyle(document.querySelector("button#save")); return s.backgroundColor !== "rgba(0, 0, 0, 0)" && s.borderRadius !== "0px"; })()`))
	if err != nil || !loaded {
		t.Errorf("the board page's style sheet did not apply (%v)", err)
	}
}

// TestBrowserKeepsARefusedMessage: a message the board refuses comes back
// on the board page, the reason beside the form and the text still in
// the textarea; shortened and saved, it is stored once.
func TestBrowserKeepsARefusedMessage(t *testing.T) {
	ctx := browsertest.Chromium(t)
	s := start(t, map[string]string{"MESSAGE_MAX_CHARS": "20"})
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"board")); err != nil {
		t.Fatal(err)
	}
	limits, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`(() => { const t = document.querySelector("textarea[name=message]"); return [t.maxLength, t.required]; })()`))
	if err != nil || len(limits) != 2 || limits[0] != float64(20) || limits[1] != true {
		t.Errorf("textarea maxlength and required = %v, %v; want 20 (MESSAGE_MAX_CHARS) and true", limits, err)
	}

	// maxlength stops typing past the limit, but not a value set by a
	// script, a paste into an older page, or a limit lowered since the
	// page was loaded: the server is the judge.
	long := "twenty-one characters"
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`void (document.querySelector("textarea[name=message]").value = `+strconv.Quote(long)+`)`)); err != nil {
		t.Fatal(err)
	}
	clickAndWait(t, ctx, "#save")
	back, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.querySelector("h1").textContent, document.querySelector(".compose .problem")?.textContent ?? "", document.querySelector("textarea[name=message]").value]`))
	if err != nil || len(back) != 3 {
		t.Fatalf("read the refused page: %v, %v", back, err)
	}
	if back[0] != "Tiny Message Board" || !strings.Contains(back[1], "limit is 20") || back[2] != long {
		t.Fatalf("after saving a 21-character message: heading %q, problem beside the form %q, textarea %q; want the board, a sentence naming the 20-character limit, and the text as typed",
			back[0], back[1], back[2])
	}
	if got := boardTexts(t, ctx); len(got) != 0 {
		t.Fatalf("the refused message is on the board: %q", got)
	}

	// Shorten it where it is and save: stored once, under the form's id.
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`void (() => { const t = document.querySelector("textarea[name=message]"); t.focus(); t.setSelectionRange(t.value.length, t.value.length); })()`),
		chromedp.SendKeys(chromedp.CSS("textarea[name=message]"), "\b")); err != nil {
		t.Fatal(err)
	}
	clickAndWait(t, ctx, "#save")
	if p, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".problem")?.textContent ?? ""`)); p != "" {
		t.Fatalf("the shortened message was refused too: %q", p)
	}
	if got := boardTexts(t, ctx); len(got) != 1 || got[0] != long[:20] {
		t.Fatalf("after shortening and saving, the board shows %q, want just %q", got, long[:20])
	}
	if problems, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".problem").length`)); err != nil || problems != 0 {
		t.Errorf("the board after a good save shows %d problem sentences (%v), want none", problems, err)
	}
}

// TestBrowserShowsTheSavedMessage: on a board with more messages than fit
// on the screen, the page after a save shows the new message, marked as
// just saved.
func TestBrowserShowsTheSavedMessage(t *testing.T) {
	ctx := browsertest.Chromium(t)
	s := start(t, nil)
	for i := range 60 {
		postForm(t, s.URL+"board", url.Values{"message": {fmt.Sprintf("message %d\nwith a second line", i)}})
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"board")); err != nil {
		t.Fatal(err)
	}
	savePost(t, ctx, "Where did my message go?")
	type seen struct {
		Top, Bottom, Height float64
		Text, Marker, Hash  string
		Targeted            bool
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[seen](`(() => {
		const items = document.querySelectorAll("ol.board > li");
		const li = items[items.length - 1], box = li.getBoundingClientRect();
		return {Top: box.top, Bottom: box.bottom, Height: window.innerHeight,
			Text: li.querySelector(".text").textContent,
			Marker: getComputedStyle(li, "::before").content,
			Hash: location.hash, Targeted: li.matches(":target")};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "Where did my message go?" {
		t.Fatalf("the newest message on the page is %q, want the one just saved", got.Text)
	}
	if got.Top < 0 || got.Bottom > got.Height {
		t.Errorf("the saved message spans %.0f to %.0f px of a %.0f px viewport, want it inside the viewport", got.Top, got.Bottom, got.Height)
	}
	if !got.Targeted || !strings.Contains(got.Marker, "Just saved") || !strings.HasPrefix(got.Hash, "#m-") {
		t.Errorf("the saved message: URL fragment %q, :target %v, marker %q; want #m-<id>, true and \"Just saved\"", got.Hash, got.Targeted, got.Marker)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "board-after-save.png", shot)
}

// saveArtifact keeps a screenshot where a person can look at it.
func saveArtifact(tb testing.TB, name string, data []byte) {
	tb.Helper()
	dir := filepath.Join(os.TempDir(), "tinyboard-artifacts")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, data, 0o644); err == nil {
			tb.Logf("screenshot: %s", file)
		}
	}
}
