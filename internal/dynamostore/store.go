// Package dynamostore keeps the board's messages in one DynamoDB table, so
// that every page view, save and clear costs the same small number of
// requests whether the board holds ten messages or a million.
//
// # Item layout
//
// The table has a string partition key PK and sort key SK, and one local
// secondary index, ByPosted, whose sort key is the string attribute Posted
// (projection ALL). Every item lives in the partition PK = "BOARD":
//
//	item          SK                 Posted              other attributes
//	message       "MSG#" + id        board.Cursor(msg)   Text; Expires (number) when a retention is set
//	clear marker  "CLEAR#" + cursor  cursor at the clear —
//
// Posted is board.Cursor: the post time in nanoseconds, 20 digits, then
// "-" and the id, so that as a string it sorts in board order. The store,
// not the client, picks the post time, just before the write.
//
// # Why this layout
//
//   - Save is one PutItem with the condition attribute_not_exists(PK). The
//     message id is the form's one-time id, so a retried submission fails
//     the condition instead of storing a copy, and the failure carries the
//     item already stored (ReturnValuesOnConditionCheckFailure; dynalite
//     ignores that parameter, so there, and only on this path, a GetItem
//     follows). A Query for the newest clear marker then tells whether a
//     clear has hidden that item. If not, the same text is the same
//     submission, answered with the stored message, and another text is a
//     new message, put under board.NextID(id, text). If so, the text was
//     sent after the clear: it is put again under id, posted after the
//     marker, on the condition that the hidden copy is unchanged. A new
//     message, the normal path, costs the one PutItem.
//   - Keying messages by id (SK) makes the duplicate check free; ordering
//     them by post time needs the index. A local, not global, secondary
//     index, because it can be read with ConsistentRead: a message is on the
//     board the moment Save returns.
//   - Clear is one PutItem of a marker whose Posted is the clear's time. A
//     page is one Query on ByPosted, newest first, Posted < the cursor,
//     Limit = page size + 1: it takes messages until it meets a marker,
//     which ends the board. So a clear takes effect in one write, for every
//     reader at once, and hides everything posted before it however much
//     that is; nothing is updated or deleted while a request waits.
//   - Purge, run outside requests (in the background after a clear, or on
//     a schedule), deletes what the newest marker hides — the cleared
//     messages and the older markers — one conditional DeleteItem each,
//     on the condition that the item is as the purge read it: a message
//     put again after the clear (see Save) is left alone. Until it has run, a
//     client that kept (or forged) an Older cursor from before the clear can
//     still page into the cleared messages: one Query cannot both look below
//     a cursor and above it for a newer marker.
//   - Expires is the table's TTL attribute, written only when the Store has
//     a Retention. DynamoDB deletes expired items in its own time (often
//     days later), so pages skip items whose Expires has passed; such a page
//     may be short, and its Older cursor still moves on. Markers never
//     expire, or cleared messages would come back.
//
// No transactions are used (dynalite has none); the one conditional write is
// Save's.
//
// # Errors
//
// A failed call is board.ErrUnavailable when the SDK would retry it (a
// refused or dropped connection, a timeout, throttling, a 5xx) or the
// context ended, so the client may try again; anything else (no such table
// or index, access denied, no credentials, a validation error, a damaged
// item) is board.ErrBroken, for the operator to fix. All items share one partition key, so the board is bounded by one
// partition's limits: 1,000 write units a second (a save of a short message
// takes two, one for the table and one for the index) and, because of the
// local index, 10 GB (some ten million messages) between purges.
//
// Post times come from the clock of whichever process saves or clears. A
// Store never hands out the same or an earlier time twice, so within one
// process a message saved after Clear returns is always shown; across
// processes (several Lambda instances) the guarantee is as good as their
// clocks agree.
package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"tinyboard/internal/board"
)

var _ board.Store = (*Store)(nil)

// Prefixes and the partition of the item layout; see the package comment.
const (
	boardPartition = "BOARD"
	messagePrefix  = "MSG#"
	clearPrefix    = "CLEAR#"
)

// maxLimit bounds the page size a Query asks for.
const maxLimit = 1 << 16

// item is every kind of item the table holds; which kind, its SK says.
type item struct {
	PK      string
	SK      string
	Posted  string
	Text    string `dynamodbav:",omitempty"`
	Expires int64  `dynamodbav:",omitempty"`
}

func (it item) isMarker() bool { return strings.HasPrefix(it.SK, clearPrefix) }

// expired reports whether the item's TTL has passed at now.
func (it item) expired(now time.Time) bool {
	return it.Expires != 0 && it.Expires <= now.Unix()
}

func (it item) message() (board.Message, error) {
	posted, err := board.ParseCursor(it.Posted)
	id, ok := strings.CutPrefix(it.SK, messagePrefix)
	if err != nil || !ok {
		return board.Message{}, board.Broken(fmt.Errorf("damaged item %q in the table: Posted %q", it.SK, it.Posted))
	}
	return board.Message{ID: id, Text: it.Text, Posted: posted}, nil
}

// key is an item's primary key.
type key struct {
	PK string
	SK string
}

// Store is a board.Store on a DynamoDB table, safe for concurrent use.
type Store struct {
	client    *dynamodb.Client
	table     string
	retention time.Duration

	// saveCond is Save's condition: no item with the message's key yet.
	saveCond expression.Expression

	now  func() time.Time
	mu   sync.Mutex
	last time.Time // the latest time stamp handed out

	// purger, when running, is asked for a purge after every Clear.
	purger atomic.Pointer[Purger]
	// beforePurgeDeletes, set by tests, runs between Purge's reading a
	// page of keys and deleting them.
	beforePurgeDeletes func()
}

// NewFromClient returns a Store on the table cfg.Table reached through
// client. Of cfg, only Table and Retention are used: the client carries
// the endpoint, region, credentials and retries.
func NewFromClient(client *dynamodb.Client, cfg Config) *Store {
	cond, err := expression.NewBuilder().
		WithCondition(expression.AttributeNotExists(expression.Name(PartitionKey))).
		Build()
	if err != nil {
		panic(err) // a constant expression
	}
	return &Store{
		client:    client,
		table:     cfg.Table,
		retention: cfg.Retention,
		saveCond:  cond,
		now:       time.Now,
	}
}

// stamp returns the time for a message or marker written now: the clock's
// time, but always later than any time this Store handed out before, and
// than after.
func (s *Store) stamp(after time.Time) time.Time {
	now := s.now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Before(after) {
		now = after
	}
	if !now.After(s.last) {
		now = s.last.Add(time.Nanosecond)
	}
	s.last = now
	return now
}

// maxIDTries bounds how many writes Save tries (see board.NextID) before
// it gives up; two or three are enough unless ids collide or many copies
// of one form race.
const maxIDTries = 8

// Save implements board.Store. A new message is one conditional PutItem;
// see the package comment for a repeated or edited submission.
func (s *Store) Save(ctx context.Context, id, text string) (board.Message, error) {
	cond := s.saveCond
	var after time.Time // a clear the message must be posted after
	for range maxIDTries {
		m, old, err := s.put(ctx, id, text, cond, after)
		if err != nil || old == nil {
			return m, err
		}
		cond, after = s.saveCond, time.Time{}
		if old.SK == "" {
			continue // the stored item vanished (purged) meanwhile: try again
		}
		marker, err := s.newestMarker(ctx, "save")
		if err != nil {
			return board.Message{}, err
		}
		if old.Posted > marker && !old.expired(s.now()) {
			if old.Text == text {
				return old.message() // the same submission
			}
			id = board.NextID(id, text) // an edited one
			continue
		}
		// A clear has hidden the copy under id: this submission came after
		// it. Put it again under id, posted after the clear, in place of
		// that copy as long as it is unchanged (a purge deletes it only as
		// long as it is unchanged, too).
		if cond, err = expression.NewBuilder().
			WithCondition(expression.Name(PostedKey).Equal(expression.Value(old.Posted))).
			Build(); err != nil {
			return board.Message{}, board.Broken(fmt.Errorf("save message: %w", err))
		}
		after, _ = board.ParseCursor(marker) // zero when never cleared (expired)
	}
	return board.Message{}, board.Unavailable(fmt.Errorf("save: %d writes in a row met another copy", maxIDTries))
}

// put writes text under id, posted after after, if cond holds; else it
// returns the item stored there instead, one with an empty SK when there
// is none.
func (s *Store) put(ctx context.Context, id, text string, cond expression.Expression, after time.Time) (board.Message, *item, error) {
	m := board.Message{ID: id, Text: text, Posted: s.stamp(after.Add(time.Nanosecond))}
	if _, err := board.ParseCursor(board.Cursor(m)); err != nil {
		return board.Message{}, nil, board.Invalid("The message id is malformed; reload the page and send the message again.")
	}
	it := item{PK: boardPartition, SK: messagePrefix + id, Posted: board.Cursor(m), Text: text}
	if s.retention > 0 {
		it.Expires = m.Posted.Add(s.retention).Unix()
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return board.Message{}, nil, board.Broken(fmt.Errorf("save message: %w", err))
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(s.table),
		Item:                                av,
		ConditionExpression:                 cond.Condition(),
		ExpressionAttributeNames:            cond.Names(),
		ExpressionAttributeValues:           cond.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failedCond *types.ConditionalCheckFailedException
	if errors.As(err, &failedCond) {
		old, err := s.stored(ctx, id, failedCond.Item)
		return board.Message{}, old, err
	}
	if err != nil {
		return board.Message{}, nil, failed(err, "save message")
	}
	return m, nil, nil
}

// stored returns the item stored under id, from old when the server sent
// it with the failed condition, else from a GetItem; an empty item when
// there is none.
func (s *Store) stored(ctx context.Context, id string, old map[string]types.AttributeValue) (*item, error) {
	if old == nil {
		k, err := attributevalue.MarshalMap(key{PK: boardPartition, SK: messagePrefix + id})
		if err != nil {
			return nil, board.Broken(fmt.Errorf("read saved message: %w", err))
		}
		out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(s.table),
			Key:            k,
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return nil, failed(err, "read saved message")
		}
		if out.Item == nil {
			return &item{}, nil
		}
		old = out.Item
	}
	var it item
	if err := attributevalue.UnmarshalMap(old, &it); err != nil {
		return nil, board.Broken(fmt.Errorf("read saved message: %w", err))
	}
	return &it, nil
}

// Page implements board.Store with one Query on the ByPosted index.
func (s *Store) Page(ctx context.Context, cursor string, limit int) (board.Page, error) {
	keyCond := expression.Key(PartitionKey).Equal(expression.Value(boardPartition))
	if cursor != "" {
		if _, err := board.ParseCursor(cursor); err != nil {
			return board.Page{}, err
		}
		keyCond = keyCond.And(expression.Key(PostedKey).LessThan(expression.Value(cursor)))
	}
	// A page longer than maxLimit would be cut at 1 MB by DynamoDB anyway.
	limit = min(max(limit, 1), maxLimit)
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return board.Page{}, board.Broken(fmt.Errorf("read page: %w", err))
	}
	out, err := s.client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(PostedIndex),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(false),
		ConsistentRead:            aws.Bool(true),
		// One more than the page holds: it tells whether the board goes on.
		Limit: aws.Int32(int32(limit + 1)),
	})
	if err != nil {
		return board.Page{}, failed(err, "read page")
	}
	var items []item
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return board.Page{}, board.Broken(fmt.Errorf("read page: damaged item: %w", err))
	}

	now := s.now()
	var page board.Page
	var end bool // reached a marker: nothing older is on the board
	for i, it := range items {
		if it.isMarker() {
			end = true
			break
		}
		if i == limit {
			// An older message exists; the next page starts below this one.
			page.Older = items[limit-1].Posted
			break
		}
		if it.expired(now) {
			continue
		}
		m, err := it.message()
		if err != nil {
			return board.Page{}, err
		}
		page.Messages = append(page.Messages, m)
	}
	if !end && page.Older == "" && len(items) > 0 && len(items) <= limit && out.LastEvaluatedKey != nil {
		// The Query stopped early at its 1 MB limit: go on below what it read.
		page.Older = items[len(items)-1].Posted
	}
	slices.Reverse(page.Messages)
	return page, nil
}

// Clear implements board.Store with one PutItem: a marker that hides every
// message posted before it. Purge reclaims their storage later; a running
// Purger is asked to.
func (s *Store) Clear(ctx context.Context) error {
	at := s.stamp(time.Time{})
	cursor := board.Cursor(board.Message{ID: board.NewID(at), Posted: at})
	av, err := attributevalue.MarshalMap(item{PK: boardPartition, SK: clearPrefix + cursor, Posted: cursor})
	if err != nil {
		return board.Broken(fmt.Errorf("clear: %w", err))
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item:      av,
	})
	if err != nil {
		return failed(err, "clear")
	}
	if p := s.purger.Load(); p != nil {
		p.request()
	}
	return nil
}
