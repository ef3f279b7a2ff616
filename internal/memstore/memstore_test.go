package memstore_test

import (
	"testing"
	"time"

	"tinyboard/internal/board"
	"tinyboard/internal/memstore"
	"tinyboard/internal/storetest"
)

func TestContract(t *testing.T) {
	storetest.Suite{
		New: func(testing.TB) board.Store { return memstore.New() },
		NewWithRetention: func(_ testing.TB, retention time.Duration, now func() time.Time) board.Store {
			return memstore.NewWithOptions(memstore.Options{Now: now, Retention: retention})
		},
		Many: 2000,
	}.Run(t)
}

func TestPostedNeverGoesBackwards(t *testing.T) {
	clock := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	st := memstore.NewWithClock(func() time.Time { return clock })
	a, _ := st.Save(t.Context(), board.NewID(time.Now()), "a")
	clock = clock.Add(-time.Hour) // the wall clock steps back
	b, _ := st.Save(t.Context(), board.NewID(time.Now()), "b")
	if !b.Posted.After(a.Posted) {
		t.Errorf("second message posted %v, first %v; want the second after the first", b.Posted, a.Posted)
	}
}

// TestPageLimitBelowOne: a limit under one reads as one, as on DynamoDB,
// rather than failing.
func TestPageLimitBelowOne(t *testing.T) {
	st := memstore.New()
	for _, text := range []string{"one", "two"} {
		if _, err := st.Save(t.Context(), board.NewID(time.Now()), text); err != nil {
			t.Fatal(err)
		}
	}
	for _, limit := range []int{0, -1} {
		page, err := st.Page(t.Context(), "", limit)
		if err != nil || len(page.Messages) != 1 || page.Messages[0].Text != "two" || page.Older == "" {
			t.Errorf("Page with limit %d: got %+v, %v; want the newest message and a cursor to the older", limit, page, err)
		}
	}
}
