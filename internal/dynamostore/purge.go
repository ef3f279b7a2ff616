package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// purgePage is how many keys Purge reads per Query, and purgeWorkers how
// many of their deletes it has in flight at once.
const (
	purgePage    = 100
	purgeWorkers = 8
)

// Purge deletes what the newest clear marker hides: every message posted
// before it and every older marker. It returns how many items it deleted.
//
// A Clear does not wait for this; run Purge outside requests, after a clear
// or on a schedule, with a ctx that bounds how long it may take. Its work
// grows with what was cleared: it reads keys a page at a time and deletes
// each item with a DeleteItem whose condition is that the item is still as
// read, so a message Save puts again meanwhile (a form sent again after
// the clear) is left alone. An interrupted Purge is finished by the next.
func (s *Store) Purge(ctx context.Context) (int, error) {
	marker, err := s.newestMarker(ctx, "purge")
	if err != nil || marker == "" {
		return 0, err
	}
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(PartitionKey).Equal(expression.Value(boardPartition)).
			And(expression.Key(PostedKey).LessThan(expression.Value(marker)))).
		WithProjection(expression.NamesList(expression.Name(PartitionKey), expression.Name(SortKey), expression.Name(PostedKey))).
		Build()
	if err != nil {
		return 0, board.Broken(fmt.Errorf("purge: %w", err))
	}
	pages := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(PostedIndex),
		KeyConditionExpression:    expr.KeyCondition(),
		ProjectionExpression:      expr.Projection(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		Limit:                     aws.Int32(purgePage),
	})
	deleted := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return deleted, failed(err, "purge: read keys")
		}
		if s.beforePurgeDeletes != nil {
			s.beforePurgeDeletes()
		}
		n, err := s.deleteUnchanged(ctx, page.Items)
		deleted += n
		if err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

// deleteUnchanged deletes each of items (PK, SK and Posted, as a Query
// read them) unless its Posted has changed since, purgeWorkers at a time,
// and returns how many it deleted.
func (s *Store) deleteUnchanged(ctx context.Context, items []map[string]types.AttributeValue) (int, error) {
	var (
		wg       sync.WaitGroup
		deleted  atomic.Int64
		firstErr atomic.Pointer[error]
		slots    = make(chan struct{}, purgeWorkers)
	)
	for _, it := range items {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			err := s.deleteIfUnchanged(ctx, it)
			switch {
			case err == nil:
				deleted.Add(1)
			case errors.Is(err, errChanged):
			default:
				firstErr.CompareAndSwap(nil, &err)
			}
		})
	}
	wg.Wait()
	if err := firstErr.Load(); err != nil {
		return int(deleted.Load()), *err
	}
	return int(deleted.Load()), nil
}

// errChanged says an item was not deleted because it changed (or went)
// since it was read.
var errChanged = errors.New("item changed since it was read")

// deleteIfUnchanged deletes the item it names if its Posted is still
// it[PostedKey].
func (s *Store) deleteIfUnchanged(ctx context.Context, it map[string]types.AttributeValue) error {
	posted, ok := it[PostedKey].(*types.AttributeValueMemberS)
	if !ok {
		return board.Broken(fmt.Errorf("purge: damaged item %v: no Posted", it[SortKey]))
	}
	cond, err := expression.NewBuilder().
		WithCondition(expression.Name(PostedKey).Equal(expression.Value(posted.Value))).
		Build()
	if err != nil {
		return board.Broken(fmt.Errorf("purge: %w", err))
	}
	_, err = s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{PartitionKey: it[PartitionKey], SortKey: it[SortKey]},
		ConditionExpression:       cond.Condition(),
		ExpressionAttributeNames:  cond.Names(),
		ExpressionAttributeValues: cond.Values(),
	})
	var failedCond *types.ConditionalCheckFailedException
	if errors.As(err, &failedCond) {
		return errChanged
	}
	if err != nil {
		return failed(err, "purge: delete")
	}
	return nil
}

// newestMarker returns the Posted of the newest clear marker, or "" when
// the board was never cleared. Markers' sort keys sort by their time, so
// this reads one item. op names the caller in errors.
func (s *Store) newestMarker(ctx context.Context, op string) (string, error) {
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(PartitionKey).Equal(expression.Value(boardPartition)).
			And(expression.Key(SortKey).BeginsWith(clearPrefix))).
		Build()
	if err != nil {
		return "", board.Broken(fmt.Errorf("%s: %w", op, err))
	}
	out, err := s.client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(false),
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(1),
	})
	if err != nil {
		return "", failed(err, "%s: find the newest clear", op)
	}
	if len(out.Items) == 0 {
		return "", nil
	}
	var it item
	if err := attributevalue.UnmarshalMap(out.Items[0], &it); err != nil {
		return "", board.Broken(fmt.Errorf("%s: damaged clear marker: %w", op, err))
	}
	return it.Posted, nil
}

// A Purger runs Purge in the background after clears, for a long-running
// process such as localdev (in AWS, the table's stream starts the purge
// function instead). At most one purge runs at a time; clears that arrive
// while one runs coalesce into one more run. Start it with StartPurger and
// stop it with Stop.
type Purger struct {
	store   *Store
	log     *slog.Logger
	timeout time.Duration
	purge   func(context.Context) (int, error)

	wake   chan struct{} // holds the one pending run
	stop   chan struct{} // closed by Stop: start no more runs
	done   chan struct{} // closed when the worker has returned
	cancel context.CancelFunc
}

// StartPurger starts s's purge worker. From then on, every successful Clear
// on s asks it for a purge, each run bounded by timeout; logger gets a line
// per run. Call Stop before the process ends.
func (s *Store) StartPurger(logger *slog.Logger, timeout time.Duration) *Purger {
	return s.startPurger(logger, timeout, s.Purge)
}

func (s *Store) startPurger(logger *slog.Logger, timeout time.Duration, purge func(context.Context) (int, error)) *Purger {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Purger{
		store:   s,
		log:     logger,
		timeout: timeout,
		purge:   purge,
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		cancel:  cancel,
	}
	s.purger.Store(p)
	go p.work(ctx)
	return p
}

// request asks for a purge: the next run if none is pending, else nothing.
func (p *Purger) request() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// work runs a purge each time one is requested, until Stop; a purge
// requested before Stop still runs, as its clear has been answered.
func (p *Purger) work(ctx context.Context) {
	defer close(p.done)
	for {
		select {
		case <-p.wake:
			p.run(ctx)
		case <-p.stop:
			select {
			case <-p.wake:
				p.run(ctx)
			default:
			}
			return
		}
	}
}

// run purges once and logs how it went.
func (p *Purger) run(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	began := time.Now()
	n, err := p.purge(ctx)
	took := time.Since(began).Round(time.Millisecond)
	if err != nil {
		p.log.Warn("purge", "deleted", n, "took", took.String(), "err", err)
		return
	}
	p.log.Info("purge", "deleted", n, "took", took.String())
}

// Stop stops the worker: Clear no longer asks it for purges, and the run
// in progress, or one requested before Stop, may finish until ctx is
// done, when it is cancelled (the next purge finishes its work). Stop
// returns once the worker has ended: nil, or ctx's error if it had to
// cancel a run.
func (p *Purger) Stop(ctx context.Context) error {
	p.store.purger.CompareAndSwap(p, nil)
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	select {
	case <-p.done:
		p.cancel()
		return nil
	case <-ctx.Done():
		p.cancel()
		<-p.done
		return ctx.Err()
	}
}
