// Command purge is the Lambda function that reclaims the storage of
// cleared messages. A clear writes one marker item and returns; DynamoDB
// Streams then invokes this function for the new marker, and it deletes
// everything the marker hides, outside any request a user waits on.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"tinyboard/internal/dynamostore"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	store, err := newStore(context.Background(), os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "purge:", err)
		os.Exit(1)
	}
	lambda.Start(handle(store, logger))
}

// newStore opens the table named by BOARD_TABLE, on DYNAMODB_ENDPOINT when
// that is set.
func newStore(ctx context.Context, getenv func(string) string) (*dynamostore.Store, error) {
	table := getenv("BOARD_TABLE")
	if table == "" {
		return nil, fmt.Errorf("BOARD_TABLE is not set: name the DynamoDB table that holds the messages")
	}
	return dynamostore.New(ctx, dynamostore.Config{Table: table, Endpoint: getenv("DYNAMODB_ENDPOINT")})
}

// handle purges once per batch of stream records, however many clears the
// batch holds: one purge removes what the newest marker hides.
func handle(store *dynamostore.Store, logger *slog.Logger) func(context.Context, events.DynamoDBEvent) error {
	return func(ctx context.Context, ev events.DynamoDBEvent) error {
		n, err := store.Purge(ctx)
		logger.InfoContext(ctx, "purge", "records", len(ev.Records), "deleted", n, "ok", err == nil)
		return err
	}
}
