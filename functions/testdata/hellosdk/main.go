// Command hellosdk is the floor for the board's cold start: the hello
// yardstick (aws-lambda-go and aws-lambda-go-api-proxy's httpadapter),
// plus what any board that reads DynamoDB through aws-sdk-go-v2 must pay:
// a DynamoDB client configured from Lambda's environment, and before each
// answer the one Query a page of the board is (on the ByPosted index,
// newest first, consistent, a page and one more), whose items it does
// not look at. The functions benchmarks
// build it as the Makefile builds the real bootstraps, with the module's
// own SDK versions.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

func main() {
	cfg := aws.Config{
		Region: os.Getenv("AWS_REGION"),
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))),
		HTTPClient: awshttp.NewBuildableClient(),
	}
	if endpoint := os.Getenv("DYNAMODB_ENDPOINT"); endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	client := dynamodb.NewFromConfig(cfg)
	table := os.Getenv("BOARD_TABLE")
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := client.Query(r.Context(), &dynamodb.QueryInput{
			TableName:                 aws.String(table),
			IndexName:                 aws.String("ByPosted"),
			KeyConditionExpression:    aws.String("#0 = :0"),
			ExpressionAttributeNames:  map[string]string{"#0": "PK"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":0": &types.AttributeValueMemberS{Value: "BOARD"}},
			ScanIndexForward:          aws.Bool(false),
			ConsistentRead:            aws.Bool(true),
			Limit:                     aws.Int32(51),
		})
		if err != nil {
			http.Error(w, "query: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, fmt.Sprintf("hello, world: %d items\n", len(out.Items)))
	})
	lambda.Start(httpadapter.NewV2(hello).ProxyWithContext)
}
