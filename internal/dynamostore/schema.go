package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"tinyboard/internal/board"
)

// The table's schema, which template.yaml declares too.
const (
	// PartitionKey is the table's partition key, a string.
	PartitionKey = "PK"
	// SortKey is the table's sort key, a string.
	SortKey = "SK"
	// PostedIndex is the local secondary index that orders the board: its
	// keys are PartitionKey and PostedKey, and it projects all attributes.
	PostedIndex = "ByPosted"
	// PostedKey is PostedIndex's sort key, a string.
	PostedKey = "Posted"
	// TTLAttribute is the table's time-to-live attribute, a number of
	// seconds since the Unix epoch.
	TTLAttribute = "Expires"
)

// TableDefinition is the table -create-table makes and template.yaml
// declares: string keys PK and SK, the local secondary index ByPosted on
// Posted, on-demand billing.
func TableDefinition(table string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(PartitionKey), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(SortKey), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(PostedKey), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(PartitionKey), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(SortKey), KeyType: types.KeyTypeRange},
		},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String(PostedIndex),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(PartitionKey), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(PostedKey), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	}
}

// tableReadyTimeout bounds how long CreateTable waits for a new table.
const tableReadyTimeout = 2 * time.Minute

// CreateTable creates the Store's table with the schema above, on-demand
// billing, if no table of that name exists, waits until it is ACTIVE, and
// enables TTL on TTLAttribute where the server supports it (dynalite does
// not). An existing table without the keys or the index this package
// needs is an error.
func (s *Store) CreateTable(ctx context.Context) error {
	desc, err := s.client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.table)})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		_, err = s.client.CreateTable(ctx, TableDefinition(s.table))
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) { // in use: created meanwhile
			return failed(err, "create table %s", s.table)
		}
	case err != nil:
		return failed(err, "describe table %s", s.table)
	default:
		if err := checkSchema(desc.Table); err != nil {
			return fmt.Errorf("table %s: %w", s.table, err)
		}
	}

	waiter := dynamodb.NewTableExistsWaiter(s.client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 50 * time.Millisecond
		o.MaxDelay = 2 * time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.table)}, tableReadyTimeout); err != nil {
		return failed(err, "wait for table %s", s.table)
	}
	return s.enableTTL(ctx)
}

// enableTTL turns on TTL unless it is on already or the server has no TTL.
func (s *Store) enableTTL(ctx context.Context) error {
	ttl, err := s.client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(s.table)})
	if unsupported(err) {
		return nil
	}
	if err != nil {
		return failed(err, "describe TTL of %s", s.table)
	}
	if d := ttl.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == TTLAttribute &&
		(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = s.client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(s.table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(TTLAttribute),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil && !unsupported(err) {
		return failed(err, "enable TTL on %s", s.table)
	}
	return nil
}

// unsupported reports whether err is a local server's answer to an
// operation it does not implement (dynalite has no UpdateTimeToLive).
func unsupported(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "UnknownOperationException"
}

// checkSchema reports how an existing table differs from what the Store
// needs.
func checkSchema(t *types.TableDescription) error {
	if t == nil {
		return errors.New("no description")
	}
	want := []types.KeySchemaElement{
		{AttributeName: aws.String(PartitionKey), KeyType: types.KeyTypeHash},
		{AttributeName: aws.String(SortKey), KeyType: types.KeyTypeRange},
	}
	if !sameKeys(t.KeySchema, want) {
		return fmt.Errorf("its key schema is not %s (hash) and %s (range); delete it or choose another table name", PartitionKey, SortKey)
	}
	want[1].AttributeName = aws.String(PostedKey)
	for _, ix := range t.LocalSecondaryIndexes {
		if aws.ToString(ix.IndexName) == PostedIndex && sameKeys(ix.KeySchema, want) {
			return nil
		}
	}
	return fmt.Errorf("it has no local secondary index %s on %s and %s; delete it or choose another table name", PostedIndex, PartitionKey, PostedKey)
}

func sameKeys(got, want []types.KeySchemaElement) bool {
	return slices.EqualFunc(got, want, func(a, b types.KeySchemaElement) bool {
		return aws.ToString(a.AttributeName) == aws.ToString(b.AttributeName) && a.KeyType == b.KeyType
	})
}

// retryable is the SDK's own judgement of which failures pass: the checks
// its standard retryer makes (connection errors, timeouts, throttling,
// 5xx answers, …).
var retryable = retry.IsErrorRetryables(retry.DefaultRetryables)

// failed wraps err, the failure of the DynamoDB call that format and args
// describe, as board.ErrUnavailable when trying again may help (the
// context ended, or the SDK would retry it: by now it has, as often as it
// may), else as board.ErrBroken: a missing table or index, access denied,
// no credentials, a validation error, anything the operator must fix.
func failed(err error, format string, args ...any) error {
	wrapped := fmt.Errorf(format+": %w", append(args, err)...)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		retryable.IsErrorRetryable(err) == aws.TrueTernary {
		return board.Unavailable(wrapped)
	}
	return board.Broken(wrapped)
}

// ErrNoTable is wrapped by CheckTable's error when the table does not
// exist.
var ErrNoTable = errors.New("not found")

// CheckTable checks, with one DescribeTable, that the Store's table
// exists and has the keys and index the Store needs, so a process that
// serves for long (localdev) can refuse to start on a wrong table. Its
// error names the table and the server; it wraps ErrNoTable when the table
// is missing, and board.ErrUnavailable when the server did not answer.
func (s *Store) CheckTable(ctx context.Context) error {
	desc, err := s.client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.table)})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return fmt.Errorf("table %s %w at %s", s.table, ErrNoTable, s.where())
	case err != nil:
		return failed(err, "table %s at %s", s.table, s.where())
	}
	if err := checkSchema(desc.Table); err != nil {
		return fmt.Errorf("table %s at %s: %w", s.table, s.where(), err)
	}
	return nil
}

// where names the server the Store talks to: its endpoint, or DynamoDB's
// region.
func (s *Store) where() string {
	o := s.client.Options()
	if o.BaseEndpoint != nil {
		return *o.BaseEndpoint
	}
	return "DynamoDB in " + o.Region
}
