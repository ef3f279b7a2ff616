package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tinyboard/internal/board"
)

// TestPageCacheServesWhatRenders checks that every page the cache serves
// is byte for byte the page boardPage renders for the same view and id,
// with the right Content-Length: for the first read and a repeat, after
// the messages change (a new one, the same id and time with another
// text), on an older page, and with texts that look like the ids the
// cache splits pages with.
func TestPageCacheServesWhatRenders(t *testing.T) {
	posted := time.Date(2026, 11, 24, 10, 3, 12, 0, time.UTC)
	msg := func(id, text string, minutes int) board.Message {
		return board.Message{ID: id, Text: text, Posted: posted.Add(time.Duration(minutes) * time.Minute)}
	}
	first := []board.Message{msg("01JDA000000000000000000001", "hello", 0), msg("01JDA000000000000000000002", "second <b>line</b>\nand more", 1)}
	views := []boardView{
		{Messages: first},
		{Messages: first},
		{Messages: append(first[:2:2], msg("01JDA000000000000000000003", "third", 2))},
		{Messages: []board.Message{first[0], msg(first[1].ID, "edited text, same id and time", 1)}},
		{Messages: first, Paged: true, Older: "00000001732442592000000000-01JDA000000000000000000001"},
		{Messages: []board.Message{msg("01JDA000000000000000000004", strings.Repeat("0", idLength)+" "+strings.Repeat("1", idLength), 3)}},
		{Messages: nil},
		{Messages: nil, Paged: true},
		{Messages: first},
	}
	c := newPageCache()
	rs := &responder{}
	var served []*renderedPage
	for i, v := range views {
		v.MaxChars = 1000
		v.ID = board.NewID(posted.Add(time.Duration(i) * time.Second))
		var want htmlWriter
		want.boardPage(v)
		rec := httptest.NewRecorder()
		c.serve(rec, rs, v)
		if got := rec.Body.String(); got != string(want.b) {
			t.Errorf("view %d: the cache served\n%s\nwant what boardPage renders:\n%s", i, got, want.b)
		}
		if got, want := rec.Header().Get("Content-Length"), len(want.b); got != strings.TrimSpace(got) || got != itoa(want) {
			t.Errorf("view %d: Content-Length %q, want %d", i, got, want)
		}
		served = append(served, c.last.Load())
	}
	if served[1] != served[0] {
		t.Errorf("the same messages read again were rendered again, want the cached page")
	}
	if served[3] == served[0] {
		t.Errorf("a message with the same id and time but another text got the cached page, want a new one")
	}
}

func itoa(n int) string {
	var b []byte
	for ; n > 0 || len(b) == 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
