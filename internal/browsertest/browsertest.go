// Package browsertest starts headless Chromium for tests that must see a
// page the way a person does. A machine without Chromium skips those tests
// with a message saying so; under CI=true it fails them instead.
package browsertest

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tinyboard/internal/testenv"
)

// candidates are the names Chromium is installed under.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Chromium returns a chromedp context for a fresh headless browser with an
// empty profile, closed when tb ends. Every action gets at most a minute.
func Chromium(tb testing.TB) context.Context {
	tb.Helper()
	path := ""
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		testenv.Missing(tb, "Chromium is not installed", testenv.InstallChromium)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1000, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	tb.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		testenv.Missing(tb, "Chromium at "+path+" did not start ("+err.Error()+")", testenv.InstallChromium)
	}
	return ctx
}
