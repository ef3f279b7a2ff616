// Command board is the Lambda function that serves the Tiny Message Board
// at /board, with messages in the DynamoDB table named by BOARD_TABLE
// (on the server at DYNAMODB_ENDPOINT, when set), reached with the region
// and credentials Lambda puts in the environment. It builds its handler
// once, at start-up, then serves invocations.
package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"tinyboard/internal/lambdaenv"
	"tinyboard/internal/lambdaproxy"
	"tinyboard/internal/web"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := newHandler(os.Getenv, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "board:", err)
		os.Exit(1)
	}
	lambda.Start(lambdaproxy.New(h, logger))
}

// newHandler builds the board handler from the environment.
func newHandler(getenv func(string) string, logger *slog.Logger) (http.Handler, error) {
	cfg, err := web.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	retention, err := web.RetentionFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	cfg.Store, err = lambdaenv.OpenStore(getenv, retention)
	if err != nil {
		return nil, err
	}
	cfg.Logger = logger
	h, err := web.NewBoard(cfg)
	if err != nil {
		return nil, err
	}
	return web.LogRequests(logger, lambdaproxy.LogAttrs)(h), nil
}
