// Package storetest is the contract every board.Store must keep, written
// once and run against each implementation (memstore, dynamostore), so the
// board behaves the same on a laptop and in AWS.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"tinyboard/internal/board"
)

// Suite runs the contract against one kind of Store.
type Suite struct {
	// New returns an empty Store; each test calls it once.
	New func(tb testing.TB) board.Store
	// NewWithRetention returns an empty Store that shows a message for
	// retention after it was posted, and tells the time with now().
	NewWithRetention func(tb testing.TB, retention time.Duration, now func() time.Time) board.Store
	// Many is how many messages the pagination test walks through
	// (120 when zero).
	Many int
	// Faults are the ways the storage behind this kind of Store can fail,
	// each with the kind of error it must give.
	Faults []Fault
}

// A Fault is one way a Store's storage fails, such as a missing table or
// a refused connection.
type Fault struct {
	Name string
	// Want is the error every failing call must match: board.ErrUnavailable
	// (trying again may help) or board.ErrBroken (someone must fix it).
	Want error
	// New returns a Store whose storage fails this way.
	New func(tb testing.TB) board.Store
	// PageOnly says only Page fails (a damaged item, a missing index);
	// Save and Clear are not tried.
	PageOnly bool
}

// Run runs every test of the contract as a subtest of t.
func (s Suite) Run(t *testing.T) {
	t.Run("EmptyBoard", s.testEmptyBoard)
	t.Run("SaveThenPage", s.testSaveThenPage)
	t.Run("TextRoundTrips", s.testTextRoundTrips)
	t.Run("SameSubmissionStoresOnce", s.testSameSubmissionStoresOnce)
	t.Run("EditedSubmissionIsANewMessage", s.testEditedSubmission)
	t.Run("RepeatAfterClearIsShown", s.testRepeatAfterClear)
	t.Run("PagesVisitEveryMessageOnce", s.testPagesVisitEveryMessageOnce)
	t.Run("ExactPageHasNoOlder", s.testExactPageHasNoOlder)
	t.Run("DamagedCursor", s.testDamagedCursor)
	t.Run("ClearHidesEarlierShowsLater", s.testClear)
	t.Run("ConcurrentSaves", s.testConcurrentSaves)
	t.Run("DoneContext", s.testDoneContext)
	if s.NewWithRetention != nil {
		t.Run("ExpiredMessagesAreNotShown", s.testRetention)
	}
	for _, f := range s.Faults {
		t.Run("Fault/"+f.Name, f.test)
	}
}

func ctx(tb testing.TB) context.Context {
	tb.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tb.Cleanup(cancel)
	return c
}

// SaveN saves n messages with fresh ids and texts "<prefix> 0" … and
// returns them in the order saved.
func SaveN(tb testing.TB, st board.Store, prefix string, n int) []board.Message {
	tb.Helper()
	var out []board.Message
	for i := range n {
		m, err := st.Save(ctx(tb), board.NewID(time.Now()), fmt.Sprintf("%s %d", prefix, i))
		if err != nil {
			tb.Fatalf("Save #%d: %v", i, err)
		}
		out = append(out, m)
	}
	return out
}

// All follows Older cursors from the newest page to the oldest and returns
// every message seen, oldest first, failing tb if any page is out of order.
func All(tb testing.TB, st board.Store, limit int) []board.Message {
	tb.Helper()
	var pages [][]board.Message
	cursor := ""
	for range 100000 {
		p, err := st.Page(ctx(tb), cursor, limit)
		if err != nil {
			tb.Fatalf("Page(%q, %d): %v", cursor, limit, err)
		}
		if len(p.Messages) > limit {
			tb.Fatalf("Page(%q, %d) returned %d messages, want at most %d", cursor, limit, len(p.Messages), limit)
		}
		pages = append(pages, p.Messages)
		if p.Older == "" {
			break
		}
		if len(p.Messages) > 0 && p.Older != board.Cursor(p.Messages[0]) {
			tb.Fatalf("Older = %q, want the cursor of the page's oldest message %q", p.Older, board.Cursor(p.Messages[0]))
		}
		cursor = p.Older
	}
	var all []board.Message
	for _, p := range slices.Backward(pages) {
		all = append(all, p...)
	}
	for i := 1; i < len(all); i++ {
		if board.Cursor(all[i-1]) >= board.Cursor(all[i]) {
			tb.Fatalf("message %d %q (posted %v) comes before %q (posted %v), want board order", i-1, all[i-1].Text, all[i-1].Posted, all[i].Text, all[i].Posted)
		}
	}
	return all
}

func texts(msgs []board.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

func (s Suite) testEmptyBoard(t *testing.T) {
	st := s.New(t)
	p, err := st.Page(ctx(t), "", 50)
	if err != nil || len(p.Messages) != 0 || p.Older != "" {
		t.Fatalf("Page on an empty board = %+v, %v; want no messages, no older cursor", p, err)
	}
}

func (s Suite) testSaveThenPage(t *testing.T) {
	st := s.New(t)
	before := time.Now().Add(-time.Second)
	saved := SaveN(t, st, "msg", 3)
	after := time.Now().Add(time.Second)
	p, err := st.Page(ctx(t), "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := texts(p.Messages), []string{"msg 0", "msg 1", "msg 2"}; !slices.Equal(got, want) {
		t.Fatalf("page texts = %q, want %q (oldest first)", got, want)
	}
	for i, m := range p.Messages {
		if m.ID != saved[i].ID || !m.Posted.Equal(saved[i].Posted) {
			t.Errorf("page message %d = %+v, want what Save returned %+v", i, m, saved[i])
		}
		if m.Posted.Location() != time.UTC || m.Posted.Before(before) || m.Posted.After(after) {
			t.Errorf("message %d posted %v, want a UTC time between %v and %v", i, m.Posted, before, after)
		}
	}
	if p.Older != "" {
		t.Errorf("Older = %q with 3 messages, want none", p.Older)
	}
}

func (s Suite) testTextRoundTrips(t *testing.T) {
	st := s.New(t)
	in := []string{
		"line one\nline two\n\nline four",
		`<script>alert(1)</script> "><img src=x onerror=alert(1)> & &amp;`,
		"héllo wörld 你好 🙂 \u200b",
		"  leading and trailing spaces  ",
	}
	for _, text := range in {
		if _, err := st.Save(ctx(t), board.NewID(time.Now()), text); err != nil {
			t.Fatal(err)
		}
	}
	p, err := st.Page(ctx(t), "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(p.Messages); !slices.Equal(got, in) {
		t.Fatalf("stored texts = %q, want exactly %q", got, in)
	}
}

// onBoard returns the texts on st's board, oldest first.
func onBoard(tb testing.TB, st board.Store) []string {
	tb.Helper()
	return texts(All(tb, st, 50))
}

func sameMessage(a, b board.Message) bool {
	return a.ID == b.ID && a.Text == b.Text && a.Posted.Equal(b.Posted)
}

// save saves text under id and fails tb on an error.
func save(tb testing.TB, st board.Store, id, text string) board.Message {
	tb.Helper()
	m, err := st.Save(ctx(tb), id, text)
	if err != nil {
		tb.Fatalf("Save(%q, %q): %v", id, text, err)
	}
	if m.Text != text {
		tb.Fatalf("Save(%q, %q) = message %+v, want its text %q", id, text, m, text)
	}
	return m
}

// A form sent twice (double click, browser retry): one message, and the
// same answer both times.
func (s Suite) testSameSubmissionStoresOnce(t *testing.T) {
	st := s.New(t)
	id := board.NewID(time.Now())
	first := save(t, st, id, "first")
	if first.ID != id {
		t.Errorf("Save under a fresh id stored it as %q, want %q", first.ID, id)
	}
	for range 2 {
		if again := save(t, st, id, "first"); !sameMessage(again, first) {
			t.Errorf("Save again with the same id and text = %+v, want the first message %+v", again, first)
		}
	}
	if got := onBoard(t, st); !slices.Equal(got, []string{"first"}) {
		t.Errorf("board after three saves of one submission = %q, want [\"first\"]", got)
	}
}

// Back, edit, Save: the form's id holds "helo", the new text "hello" is a
// new message, and a repeat of the edited form stores it once.
func (s Suite) testEditedSubmission(t *testing.T) {
	st := s.New(t)
	id := board.NewID(time.Now())
	first := save(t, st, id, "helo")
	edited := save(t, st, id, "hello")
	if edited.ID == first.ID {
		t.Errorf("edited text saved under the first id %q, want a fresh id", edited.ID)
	}
	if again := save(t, st, id, "hello"); !sameMessage(again, edited) {
		t.Errorf("the edited form sent again = %+v, want the edited message %+v", again, edited)
	}
	if again := save(t, st, id, "helo"); !sameMessage(again, first) {
		t.Errorf("the first form sent again = %+v, want the first message %+v", again, first)
	}
	third := save(t, st, id, "hello!")
	if third.ID == first.ID || third.ID == edited.ID {
		t.Errorf("a second edit saved under %q, want an id of its own", third.ID)
	}
	if got, want := onBoard(t, st), []string{"helo", "hello", "hello!"}; !slices.Equal(got, want) {
		t.Errorf("board = %q, want %q: every edit kept, each once", got, want)
	}
}

// A form submitted again after a clear (Back, or a retry) was submitted
// after the clear: it is saved again and shown, once.
func (s Suite) testRepeatAfterClear(t *testing.T) {
	st := s.New(t)
	id, other := board.NewID(time.Now()), board.NewID(time.Now())
	save(t, st, id, "before the clear")
	save(t, st, other, "edited later")
	if err := st.Clear(ctx(t)); err != nil {
		t.Fatal(err)
	}
	again := save(t, st, id, "before the clear")
	if got := onBoard(t, st); !slices.Equal(got, []string{"before the clear"}) {
		t.Fatalf("board after the form was sent again past a clear = %q, want [\"before the clear\"]", got)
	}
	if repeat := save(t, st, id, "before the clear"); !sameMessage(repeat, again) {
		t.Errorf("the same form once more = %+v, want the copy saved after the clear %+v", repeat, again)
	}
	save(t, st, other, "edited later, edited again")
	if got, want := onBoard(t, st), []string{"before the clear", "edited later, edited again"}; !slices.Equal(got, want) {
		t.Errorf("board = %q, want %q", got, want)
	}
	if err := st.Clear(ctx(t)); err != nil {
		t.Fatal(err)
	}
	save(t, st, id, "before the clear")
	if got := onBoard(t, st); !slices.Equal(got, []string{"before the clear"}) {
		t.Errorf("board after a second clear and the form once more = %q, want [\"before the clear\"]", got)
	}
}

// A message posted longer ago than the retention is not shown.
func (s Suite) testRetention(t *testing.T) {
	var mu sync.Mutex
	clock := time.Now().UTC().Truncate(time.Second)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(d)
	}
	st := s.NewWithRetention(t, 24*time.Hour, now)
	oldID := board.NewID(now())
	save(t, st, oldID, "two days old")
	advance(time.Hour)
	save(t, st, board.NewID(now()), "47 hours old")
	advance(46 * time.Hour)
	save(t, st, board.NewID(now()), "an hour old")
	advance(time.Hour)
	if got, want := onBoard(t, st), []string{"an hour old"}; !slices.Equal(got, want) {
		t.Errorf("board with a retention of 24h = %q, want %q", got, want)
	}
	advance(24 * time.Hour)
	if got := onBoard(t, st); len(got) != 0 {
		t.Errorf("board a day later = %q, want it empty", got)
	}
}

func (s Suite) testPagesVisitEveryMessageOnce(t *testing.T) {
	n := s.Many
	if n == 0 {
		n = 120
	}
	st := s.New(t)
	saved := SaveN(t, st, "m", n)
	all := All(t, st, 50)
	if len(all) != n {
		t.Fatalf("pages held %d messages, want %d", len(all), n)
	}
	for i := range all {
		if all[i].ID != saved[i].ID {
			t.Fatalf("message %d on the pages is %q, want %q (each once, in order)", i, all[i].Text, saved[i].Text)
		}
	}
	newest, err := st.Page(ctx(t), "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := newest.Messages[0].Text, fmt.Sprintf("m %d", n-50); got != want {
		t.Errorf("newest page starts with %q, want %q (the newest 50, oldest of them first)", got, want)
	}
}

func (s Suite) testExactPageHasNoOlder(t *testing.T) {
	st := s.New(t)
	SaveN(t, st, "m", 10)
	p, err := st.Page(ctx(t), "", 5)
	if err != nil || p.Older == "" {
		t.Fatalf("Page(limit 5) of 10 = older %q, %v; want an older cursor", p.Older, err)
	}
	p, err = st.Page(ctx(t), p.Older, 5)
	if err != nil || len(p.Messages) != 5 || p.Older != "" {
		t.Fatalf("second page of 10 by 5 = %d messages, older %q, %v; want 5 messages and no older cursor", len(p.Messages), p.Older, err)
	}
}

func (s Suite) testDamagedCursor(t *testing.T) {
	st := s.New(t)
	for _, c := range []string{"garbage", "12-<b>", "00000000000000000001-!!"} {
		if _, err := st.Page(ctx(t), c, 50); !errors.Is(err, board.ErrInvalid) {
			t.Errorf("Page(%q) error = %v, want one wrapping board.ErrInvalid", c, err)
		}
	}
}

func (s Suite) testClear(t *testing.T) {
	st := s.New(t)
	SaveN(t, st, "before", 5)
	if err := st.Clear(ctx(t)); err != nil {
		t.Fatal(err)
	}
	p, err := st.Page(ctx(t), "", 50)
	if err != nil || len(p.Messages) != 0 || p.Older != "" {
		t.Fatalf("Page after Clear = %q (older %q), %v; want an empty board", texts(p.Messages), p.Older, err)
	}
	SaveN(t, st, "after", 2)
	if err := st.Clear(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := st.Clear(ctx(t)); err != nil {
		t.Fatalf("Clear of an empty board: %v", err)
	}
	later := SaveN(t, st, "later", 3)
	all := All(t, st, 2)
	if got, want := texts(all), texts(later); !slices.Equal(got, want) {
		t.Errorf("board after two clears = %q, want only the messages saved since %q", got, want)
	}
}

func (s Suite) testConcurrentSaves(t *testing.T) {
	st := s.New(t)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if _, err := st.Save(ctx(t), board.NewID(time.Now()), fmt.Sprintf("w%d-%d", w, i)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Save: %v", err)
	}
	all := All(t, st, 50)
	seen := make(map[string]bool)
	for _, m := range all {
		if seen[m.Text] {
			t.Errorf("message %q stored twice", m.Text)
		}
		seen[m.Text] = true
	}
	if len(seen) != workers*each {
		t.Errorf("stored %d distinct messages, want %d", len(seen), workers*each)
	}
}

func (s Suite) testDoneContext(t *testing.T) {
	st := s.New(t)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := st.Save(done, board.NewID(time.Now()), "never"); !errors.Is(err, board.ErrUnavailable) {
		t.Errorf("Save with a cancelled context: error = %v, want one matching board.ErrUnavailable", err)
	}
	if _, err := st.Page(done, "", 50); !errors.Is(err, board.ErrUnavailable) {
		t.Errorf("Page with a cancelled context: error = %v, want one matching board.ErrUnavailable", err)
	}
	if err := st.Clear(done); !errors.Is(err, board.ErrUnavailable) {
		t.Errorf("Clear with a cancelled context: error = %v, want one matching board.ErrUnavailable", err)
	}
	p, err := st.Page(ctx(t), "", 50)
	if err != nil || len(p.Messages) != 0 {
		t.Errorf("board after a cancelled Save = %q, %v; want it empty", texts(p.Messages), err)
	}
}

// test checks every call to a Store with this fault fails with an error of
// the fault's kind, and of that kind only.
func (f Fault) test(t *testing.T) {
	st := f.New(t)
	other := board.ErrBroken
	if f.Want == board.ErrBroken {
		other = board.ErrUnavailable
	}
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, f.Want) || errors.Is(err, other) || errors.Is(err, board.ErrInvalid) {
			t.Errorf("%s with %s: error = %v, want one matching %v only", op, f.Name, err, f.Want)
		}
	}
	_, err := st.Page(ctx(t), "", 50)
	check("Page", err)
	if f.PageOnly {
		return
	}
	_, err = st.Save(ctx(t), board.NewID(time.Now()), "lost")
	check("Save", err)
	check("Clear", st.Clear(ctx(t)))
}
