package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"tinyboard/internal/board"
)

// batchSize is the most deletes one BatchWriteItem may carry.
const batchSize = 25

// unprocessedTries bounds how often Purge resends deletes that DynamoDB
// left unprocessed (it does so when throttling) before giving up.
const unprocessedTries = 8

// Purge deletes what the newest clear marker hides: every message posted
// before it and every older marker. It returns how many items it deleted.
//
// A Clear does not wait for this; run Purge outside requests, after a clear
// or on a schedule, with a ctx that bounds how long it may take. Its work
// grows with what was cleared, reading keys a page at a time and deleting
// them 25 to a request, and an interrupted Purge is finished by the next.
func (s *Store) Purge(ctx context.Context) (int, error) {
	marker, err := s.newestMarker(ctx, "purge")
	if err != nil || marker == "" {
		return 0, err
	}
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(PartitionKey).Equal(expression.Value(boardPartition)).
			And(expression.Key(PostedKey).LessThan(expression.Value(marker)))).
		WithProjection(expression.NamesList(expression.Name(PartitionKey), expression.Name(SortKey))).
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
		Limit:                     aws.Int32(4 * batchSize),
	})
	deleted := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return deleted, failed(err, "purge: read keys")
		}
		for len(page.Items) > 0 {
			n := min(len(page.Items), batchSize)
			if err := s.deleteBatch(ctx, page.Items[:n]); err != nil {
				return deleted, err
			}
			deleted += n
			page.Items = page.Items[n:]
		}
	}
	return deleted, nil
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

// deleteBatch deletes the items with the given keys in one BatchWriteItem,
// resending what DynamoDB leaves unprocessed after a growing pause.
func (s *Store) deleteBatch(ctx context.Context, keys []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(keys))
	for i, k := range keys {
		reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
	}
	pause := 50 * time.Millisecond
	for range unprocessedTries {
		out, err := s.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{s.table: reqs},
		})
		if err != nil {
			return failed(err, "purge: delete")
		}
		reqs = out.UnprocessedItems[s.table]
		if len(reqs) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return failed(ctx.Err(), "purge: delete")
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
	return board.Unavailable(errors.New("purge: delete: items still unprocessed after retries"))
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
