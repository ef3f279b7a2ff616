// Package memstore keeps the board's messages in memory, for localdev and
// tests. Everything is lost when the process ends.
package memstore

import (
	"context"
	"sort"
	"sync"
	"time"

	"tinyboard/internal/board"
)

var _ board.Store = (*Store)(nil)

// Store is a board.Store in memory, safe for concurrent use. The zero value
// is not usable; call New.
type Store struct {
	now func() time.Time

	mu   sync.Mutex
	msgs []board.Message // in board order: by Posted, then ID
	byID map[string]board.Message
	last time.Time // Posted of the newest message ever saved
}

// New returns an empty Store that stamps messages with the current time.
func New() *Store {
	return NewWithClock(time.Now)
}

// NewWithClock returns an empty Store that stamps messages with now().
// Posted times still never go backwards, whatever the clock does.
func NewWithClock(now func() time.Time) *Store {
	return &Store{now: now, byID: make(map[string]board.Message)}
}

// Save implements board.Store.
func (s *Store) Save(ctx context.Context, id, text string) (board.Message, error) {
	if err := ctx.Err(); err != nil {
		return board.Message{}, board.Unavailable(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.byID[id]; ok {
		return m, nil
	}
	posted := s.now().UTC()
	if !posted.After(s.last) {
		posted = s.last.Add(time.Nanosecond)
	}
	s.last = posted
	m := board.Message{ID: id, Text: text, Posted: posted}
	s.msgs = append(s.msgs, m)
	s.byID[id] = m
	return m, nil
}

// Page implements board.Store.
func (s *Store) Page(ctx context.Context, cursor string, limit int) (board.Page, error) {
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

// Len returns how many messages the board holds, for tests that check
// nothing was stored.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}
