package board_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"tinyboard/internal/board"
)

// FuzzCleanText feeds CleanText any text and limit. Whatever it accepts
// must be what the board promises to store: valid UTF-8, "\n" line breaks
// only, within the limit, not blank, free of control characters other
// than newline and tab, and already clean. Whatever it refuses must be a
// client error the board can show.
// The seeds are in testdata/fuzz/FuzzCleanText.
func FuzzCleanText(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string, maxChars int) {
		// The limit is configured from 1 to board.MaxMessageChars
		// (web.ConfigFromEnv): fold the fuzzer's int into that range.
		if maxChars < 1 || maxChars > board.MaxMessageChars {
			maxChars = 1 + int(uint(maxChars)%board.MaxMessageChars)
		}
		got, err := board.CleanText(text, maxChars)
		if err != nil {
			if !errors.Is(err, board.ErrInvalid) {
				t.Fatalf("CleanText(%q, %d) error = %v, want one wrapping ErrInvalid", text, maxChars, err)
			}
			if got != "" {
				t.Errorf("CleanText(%q, %d) = %q with an error, want \"\"", text, maxChars, got)
			}
			return
		}
		if !utf8.ValidString(got) {
			t.Errorf("CleanText(%q, %d) = %q, want valid UTF-8", text, maxChars, got)
		}
		if strings.Contains(got, "\r") {
			t.Errorf("CleanText(%q, %d) = %q, want no CR", text, maxChars, got)
		}
		if n := utf8.RuneCountInString(got); n > maxChars {
			t.Errorf("CleanText(%q, %d) = %d code points, want at most %d", text, maxChars, n, maxChars)
		}
		if !strings.ContainsFunc(got, func(r rune) bool { return !unicode.IsSpace(r) && !ignorable(r) }) {
			t.Errorf("CleanText(%q, %d) = %q, want a visible character (neither white space nor default-ignorable)", text, maxChars, got)
		}
		for _, r := range got {
			if r != '\n' && r != '\t' && unicode.IsControl(r) {
				t.Errorf("CleanText(%q, %d) = %q, holding control character %U; want none but newline and tab", text, maxChars, got, r)
			}
		}
		if again, err := board.CleanText(got, maxChars); err != nil || again != got {
			t.Errorf("CleanText(CleanText(%q)) = %q, %v; want %q, nil (clean text stays as it is)", text, again, err, got)
		}
	})
}

// ignorable lists Unicode's Default_Ignorable_Code_Point ranges
// (DerivedCoreProperties.txt) outright, so the fuzz test does not share
// CleanText's derivation of them.
func ignorable(r rune) bool {
	for _, rg := range [][2]rune{
		{0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C}, {0x115F, 0x1160}, {0x17B4, 0x17B5},
		{0x180B, 0x180F}, {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x206F}, {0x3164, 0x3164},
		{0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF}, {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8}, {0x1BCA0, 0x1BCA3},
		{0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
	} {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// FuzzParseCursor feeds ParseCursor anything a client could put in
// ?before=. A cursor it accepts must be one the board could have written:
// board.Cursor of a message with that time and id gives the same cursor
// back, and it parses to the same time. A cursor it refuses is a client
// error.
// The seeds are in testdata/fuzz/FuzzParseCursor.
func FuzzParseCursor(f *testing.F) {
	f.Fuzz(func(t *testing.T, cursor string) {
		posted, err := board.ParseCursor(cursor)
		if err != nil {
			if !errors.Is(err, board.ErrInvalid) {
				t.Fatalf("ParseCursor(%q) error = %v, want one wrapping ErrInvalid", cursor, err)
			}
			return
		}
		_, id, ok := strings.Cut(cursor, "-")
		if !ok {
			t.Fatalf("ParseCursor(%q) accepted a cursor without a '-', want an error", cursor)
		}
		if posted.Location() != time.UTC {
			t.Errorf("ParseCursor(%q) = %v, want a time in UTC", cursor, posted)
		}
		again := board.Cursor(board.Message{ID: id, Posted: posted})
		if again != cursor {
			t.Errorf("Cursor of the message ParseCursor(%q) names = %q, want the same cursor (cursors sort as strings, so each position must have one spelling)", cursor, again)
		}
		if back, err := board.ParseCursor(again); err != nil || !back.Equal(posted) {
			t.Errorf("ParseCursor(%q) = %v, %v; want %v, nil", again, back, err, posted)
		}
	})
}
