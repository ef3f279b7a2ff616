package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
	marker, err := s.newestMarker(ctx)
	if err != nil || marker == "" {
		return 0, err
	}
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(PartitionKey).Equal(expression.Value(boardPartition)).
			And(expression.Key(PostedKey).LessThan(expression.Value(marker)))).
		WithProjection(expression.NamesList(expression.Name(PartitionKey), expression.Name(SortKey))).
		Build()
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
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
			return deleted, unavailable(err, "purge: read keys")
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
// this reads one item.
func (s *Store) newestMarker(ctx context.Context) (string, error) {
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(PartitionKey).Equal(expression.Value(boardPartition)).
			And(expression.Key(SortKey).BeginsWith(clearPrefix))).
		Build()
	if err != nil {
		return "", fmt.Errorf("purge: %w", err)
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
		return "", unavailable(err, "purge: find the newest clear")
	}
	if len(out.Items) == 0 {
		return "", nil
	}
	var it item
	if err := attributevalue.UnmarshalMap(out.Items[0], &it); err != nil {
		return "", fmt.Errorf("purge: %w", err)
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
			return unavailable(err, "purge: delete")
		}
		reqs = out.UnprocessedItems[s.table]
		if len(reqs) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return unavailable(ctx.Err(), "purge: delete")
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
	return unavailable(errors.New("items still unprocessed after retries"), "purge: delete")
}
