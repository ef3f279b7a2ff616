package dynamostore_test

import (
	"context"
	"fmt"
	"maps"
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
		Many: 2000,
	}.Run(t)
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
				// here the store reads the first copy with a GetItem.
				{"save again, same id", func() error { _, err := st.Save(testCtx(t), dupID, "new"); return err }, map[string]int{"PutItem": 1, "GetItem": 1}},
				{"clear", func() error { return st.Clear(testCtx(t)) }, map[string]int{"PutItem": 1}},
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
