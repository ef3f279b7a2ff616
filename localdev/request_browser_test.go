package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"tinyboard/internal/browsertest"
)

// fieldsLayout is where /request's name and value cells sit, per row.
type fieldsLayout struct {
	ScrollWidth, ViewWidth int
	Rows                   []struct {
		Table                                  int
		NameLeft, NameTop, ValueLeft, ValueTop float64
		ValueWidth                             float64
	}
}

const measureFields = `(() => {
	const rows = [];
	document.querySelectorAll("table.fields").forEach((table, i) => {
		table.querySelectorAll("tr").forEach(tr => {
			const th = tr.querySelector("th").getBoundingClientRect();
			const td = tr.querySelector("td").getBoundingClientRect();
			rows.push({Table: i, NameLeft: th.left, NameTop: th.top, ValueLeft: td.left, ValueTop: td.top, ValueWidth: td.width});
		});
	});
	return {ScrollWidth: document.documentElement.scrollWidth, ViewWidth: window.innerWidth, Rows: rows};
})()`

// TestBrowserRequestPageFitsAPhone opens /request at a phone's 375 px and
// at a desktop's 1000 px: on the phone nothing scrolls sideways and each
// value, under its name, has nearly the whole width; on the desktop the
// values of both tables start in one column.
func TestBrowserRequestPageFitsAPhone(t *testing.T) {
	ctx := browsertest.Chromium(t)
	s := start(t, nil)

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 800, chromedp.EmulateMobile), chromedp.Navigate(s.URL+"request")); err != nil {
		t.Fatal(err)
	}
	phone, err := chromedp.Run(ctx, chromedp.Evaluate[fieldsLayout](measureFields))
	if err != nil {
		t.Fatal(err)
	}
	if phone.ViewWidth != 375 || len(phone.Rows) < 6 {
		t.Fatalf("at 375 px: view %d px wide with %d rows, want 375 and the request's rows", phone.ViewWidth, len(phone.Rows))
	}
	if phone.ScrollWidth > phone.ViewWidth {
		t.Errorf("at 375 px the page is %d px wide: it scrolls sideways", phone.ScrollWidth)
	}
	for i, row := range phone.Rows {
		if row.ValueWidth < 300 {
			t.Errorf("at 375 px row %d's value is %.0f px wide, want at least 300 so it does not wrap every few characters", i, row.ValueWidth)
		}
		if row.ValueTop <= row.NameTop {
			t.Errorf("at 375 px row %d's value sits beside its name, want it below", i)
		}
	}

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1000, 900), chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	desk, err := chromedp.Run(ctx, chromedp.Evaluate[fieldsLayout](measureFields))
	if err != nil {
		t.Fatal(err)
	}
	if len(desk.Rows) < 6 {
		t.Fatalf("at 1000 px: %d rows", len(desk.Rows))
	}
	first := desk.Rows[0]
	for i, row := range desk.Rows {
		if row.ValueLeft != first.ValueLeft || row.NameLeft != first.NameLeft {
			t.Errorf("at 1000 px row %d (table %d) starts its name at %.0f and value at %.0f, want %.0f and %.0f as the first row: the tables' columns must line up",
				i, row.Table, row.NameLeft, row.ValueLeft, first.NameLeft, first.ValueLeft)
		}
		if row.ValueTop != row.NameTop {
			t.Errorf("at 1000 px row %d's value is not beside its name", i)
		}
	}
}
