package functions_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tinyboard/internal/browsertest"
	"tinyboard/internal/samlocal"
)

func TestBrowserPostsThroughSAMLocal(t *testing.T) {
	ctx := browsertest.Chromium(t)
	const table = "tinyboard-browser"
	endpoint, _ := newTable(t, table)
	api := startSAMAPI(t, samlocal.WarmEager, table, endpoint)

	if err := chromedp.Do(ctx, chromedp.Navigate(api.URL+"board")); err != nil {
		t.Fatal(err)
	}
	text := "Hello from Chromium through sam local <b>not bold</b>"
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("textarea[name=message]"), text),
		chromedp.Evaluate[chromedp.Void](`void (document.body.dataset.stale = "yes")`),
		chromedp.Click(chromedp.CSS("#save")),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-stale]) main")),
	)
	if err != nil {
		t.Fatalf("type and save a message: %v", err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("ol.board .text")].map(e => e.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	bold, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("ol.board b").length`))
	if err != nil {
		t.Fatal(err)
	}
	location, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		t.Fatal(err)
	}
	if len(shown) != 1 || shown[0] != text {
		t.Errorf("after Save Message the board shows %q, want %q", shown, text)
	}
	if bold != 0 {
		t.Errorf("the message's markup became %d elements, want it shown as text", bold)
	}
	if !strings.HasPrefix(location, api.URL+"board") {
		t.Errorf("after the post the browser is at %s, want the board", location)
	}
}
