// Command panicky is a Lambda function whose handler panics on /panic,
// for the functions tests: tinyboard's real handlers should never panic,
// so this is how the tests show what a panic costs a deployed function.
package main

import (
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"tinyboard/internal/lambdaproxy"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) {
		panic("panicky: asked to panic")
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "still serving\n")
	})
	lambda.Start(lambdaproxy.New(mux, logger))
}
