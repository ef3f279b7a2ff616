// Package board is tinyboard's vocabulary: a Message, the Store that keeps
// messages, the errors a Store or a client can cause, and the rules a
// message must follow. It knows nothing of HTTP or AWS, so the web handlers,
// the in-memory store and the DynamoDB store all speak in its words.
package board

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A Message is one post on the board.
type Message struct {
	// ID is the id the message was saved under (a ULID): the form's
	// one-time id, or, when that id already holds another message, the id
	// NextID gives in its place.
	ID string `json:"id"`
	// Text is the message as the user wrote it, with line breaks as "\n".
	Text string `json:"text"`
	// Posted is when the store saved the message, in UTC. Pages are ordered
	// by it, not by ID, so a form opened long ago still posts at the bottom.
	Posted time.Time `json:"posted"`
}

// A Page is a run of consecutive messages, oldest first.
type Page struct {
	Messages []Message
	// Older is the cursor of the page before this one, or "" when there are
	// no older messages.
	Older string
}

// Store keeps the board's messages. Implementations must be safe for
// concurrent use, and must give up when ctx is done.
type Store interface {
	// Save stores a message with the given id and text and returns it with
	// its Posted time set by the store. Saving is idempotent for the same
	// submission, the same id and the same text:
	//
	//   - If a message with that id and text is on the board, Save stores
	//     nothing and returns it, so a retried submission is answered
	//     exactly like the first one.
	//   - If the id holds a different text (a form sent again after an
	//     edit), the text is a new message, saved under NextID(id, text),
	//     to which the same rules apply, so a repeat of the edited form is
	//     stored once too.
	//   - If the id's message was hidden by a Clear (or has expired), the
	//     text was submitted after the clear: it is saved again under id,
	//     posted now, and shown.
	Save(ctx context.Context, id, text string) (Message, error)
	// Page returns up to limit of the newest messages posted before cursor
	// (the newest of all when cursor is ""), oldest first.
	Page(ctx context.Context, cursor string, limit int) (Page, error)

	// Clear hides every message saved before it returns; messages saved
	// after it are shown.
	Clear(ctx context.Context) error
}

// ErrInvalid is wrapped by every error that a client caused and can fix;
// the error's text says what to fix and is safe to show.
var ErrInvalid = errors.New("invalid input")

// ErrUnavailable is wrapped by a Store's errors when the storage behind it
// failed in a way that may pass: it timed out, refused the connection,
// throttled the call or failed on its side. The client may try again.
var ErrUnavailable = errors.New("storage unavailable")

// ErrBroken is wrapped by a Store's errors when the storage behind it
// cannot work until someone fixes it: the table is missing, access is
// denied, there are no credentials, a request is invalid, or a stored item
// is damaged. Trying again does not help; the operator must look.
var ErrBroken = errors.New("storage broken")

// Invalid returns an error wrapping ErrInvalid whose text is the sentence
// formatted from format and args.
func Invalid(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }
func (e *inputError) Unwrap() error { return ErrInvalid }

// Unavailable wraps err, the failure of a storage call, so that it matches
// ErrUnavailable while keeping its cause for the logs.
func Unavailable(err error) error {
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// Broken wraps err, the failure of a storage call, so that it matches
// ErrBroken while keeping its cause for the logs.
func Broken(err error) error {
	return fmt.Errorf("%w: %w", ErrBroken, err)
}
