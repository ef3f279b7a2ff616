package web

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendUTC holds appendUTC to time.Time.AppendFormat, which it
// stands in for on the board page: the same bytes for every time it
// accepts, and a refusal (so the caller uses AppendFormat) for the rest.
func TestAppendUTC(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 11, 24, 10, 3, 12, 500, time.UTC),
		time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(999, 7, 9, 9, 9, 9, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 0).UTC(),
		{},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		times = append(times, time.Unix(rng.Int64N(1<<38)-1<<37, rng.Int64N(1e9)).UTC())
	}
	for _, tm := range times {
		for _, layout := range []string{layoutDatetime, layoutShown} {
			want := string(tm.AppendFormat(nil, layout))
			got, ok := appendUTC([]byte("x"), tm, layout)
			if y := tm.Year(); ok != (y >= 0 && y <= 9999) {
				t.Errorf("appendUTC(%v, %q): ok %v for year %d, want ok for years 0 to 9999 only", tm, layout, ok, y)
			}
			if ok && string(got) != "x"+want {
				t.Errorf("appendUTC(%v, %q) = %q, want %q as AppendFormat writes it", tm, layout, got[1:], want)
			}
		}
	}
	if _, ok := appendUTC(nil, times[0], time.Kitchen); ok {
		t.Errorf("appendUTC with another layout: got ok, want a refusal")
	}
}
