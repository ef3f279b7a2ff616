package board_test

import (
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"tinyboard/internal/board"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string // part of the sentence shown to the user
	}{
		{"plain", "hello", "hello", ""},
		{"crlf becomes lf", "a\r\nb\rc", "a\nb\nc", ""},
		{"tabs kept", "a\tb", "a\tb", ""},
		{"html kept as text", "<script>alert(1)</script>", "<script>alert(1)</script>", ""},
		{"empty", "", "", "empty"},
		{"whitespace only", " \r\n\t\u00a0 ", "", "empty"},
		{"invalid utf-8", "caf\xe9", "", "UTF-8"},
		{"nul", "a\x00b", "", "control character U+0000"},
		{"escape", "a\x1b[31m", "", "control character U+001B"},
		{"1000 multi-byte", strings.Repeat("é", 1000), strings.Repeat("é", 1000), ""},
		{"1000 emoji", strings.Repeat("🙂", 1000), strings.Repeat("🙂", 1000), ""},
		{"1001", strings.Repeat("a", 1001), "", "1001 characters long; the limit is 1000"},
		// 1000 characters when CRLF counts as one, 1999 if it counted as two.
		{"999 crlf and a letter at the limit", strings.Repeat("\r\n", 999) + "x", strings.Repeat("\n", 999) + "x", ""},
		{"1000 crlf and a letter", strings.Repeat("\r\n", 1000) + "x", "", "1001 characters long; the limit is 1000"},
		{"zero-width space only", "\u200b", "", "invisible"},
		{"word joiner only", "\u2060\u2060", "", "invisible"},
		{"BOM only", "\ufeff", "", "invisible"},
		{"soft hyphen only", "\u00ad", "", "invisible"},
		{"joiners and spaces", " \u200c\u200d \n\u200b\t", "", "invisible"},
		{"variation selector only", "\ufe0f", "", "invisible"},
		{"bidi controls only", "\u202e\u2066\u2069\u200f", "", "invisible"},
		{"hangul filler only", "\u3164", "", "invisible"},
		{"tag characters only", "\U000e0041\U000e0042", "", "invisible"},
		{"zero-width space around a letter", "\u200bx\u200b", "\u200bx\u200b", ""},
		{"emoji with a joiner", "👩\u200d💻", "👩\u200d💻", ""},
		{"arabic number sign (visible format character)", "\u0600", "\u0600", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := board.CleanText(tt.in, 1000)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("CleanText(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, board.ErrInvalid) {
				t.Fatalf("CleanText(%q) error = %v, want one wrapping ErrInvalid", tt.in, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("CleanText(%q) error = %q, want it to mention %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestNextID(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	id := board.NewID(now)
	next := board.NextID(id, "hello")
	if next == id {
		t.Fatalf("NextID(%q, \"hello\") = the same id, want another", id)
	}
	if again := board.NextID(id, "hello"); again != next {
		t.Errorf("NextID twice with the same id and salt = %q, then %q; want the same id", next, again)
	}
	if other := board.NextID(id, "hello!"); other == next {
		t.Errorf("NextID with salts \"hello\" and \"hello!\" both gave %q, want different ids", next)
	}
	if other := board.NextID(board.NewID(now), "hello"); other == next {
		t.Errorf("NextID of two ids with the same salt both gave %q, want different ids", next)
	}
	if !board.UsableID(next, now) {
		t.Errorf("NextID(%q) = %q, not usable now; want an id as fresh as the first", id, next)
	}
	if _, err := board.ParseCursor(board.Cursor(board.Message{ID: board.NextID("not a ulid", "x"), Posted: now})); err != nil {
		t.Errorf("NextID of a malformed id gives an id a cursor cannot hold: %v", err)
	}
}

func TestUsableID(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	fresh := board.NewID(now)
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"fresh", fresh, true},
		{"an hour old", board.NewID(now.Add(-time.Hour)), true},
		{"older than a day", board.NewID(now.Add(-25 * time.Hour)), false},
		{"from the future", board.NewID(now.Add(time.Hour)), false},
		{"lower case", strings.ToLower(fresh), false},
		{"empty", "", false},
		{"too short", fresh[:25], false},
		{"not crockford", "0000000000000000000000000U", false},
		{"markup", "<b>01JD</b>", false},
	}
	for _, tt := range tests {
		if got := board.UsableID(tt.id, now); got != tt.want {
			t.Errorf("%s: UsableID(%q) = %v, want %v", tt.name, tt.id, got, tt.want)
		}
	}
	if a, b := board.NewID(now), board.NewID(now); a == b {
		t.Errorf("two NewID calls both gave %q, want distinct ids", a)
	}
}

func TestCursorOrdersLikeMessages(t *testing.T) {
	base := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	msgs := []board.Message{
		{ID: "01B", Posted: base},
		{ID: "01A", Posted: base.Add(time.Nanosecond)},
		{ID: "01C", Posted: base.Add(time.Nanosecond)},
		{ID: "00Z", Posted: base.Add(10 * time.Hour)},
		{ID: "01A", Posted: time.Unix(0, 5).UTC()},
	}
	var cursors []string
	for _, m := range msgs {
		cursors = append(cursors, board.Cursor(m))
	}
	sorted := sort.SliceIsSorted(cursors, func(i, j int) bool { return cursors[i] < cursors[j] })
	want := []string{board.Cursor(msgs[4]), board.Cursor(msgs[0]), board.Cursor(msgs[1]), board.Cursor(msgs[2]), board.Cursor(msgs[3])}
	sort.Strings(cursors)
	if sorted || strings.Join(cursors, " ") != strings.Join(want, " ") {
		t.Errorf("sorted cursors = %v, want %v", cursors, want)
	}
	for _, m := range msgs {
		got, err := board.ParseCursor(board.Cursor(m))
		if err != nil || !got.Equal(m.Posted) {
			t.Errorf("ParseCursor(Cursor(%v)) = %v, %v; want %v, nil", m, got, err, m.Posted)
		}
	}
}

func TestParseCursorRejectsDamage(t *testing.T) {
	for _, c := range []string{"", "x", "123-01A", "0000000000000000000a-01A", "00000000000000000001-", "00000000000000000001-<b>", "-0000000000000000001-01A"} {
		if _, err := board.ParseCursor(c); !errors.Is(err, board.ErrInvalid) {
			t.Errorf("ParseCursor(%q) error = %v, want one wrapping ErrInvalid", c, err)
		}
	}
}
