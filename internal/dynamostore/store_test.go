package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"tinyboard/internal/board"
	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
	"tinyboard/internal/storetest"
)

func testCtx(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

var tables atomic.Int64

// newStore returns a Store on a new, empty table of the server at
// endpoint, created with CreateTable. cfg's Endpoint and Table are set here.
func newStore(tb testing.TB, endpoint string, cfg dynamostore.Config, optFns ...func(*dynamodb.Options)) *dynamostore.Store {
	tb.Helper()
	cfg.Endpoint = endpoint
	cfg.Table = fmt.Sprintf("board-%d", tables.Add(1))
	st, err := dynamostore.New(aws.Config{}, cfg, optFns...)
	if err != nil {
		tb.Fatalf("New(%+v): %v", cfg, err)
	}
	if err := st.CreateTable(testCtx(tb)); err != nil {
		tb.Fatalf("CreateTable: %v", err)
	}
	return st
}

// countItems returns how many items the Store's table holds, of any kind.
func countItems(tb testing.TB, st *dynamostore.Store) int {
	tb.Helper()
	pages := dynamodb.NewScanPaginator(dynamostore.Client(st), &dynamodb.ScanInput{
		TableName:      aws.String(dynamostore.Table(st)),
		Select:         types.SelectCount,
		ConsistentRead: aws.Bool(true),
	})
	n := 0
	for pages.HasMorePages() {
		out, err := pages.NextPage(testCtx(tb))
		if err != nil {
			tb.Fatalf("Scan: %v", err)
		}
		n += int(out.Count)
	}
	return n
}

func texts(msgs []board.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

func TestContract(t *testing.T) {
	endpoint := dynalite.Start(t)
	storetest.Suite{
		New: func(tb testing.TB) board.Store {
			return newStore(tb, endpoint, dynamostore.Config{})
		},
		NewWithRetention: func(tb testing.TB, retention time.Duration, now func() time.Time) board.Store {
			st := newStore(tb, endpoint, dynamostore.Config{Retention: retention})
			dynamostore.SetClock(st, now)
			return st
		},
		Many:   2000,
		Faults: faults(endpoint),
	}.Run(t)
}

// faults are the ways a Store on the dynalite at endpoint can fail: the
// broken ones that dynalite itself produces, a fake server's errors
// through a proxy, and the unavailable ones through the fault proxy.
func faults(endpoint string) []storetest.Fault {
	// answering returns a Store on a good table whose calls go through a
	// proxy that answers status and body.
	answering := func(status int, body string) func(tb testing.TB) board.Store {
		return func(tb testing.TB) board.Store {
			px := dynalite.NewProxy(tb, endpoint)
			st := newStore(tb, px.URL(), dynamostore.Config{MaxBackoff: time.Millisecond})
			addr, _ := dynalite.Answering(tb, status, body)
			px.SendTo(tb, addr)
			return st
		}
	}
	// otherTable returns a Store on a table created by def.
	otherTable := func(def func(name string) *dynamodb.CreateTableInput) func(tb testing.TB) board.Store {
		return func(tb testing.TB) board.Store {
			good := newStore(tb, endpoint, dynamostore.Config{})
			client := dynamostore.Client(good)
			name := fmt.Sprintf("other-%d", tables.Add(1))
			if _, err := client.CreateTable(testCtx(tb), def(name)); err != nil {
				tb.Fatal(err)
			}
			waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 50 * time.Millisecond })
			if err := waiter.Wait(testCtx(tb), &dynamodb.DescribeTableInput{TableName: aws.String(name)}, time.Minute); err != nil {
				tb.Fatal(err)
			}
			return dynamostore.NewFromClient(client, dynamostore.Config{Table: name})
		}
	}
	return []storetest.Fault{
		{Name: "no such table", Want: board.ErrBroken, New: func(tb testing.TB) board.Store {
			good := newStore(tb, endpoint, dynamostore.Config{})
			return dynamostore.NewFromClient(dynamostore.Client(good), dynamostore.Config{Table: "no-such-table"})
		}},
		{Name: "table keyed by id (validation error)", Want: board.ErrBroken, New: otherTable(func(name string) *dynamodb.CreateTableInput {
			return &dynamodb.CreateTableInput{
				TableName:            aws.String(name),
				BillingMode:          types.BillingModePayPerRequest,
				AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
				KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
			}
		})},
		{Name: "table without the index (validation error)", Want: board.ErrBroken, PageOnly: true, New: otherTable(func(name string) *dynamodb.CreateTableInput {
			def := dynamostore.TableDefinition(name)
			def.LocalSecondaryIndexes = nil
			def.AttributeDefinitions = def.AttributeDefinitions[:2]
			return def
		})},
		{Name: "damaged item", Want: board.ErrBroken, PageOnly: true, New: func(tb testing.TB) board.Store {
			st := newStore(tb, endpoint, dynamostore.Config{})
			storetest.SaveN(tb, st, "fine", 2)
			_, err := dynamostore.Client(st).PutItem(testCtx(tb), &dynamodb.PutItemInput{
				TableName: aws.String(dynamostore.Table(st)),
				Item: map[string]types.AttributeValue{
					"PK":     &types.AttributeValueMemberS{Value: "BOARD"},
					"SK":     &types.AttributeValueMemberS{Value: "MSG#01JDAMAGED"},
					"Posted": &types.AttributeValueMemberS{Value: "yesterday"},
					"Text":   &types.AttributeValueMemberN{Value: "12"},
				},
			})
			if err != nil {
				tb.Fatal(err)
			}
			return st
		}},
		{Name: "access denied", Want: board.ErrBroken, New: answering(http.StatusBadRequest,
			dynalite.ErrorAnswer("AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/board is not authorized to perform: dynamodb:Query"))},
		{Name: "unknown credentials", Want: board.ErrBroken, New: answering(http.StatusBadRequest,
			dynalite.ErrorAnswer("UnrecognizedClientException", "The security token included in the request is invalid."))},
		{Name: "no credentials", Want: board.ErrBroken, New: func(tb testing.TB) board.Store {
			client := dynamodb.New(dynamodb.Options{
				BaseEndpoint: aws.String(endpoint),
				Region:       "us-east-1",
				Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
					return aws.Credentials{}, errors.New("no EC2 IMDS role found")
				}),
			})
			return dynamostore.NewFromClient(client, dynamostore.Config{Table: "tinyboard"})
		}},
		{Name: "connection refused", Want: board.ErrUnavailable, New: func(tb testing.TB) board.Store {
			px := dynalite.NewProxy(tb, endpoint)
			st := newStore(tb, px.URL(), dynamostore.Config{MaxBackoff: time.Millisecond})
			px.Down()
			return st
		}},
		{Name: "throttled", Want: board.ErrUnavailable, New: answering(http.StatusBadRequest, dynalite.ThrottlingAnswer)},
		{Name: "server error", Want: board.ErrUnavailable, New: answering(http.StatusInternalServerError,
			dynalite.ErrorAnswer("InternalServerError", "Internal server error"))},
	}
}

func TestRetentionWritesTTL(t *testing.T) {
	endpoint := dynalite.Start(t)
	posted := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, retention := range []time.Duration{0, 72 * time.Hour} {
		t.Run(fmt.Sprint(retention), func(t *testing.T) {
			st := newStore(t, endpoint, dynamostore.Config{Retention: retention})
			dynamostore.SetClock(st, func() time.Time { return posted })
			m, err := st.Save(testCtx(t), board.NewID(posted), "kept a while")
			if err != nil {
				t.Fatal(err)
			}
			out, err := dynamostore.Client(st).GetItem(testCtx(t), &dynamodb.GetItemInput{
				TableName: aws.String(dynamostore.Table(st)),
				Key: map[string]types.AttributeValue{
					dynamostore.PartitionKey: &types.AttributeValueMemberS{Value: "BOARD"},
					dynamostore.SortKey:      &types.AttributeValueMemberS{Value: "MSG#" + m.ID},
				},
			})
			if err != nil || out.Item == nil {
				t.Fatalf("GetItem of the saved message = %v, %v", out, err)
			}
			ttl, ok := out.Item[dynamostore.TTLAttribute].(*types.AttributeValueMemberN)
			switch {
			case retention == 0 && ok:
				t.Errorf("item has %s = %s with no retention, want none (kept for ever)", dynamostore.TTLAttribute, ttl.Value)
			case retention != 0 && !ok:
				t.Errorf("item has no number %s, want one: DynamoDB's TTL reclaims expired messages", dynamostore.TTLAttribute)
			case retention != 0 && ttl.Value != fmt.Sprint(posted.Add(retention).Unix()):
				t.Errorf("item has %s = %s, want %d (posted + %v, in Unix seconds)", dynamostore.TTLAttribute, ttl.Value, posted.Add(retention).Unix(), retention)
			}
		})
	}
}

// saveMany saves n messages from 8 goroutines at once, to fill a board fast.
func saveMany(tb testing.TB, st board.Store, n int) {
	tb.Helper()
	var wg sync.WaitGroup
	var failed atomic.Value
	next := atomic.Int64{}
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if _, err := st.Save(testCtx(tb), board.NewID(time.Now()), fmt.Sprintf("m %d", i)); err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		tb.Fatalf("Save: %v", err)
	}
}

func TestRequestsPerOperationDoNotGrowWithTheBoard(t *testing.T) {
	endpoint := dynalite.Start(t)
	for _, size := range []int{10, 2000} {
		t.Run(fmt.Sprint(size, " messages"), func(t *testing.T) {
			m := newMeter()
			st := newStore(t, endpoint, dynamostore.Config{}, m.option)
			saveMany(t, st, size)
			first, err := st.Page(testCtx(t), "", 5)
			if err != nil || first.Older == "" {
				t.Fatalf("Page(\"\", 5) = older %q, %v; want an older cursor", first.Older, err)
			}
			dupID := board.NewID(time.Now())
			ops := []struct {
				name string
				do   func() error
				want map[string]int
			}{
				{"newest page", func() error { _, err := st.Page(testCtx(t), "", 50); return err }, map[string]int{"Query": 1}},
				{"older page", func() error { _, err := st.Page(testCtx(t), first.Older, 50); return err }, map[string]int{"Query": 1}},
				{"save", func() error { _, err := st.Save(testCtx(t), dupID, "new"); return err }, map[string]int{"PutItem": 1}},
				// DynamoDB answers a repeat in the failed PutItem itself;
				// dynalite ignores ReturnValuesOnConditionCheckFailure, so
				// here the store reads the first copy with a GetItem. The
				// Query reads the newest clear marker: has one hidden it?
				{"save again, same id and text", func() error { _, err := st.Save(testCtx(t), dupID, "new"); return err }, map[string]int{"PutItem": 1, "GetItem": 1, "Query": 1}},
				// Another text under the id: a second PutItem, under a new id.
				{"save again, same id, edited text", func() error { _, err := st.Save(testCtx(t), dupID, "newer"); return err }, map[string]int{"PutItem": 2, "GetItem": 1, "Query": 1}},
				{"clear", func() error { return st.Clear(testCtx(t)) }, map[string]int{"PutItem": 1}},
				{"save again after the clear", func() error { _, err := st.Save(testCtx(t), dupID, "new"); return err }, map[string]int{"PutItem": 2, "GetItem": 1, "Query": 1}},
				{"page after clear", func() error { _, err := st.Page(testCtx(t), "", 50); return err }, map[string]int{"Query": 1}},
				{"older page after clear", func() error { _, err := st.Page(testCtx(t), first.Older, 50); return err }, map[string]int{"Query": 1}},
			}
			for _, op := range ops {
				m.reset()
				if err := op.do(); err != nil {
					t.Fatalf("%s: %v", op.name, err)
				}
				calls, total, attempts, capacity := m.read()
				if !maps.Equal(calls, op.want) || attempts != total {
					t.Errorf("%s with %d messages sent %v in %d HTTP requests, want %v", op.name, size, calls, attempts, op.want)
				}
				if capacity <= 0 {
					t.Errorf("%s consumed %v capacity units, want DynamoDB's report of more than 0", op.name, capacity)
				}
				t.Logf("%s with %d messages: %v, %.1f capacity units", op.name, size, calls, capacity)
			}
		})
	}
}

func TestClearIsAtomicAndLaterSavesShow(t *testing.T) {
	endpoint := dynalite.Start(t)
	st := newStore(t, endpoint, dynamostore.Config{})
	const before = 20
	saveMany(t, st, before)

	// Readers watch the board while it is cleared: each page must hold
	// all the earlier messages or none, and once none, never again all.
	var clearing, cleared atomic.Bool
	stop := make(chan struct{})
	var readers sync.WaitGroup
	errs := make(chan error, 100)
	for range 2 {
		readers.Go(func() {
			sawEmpty := false
			for {
				select {
				case <-stop:
					return
				default:
				}
				// Only a read that began after Clear returned must miss
				// the cleared messages; one in flight may see either.
				afterClear := cleared.Load()
				p, err := st.Page(testCtx(t), "", 50)
				if err != nil {
					errs <- err
					return
				}
				old := 0
				for _, m := range p.Messages {
					if strings.HasPrefix(m.Text, "m ") {
						old++
					}
				}
				switch {
				case old != 0 && old != before:
					errs <- fmt.Errorf("a page showed %d of the %d cleared messages, want all or none", old, before)
				case old == before && sawEmpty:
					errs <- fmt.Errorf("a page showed the cleared messages again after one showed none")
				case old == before && afterClear:
					errs <- fmt.Errorf("a page read after Clear returned showed the cleared messages")
				}
				sawEmpty = sawEmpty || old == 0
			}
		})
	}

	// Writers save while the board is cleared; every save begun after
	// Clear returned must be on the board.
	var writers sync.WaitGroup
	var mu sync.Mutex
	var mustShow, mustHide []string
	for w := range 4 {
		writers.Go(func() {
			for i := range 15 {
				began := cleared.Load()
				text := fmt.Sprintf("w%d-%d", w, i)
				if _, err := st.Save(testCtx(t), board.NewID(time.Now()), text); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if began {
					mustShow = append(mustShow, text)
				} else if !clearing.Load() {
					mustHide = append(mustHide, text) // answered before Clear began
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	clearing.Store(true)
	if err := st.Clear(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	cleared.Store(true)
	writers.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	shown := make(map[string]bool)
	for _, m := range storetest.All(t, st, 50) {
		shown[m.Text] = true
	}
	for _, text := range mustShow {
		if !shown[text] {
			t.Errorf("message %q, saved after Clear returned, is not on the board", text)
		}
	}
	for _, text := range mustHide {
		if shown[text] {
			t.Errorf("message %q, saved before Clear began, is still on the board", text)
		}
	}
	if len(mustShow) == 0 {
		t.Errorf("no save began after Clear returned; the test proved nothing")
	}
}
