package main

import (
	"context"
	"os"
	"path/filepath"
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
	dir := filepath.Join(os.TempDir(), "tinyboard-artifacts")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		file := filepath.Join(dir, "board.png")
		if err := os.WriteFile(file, shot, 0o644); err == nil {
			t.Logf("screenshot of the board: %s", file)
		}
	}

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
