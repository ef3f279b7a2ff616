package board

import (
	"crypto/sha256"
	"strconv"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
)

// IDLifetime is how long a form's one-time id stays usable. A form older
// than this gets a fresh id, so its message is stored even if the same id
// was used before and its first copy has since been cleared away.
const IDLifetime = 24 * time.Hour

// NewID returns a fresh one-time message id (a ULID) minted at now.
func NewID(now time.Time) string {
	return ulid.MustNew(ulid.Timestamp(now), ulid.DefaultEntropy()).String()
}

// NextID returns the id a message is saved under when id already holds a
// different text (the form was edited and sent again). It is a ULID with
// id's time, so it is as fresh as id, and a random part hashed from id and
// salt (the new text), so the same id and salt always give the same next
// id and a repeated submission finds its first copy there.
func NextID(id, salt string) string {
	var u ulid.ULID
	if parsed, err := ulid.ParseStrict(id); err == nil {
		u = parsed
	}
	sum := sha256.Sum256([]byte(id + "\x00" + salt))
	copy(u[6:], sum[:len(u)-6])
	return u.String()
}

// UsableID reports whether id is a well-formed id, written the way NewID
// writes it, minted within IDLifetime before now (and not in the future,
// give or take a minute of clock skew).
func UsableID(id string, now time.Time) bool {
	u, err := ulid.ParseStrict(id)
	if err != nil || u.String() != id {
		return false
	}
	minted := ulid.Time(u.Time())
	return minted.After(now.Add(-IDLifetime)) && minted.Before(now.Add(time.Minute))
}

// Cursor returns the position of m in the board's order: by Posted, then
// by ID. Cursors sort as strings in the same order as the messages they
// name, so a store can use one as a sort key; a Page's Older cursor is the
// Cursor of its oldest message.
func Cursor(m Message) string {
	var digits [20]byte
	n := strconv.AppendInt(digits[:0], m.Posted.UnixNano(), 10)
	b := make([]byte, 0, 21+len(m.ID))
	for range 20 - len(n) {
		b = append(b, '0')
	}
	b = append(b, n...)
	b = append(b, '-')
	b = append(b, m.ID...)
	return string(b)
}

// ParseCursor checks a cursor that came from a client and returns the
// posted time it names; its error wraps ErrInvalid.
func ParseCursor(cursor string) (time.Time, error) {
	nanos, id, ok := strings.Cut(cursor, "-")
	// Only digits: ParseInt alone would also take "+…" and "-000…", which
	// name a time but sort elsewhere as strings.
	digitsOnly := !strings.ContainsFunc(nanos, func(r rune) bool { return r < '0' || r > '9' })
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || len(nanos) != 20 || !digitsOnly || err != nil || n < 0 || !validIDChars(id) {
		return time.Time{}, Invalid("The link to older messages is damaged; go back to the newest messages and follow it again.")
	}
	return time.Unix(0, n).UTC(), nil
}

func validIDChars(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !strings.ContainsRune(ulid.Encoding, c) {
			return false
		}
	}
	return true
}
