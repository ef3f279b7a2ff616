// Command hello is the yardstick for tinyboard's cold starts: the
// smallest Lambda function that answers HTTP the way the tinyboard
// functions do, with aws-lambda-go and aws-lambda-go-api-proxy's
// httpadapter, and nothing else. The functions benchmarks build it as
// the Makefile builds the real bootstraps.
package main

import (
	"io"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

func main() {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "hello, world\n")
	})
	lambda.Start(httpadapter.NewV2(hello).ProxyWithContext)
}
