// Package memstore keeps the board's messages in memory, for localdev and
// tests. Everything is lost when the process ends.
package memstore

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"tinyboard/internal/board"
)

var _ board.Store = (*Store)(nil)

// Store is a board.Store in memory, safe for concurrent use. The zero value
// is not usable; call New.
type Store struct {
	now       func() time.Time
	retention time.Duration

	mu   sync.Mutex
	msgs []board.Message // in board order: by Posted, then ID
	byID map[string]board.Message
	last time.Time // Posted of the newest message ever saved
}

// New returns an empty Store that stamps messages with the current time
// and keeps them until they are cleared.
func New() *Store {
	return NewWithOptions(Options{})
}

// NewWithClock returns an empty Store that stamps messages with now().
// Posted times still never go backwards, whatever the clock does.
func NewWithClock(now func() time.Time) *Store {
	return NewWithOptions(Options{Now: now})
}

// Options are the settings of NewWithOptions.
type Options struct {
	// Now tells the time (time.Now when nil).
	Now func() time.Time
	// Retention is how long a message is shown after it was posted
	// (MESSAGE_RETENTION_DAYS); zero keeps messages until they are cleared.
	Retention time.Duration
}

// NewWithOptions returns an empty Store with the given options.
func NewWithOptions(o Options) *Store {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Store{now: o.Now, retention: o.Retention, byID: make(map[string]board.Message)}
}

// maxIDTries bounds how many ids Save walks through (see board.NextID)
// before it gives up; two are enough unless ids collide.
const maxIDTries = 8

// Save implements board.Store.
func (s *Store) Save(ctx context.Context, id, text string) (board.Message, error) {
	if err := ctx.Err(); err != nil {
		return board.Message{}, board.Unavailable(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	s.dropExpired(now)
	// A Clear forgets the ids of what it hid, and dropExpired those of
	// expired messages, so an id found here is on the board.
	for range maxIDTries {
		m, ok := s.byID[id]
		if !ok {
			posted := now
			if !posted.After(s.last) {
				posted = s.last.Add(time.Nanosecond)
			}
			s.last = posted
			m = board.Message{ID: id, Text: text, Posted: posted}
			s.msgs = append(s.msgs, m)
			s.byID[id] = m
			return m, nil
		}
		if m.Text == text {
			return m, nil
		}
		id = board.NextID(id, text)
	}
	return board.Message{}, board.Broken(fmt.Errorf("save: %d ids in a row already hold other texts", maxIDTries))
}

// dropExpired forgets the messages posted more than the retention before
// now. They are the oldest ones, at the start of s.msgs. Call it with s.mu
// held.
func (s *Store) dropExpired(now time.Time) {
	if s.retention <= 0 {
		return
	}
	cutoff := now.Add(-s.retention)
	n := sort.Search(len(s.msgs), func(i int) bool { return s.msgs[i].Posted.After(cutoff) })
	for _, m := range s.msgs[:n] {
		delete(s.byID, m.ID)
	}
	// Reslicing leaves the array as it is, which pages handed out share.
	s.msgs = s.msgs[n:]
}

// Page implements board.Store.
func (s *Store) Page(ctx context.Context, cursor string, limit int) (board.Page, error) {
	limit = max(limit, 1) // as dynamostore reads it
	if cursor != "" {
		if _, err := board.ParseCursor(cursor); err != nil {
			return board.Page{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return board.Page{}, board.Unavailable(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropExpired(s.now().UTC())
	end := len(s.msgs)
	if cursor != "" {
		end = sort.Search(len(s.msgs), func(i int) bool { return board.Cursor(s.msgs[i]) >= cursor })
	}
	start := max(end-limit, 0)
	// Stored messages never change, and Save only appends past end, so the
	// page can share the store's array; the capacity cut keeps a caller's
	// append from writing into it.
	page := board.Page{Messages: s.msgs[start:end:end]}
	if start > 0 {
		page.Older = board.Cursor(s.msgs[start])
	}
	return page, nil
}

// Clear implements board.Store.
func (s *Store) Clear(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return board.Unavailable(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
	s.byID = make(map[string]board.Message)
	return nil
}

// AnswersFromMemory marks the Store as one that never waits on anything
// but its own short lock, so a caller may skip the deadline and the
// goroutine it would guard a slower store's calls with.
func (s *Store) AnswersFromMemory() {}

// Len returns how many messages the board holds, for tests that check
// nothing was stored.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}
