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

// The bounds of the settings, the same wherever they are read
// (web.ConfigFromEnv) or declared (template.yaml's parameters).
const (
	// MaxMessageChars is the highest message limit (MESSAGE_MAX_CHARS)
	// that may be configured.
	MaxMessageChars = 10000
	// MaxPageSize is the largest page (PAGE_SIZE) that may be configured.
	MaxPageSize = 500
	// MaxRetentionDays is the longest retention (MESSAGE_RETENTION_DAYS)
	// that may be configured; 0 keeps messages for ever.
	MaxRetentionDays = 3650
)

// CleanText returns text as it will be stored, or an error wrapping
// ErrInvalid that says what to fix. Line breaks become "\n" before the
// length is counted, so a browser's CRLF does not count twice. A message
// needs at least one visible character: one that is neither white space
// nor a default-ignorable code point (zero-width space, joiners, BOM, soft
// hyphen, …), which would show as an empty card.
func CleanText(text string, maxChars int) (string, error) {
	if !utf8.ValidString(text) {
		return "", Invalid("The message is not valid UTF-8 text; send it encoded as UTF-8.")
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	if strings.TrimSpace(text) == "" {
		return "", Invalid("The message is empty; write something before saving.")
	}
	if !strings.ContainsFunc(text, visible) {
		return "", Invalid("The message has only invisible characters, such as zero-width spaces; write something visible before saving.")
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

// visible reports whether r shows as something on the page: it is not
// white space and not a default-ignorable code point.
func visible(r rune) bool {
	return !unicode.IsSpace(r) && !defaultIgnorable(r)
}

// defaultIgnorable reports whether r has Unicode's Default_Ignorable_Code_Point
// property, derived as Unicode's DerivedCoreProperties.txt does:
// Other_Default_Ignorable_Code_Point, format characters (Cf) and variation
// selectors, less white space, the interlinear annotation and Egyptian
// hieroglyph format characters, and the prepended concatenation marks.
func defaultIgnorable(r rune) bool {
	switch {
	case unicode.Is(unicode.White_Space, r),
		r >= 0xFFF9 && r <= 0xFFFB,
		r >= 0x13430 && r <= 0x1343F,
		unicode.Is(unicode.Prepended_Concatenation_Mark, r):
		return false
	}
	return unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Cf, unicode.Variation_Selector)
}
