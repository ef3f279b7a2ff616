package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tinyboard/internal/board"
	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
	"tinyboard/internal/storetest"
	"tinyboard/internal/testenv"
)

// dynalite cannot show DynamoDB's own TTL deletion (it has no
// UpdateTimeToLive and never expires items).

func TestPurgeReclaimsClearedItems(t *testing.T) {
	endpoint := dynalite.Start(t)
	st := newStore(t, endpoint, dynamostore.Config{})
	if n, err := st.Purge(testCtx(t)); n != 0 || err != nil {
		t.Fatalf("Purge of a board never cleared = %d, %v; want 0, nil", n, err)
	}

	storetest.SaveN(t, st, "first", 30)
	stale, err := st.Page(testCtx(t), "", 10)
	if err != nil || stale.Older == "" {
		t.Fatalf("Page(\"\", 10) of 30 = older %q, %v; want an older cursor", stale.Older, err)
	}
	if err := st.Clear(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	storetest.SaveN(t, st, "second", 5)
	if err := st.Clear(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	kept := storetest.SaveN(t, st, "kept", 7)
	if got, want := countItems(t, st), 30+5+7+2; got != want {
		t.Fatalf("table holds %d items before Purge, want %d (42 messages, 2 clear markers)", got, want)
	}

	n, err := st.Purge(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := 30 + 5 + 1; n != want {
		t.Errorf("Purge deleted %d items, want %d (35 cleared messages and the older marker)", n, want)
	}
	if got, want := countItems(t, st), 7+1; got != want {
		t.Errorf("table holds %d items after Purge, want %d (the 7 messages since the clear and its marker)", got, want)
	}
	if got, want := texts(storetest.All(t, st, 3)), texts(kept); !slices.Equal(got, want) {
		t.Errorf("board after Purge = %q, want %q", got, want)
	}
	// A link to older messages kept from before the clear leads nowhere.
	p, err := st.Page(testCtx(t), stale.Older, 10)
	if err != nil || len(p.Messages) != 0 || p.Older != "" {
		t.Errorf("Page(cursor from before the clear) after Purge = %q (older %q), %v; want an empty page", texts(p.Messages), p.Older, err)
	}
	if n, err := st.Purge(testCtx(t)); n != 0 || err != nil {
		t.Errorf("second Purge = %d, %v; want 0, nil", n, err)
	}
}

func TestPurgeManyInPages(t *testing.T) {
	endpoint := dynalite.Start(t)
	m := newMeter()
	st := newStore(t, endpoint, dynamostore.Config{}, m.option)
	saveMany(t, st, 260)
	if err := st.Clear(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	m.reset()
	n, err := st.Purge(testCtx(t))
	if err != nil || n != 260 {
		t.Fatalf("Purge = %d, %v; want 260, nil", n, err)
	}
	calls, _, _, _ := m.read()
	// One Query for the marker and three key pages of 100; a delete each.
	if got, want := calls, map[string]int{"Query": 4, "DeleteItem": 260}; !maps.Equal(got, want) {
		t.Errorf("Purge of 260 sent %v, want %v", got, want)
	}
	if got := countItems(t, st); got != 1 {
		t.Errorf("table holds %d items after Purge, want 1 (the marker)", got)
	}
}

// TestPurgeLeavesAMessageSentAgainAfterTheClear sends a form again, after
// a clear, while a purge that has already read the hidden copy's key runs:
// the purge must not delete the message put again.
func TestPurgeLeavesAMessageSentAgainAfterTheClear(t *testing.T) {
	st := newStore(t, dynalite.Start(t), dynamostore.Config{})
	id := board.NewID(time.Now())
	if _, err := st.Save(testCtx(t), id, "sent twice"); err != nil {
		t.Fatal(err)
	}
	storetest.SaveN(t, st, "cleared", 3)
	if err := st.Clear(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	dynamostore.BeforePurgeDeletes(st, func() {
		once.Do(func() {
			if _, err := st.Save(testCtx(t), id, "sent twice"); err != nil {
				t.Error(err)
			}
		})
	})
	n, err := st.Purge(testCtx(t))
	if err != nil || n != 3 {
		t.Errorf("Purge = %d, %v; want 3 (the cleared messages, not the one sent again), nil", n, err)
	}
	if got := texts(storetest.All(t, st, 50)); !slices.Equal(got, []string{"sent twice"}) {
		t.Errorf("board after the purge = %q, want [\"sent twice\"]", got)
	}
}

func TestExpiredMessagesAreSkipped(t *testing.T) {
	endpoint := dynalite.Start(t)
	st := newStore(t, endpoint, dynamostore.Config{Retention: time.Hour})
	now := time.Now()
	clock := now.Add(-2 * time.Hour)
	dynamostore.SetClock(st, func() time.Time { return clock })
	storetest.SaveN(t, st, "expired", 3)
	clock = now
	fresh := storetest.SaveN(t, st, "fresh", 2)

	p, err := st.Page(testCtx(t), "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := texts(p.Messages), texts(fresh); !slices.Equal(got, want) || p.Older != "" {
		t.Errorf("Page = %q (older %q), want %q and no older cursor: items past their TTL are not shown", got, p.Older, want)
	}
	// Page by page, the expired items make pages short, but the cursor
	// moves on past them and the walk ends.
	if got, want := texts(storetest.All(t, st, 1)), texts(fresh); !slices.Equal(got, want) {
		t.Errorf("walking pages of 1 = %q, want %q", got, want)
	}
}

func TestPagesBeyondOneMegabyteGoOn(t *testing.T) {
	endpoint := dynalite.Start(t)
	st := newStore(t, endpoint, dynamostore.Config{})
	// 600 messages of 1,000 emoji: more than one Query may return (1 MB),
	// as DynamoDB counts them (4,000 bytes each) and as dynalite does
	// (2,000 UTF-16 code units each).
	long := strings.Repeat("🙂", 1000)
	var want []string
	for i := range 600 {
		text := fmt.Sprintf("%d %s", i, long)
		if _, err := st.Save(testCtx(t), board.NewID(time.Now()), text); err != nil {
			t.Fatal(err)
		}
		want = append(want, text)
	}
	p, err := st.Page(testCtx(t), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Messages) == 600 || p.Older == "" {
		t.Fatalf("Page(\"\", 1000) = %d messages (older %q), want fewer than 600 and an older cursor: the Query stops at 1 MB", len(p.Messages), p.Older)
	}
	if got := texts(storetest.All(t, st, 1000)); !slices.Equal(got, want) {
		t.Errorf("pages of up to 1000 held %d messages, want all 600 in order", len(got))
	}
}

// blockingPurge is a purge for a Purger that counts its runs and, until
// released, blocks each one.
type blockingPurge struct {
	runs, finished atomic.Int64
	started        chan struct{} // receives when a run starts
	release        chan struct{}
}

func newBlockingPurge() *blockingPurge {
	return &blockingPurge{started: make(chan struct{}, 100), release: make(chan struct{})}
}

func (b *blockingPurge) purge(ctx context.Context) (int, error) {
	b.runs.Add(1)
	b.started <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	b.finished.Add(1)
	return 0, nil
}

func waitFor(tb testing.TB, what string, ch <-chan struct{}) {
	tb.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		tb.Fatalf("waited 10s for %s", what)
	}
}

func TestPurgerCoalescesClears(t *testing.T) {
	st := newStore(t, dynalite.Start(t), dynamostore.Config{})
	b := newBlockingPurge()
	p := dynamostore.StartPurgerWith(st, slog.New(slog.DiscardHandler), time.Minute, b.purge)
	defer p.Stop(testCtx(t))

	if err := st.Clear(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first clear's purge to start", b.started)
	for range 19 {
		if err := st.Clear(testCtx(t)); err != nil {
			t.Fatal(err)
		}
	}
	close(b.release)
	waitFor(t, "one more purge for the clears that came during the first", b.started)
	time.Sleep(200 * time.Millisecond) // time for a wrong third run to begin
	if got := b.runs.Load(); got != 2 {
		t.Errorf("20 clears, 19 of them during a purge, ran %d purges; want 2 (one running, one more for the rest)", got)
	}
}

func TestPurgerStopWaitsForTheRunningPurge(t *testing.T) {
	st := newStore(t, dynalite.Start(t), dynamostore.Config{})
	b := newBlockingPurge()
	p := dynamostore.StartPurgerWith(st, slog.New(slog.DiscardHandler), time.Minute, b.purge)
	if err := st.Clear(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the purge to start", b.started)

	stopped := make(chan error, 1)
	go func() { stopped <- p.Stop(testCtx(t)) }()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned %v while a purge was running, want it to wait for the purge", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(b.release)
	if err := <-stopped; err != nil {
		t.Errorf("Stop = %v, want nil", err)
	}
	if got := b.finished.Load(); got != 1 {
		t.Errorf("Stop returned with %d purges finished, want 1", got)
	}
	if err := st.Clear(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if got := b.runs.Load(); got != 1 {
		t.Errorf("a clear after Stop started a purge (%d runs), want none", got)
	}
}

func TestPurgerStopCancelsAtItsDeadline(t *testing.T) {
	st := newStore(t, dynalite.Start(t), dynamostore.Config{})
	b := newBlockingPurge() // never released: the purge ends when cancelled
	p := dynamostore.StartPurgerWith(st, slog.New(slog.DiscardHandler), time.Minute, b.purge)
	if err := st.Clear(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the purge to start", b.started)
	ctx, cancel := context.WithTimeout(testCtx(t), 100*time.Millisecond)
	defer cancel()
	if err := p.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop with a purge that outlasts its deadline = %v, want context.DeadlineExceeded", err)
	}
}

func TestPurgerPurges(t *testing.T) {
	st := newStore(t, dynalite.Start(t), dynamostore.Config{})
	var logs testenv.Buffer
	p := st.StartPurger(slog.New(slog.NewTextHandler(&logs, nil)), time.Minute)
	storetest.SaveN(t, st, "cleared", 30)
	if err := st.Clear(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for countItems(t, st) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("table holds %d items 10s after the clear, want 1 (the marker)", countItems(t, st))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := p.Stop(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "msg=purge deleted=30") {
		t.Errorf("log = %q, want a line saying the purge deleted 30 items", logs.String())
	}
}
