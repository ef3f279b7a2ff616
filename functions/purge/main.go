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
	"tinyboard/internal/lambdaenv"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	store, err := lambdaenv.OpenStore(os.Getenv, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "purge:", err)
		os.Exit(1)
	}
	lambda.Start(handle(store, logger))
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
