package board

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMaxChars is the longest message accepted unless configured
// otherwise, counted in Unicode code points.
const DefaultMaxChars = 1000

// DefaultPageSize is how many messages a page shows unless configured
// otherwise.
const DefaultPageSize = 50

// CleanText returns text as it will be stored, or an error wrapping
// ErrInvalid that says what to fix. Line breaks become "\n" before the
// length is counted, so a browser's CRLF does not count twice.
func CleanText(text string, maxChars int) (string, error) {
	if !utf8.ValidString(text) {
		return "", Invalid("The message is not valid UTF-8 text; send it encoded as UTF-8.")
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	if strings.TrimSpace(text) == "" {
		return "", Invalid("The message is empty; write something before saving.")
	}
	if n := utf8.RuneCountInString(text); n > maxChars {
		return "", Invalid("The message is %d characters long; the limit is %d, so shorten it by %d.", n, maxChars, n-maxChars)
	}
	for _, r := range text {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return "", Invalid("The message contains the control character %U; remove it.", r)
		}
	}
	return text, nil
}
