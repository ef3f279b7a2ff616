// Command static is the Lambda function that serves tinyboard's tiny
// website: the home page, the second page, the assets, /hello and /request.
// It builds its handler once, at start-up, then serves invocations.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"tinyboard/internal/lambdaproxy"
	"tinyboard/internal/web"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	pages, err := web.NewPages(logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "static:", err)
		os.Exit(1)
	}
	lambda.Start(lambdaproxy.New(web.LogRequests(logger, lambdaproxy.LogAttrs)(pages), logger))
}
