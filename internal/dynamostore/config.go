package dynamostore

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Defaults for the fields of Config left zero.
const (
	DefaultRegion      = "us-east-1"
	DefaultMaxAttempts = 3
	DefaultMaxBackoff  = 200 * time.Millisecond
)

// Connection timeouts. A call's own deadline comes from its context; these
// only make a dead or silent server fail one attempt early enough for the
// retryer to try again within that deadline.
const (
	dialTimeout           = time.Second
	tlsHandshakeTimeout   = 2 * time.Second
	responseHeaderTimeout = 2 * time.Second
)

// Config says which table a Store uses and how it reaches DynamoDB.
type Config struct {
	// Table is the name of the table (BOARD_TABLE). Required.
	Table string
	// Endpoint is the URL of a DynamoDB-compatible server such as dynalite
	// (DYNAMODB_ENDPOINT), or "" for AWS. With an Endpoint, dummy
	// credentials stand in when the caller has none, as a local server
	// ignores them.
	Endpoint string
	// MaxAttempts is how often a call is tried before it fails
	// (DefaultMaxAttempts when zero).
	MaxAttempts int
	// MaxBackoff is the longest wait between two attempts
	// (DefaultMaxBackoff when zero).
	MaxBackoff time.Duration
	// Retention is how long a message stays before its TTL lets DynamoDB
	// delete it; zero keeps messages until they are cleared.
	Retention time.Duration
}

// HTTPClient returns the HTTP client a Store's SDK client should use:
// the SDK's buildable client, whose connection timeouts let the retryer
// try again within a call's deadline. Callers pass it to whatever builds
// their aws.Config (config.WithHTTPClient, or the Lambda functions' own),
// which may add AWS_CA_BUNDLE's certificates to it: the SDK can do that
// only to a buildable client, and fails with any other kind.
func HTTPClient() *awshttp.BuildableClient {
	// One copy of the SDK's transport, not one per option: every copy is
	// start-up time.
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
		t.TLSHandshakeTimeout = tlsHandshakeTimeout
		t.ResponseHeaderTimeout = responseHeaderTimeout
	})
}

// New returns a Store for cfg, reached with the SDK configuration awsCfg
// (region, credentials, HTTP client) that the caller built: localdev with
// config.LoadDefaultConfig, the Lambda functions from Lambda's environment.
// New sets the retries (cfg's MaxAttempts and MaxBackoff) and, for a
// cfg.Endpoint, the endpoint and, when awsCfg has none, dummy credentials.
// An awsCfg without a region gets DefaultRegion, one without an HTTP
// client HTTPClient(). optFns adjust the client's options, as they do for
// dynamodb.NewFromConfig; tests use them to add middleware.
func New(awsCfg aws.Config, cfg Config, optFns ...func(*dynamodb.Options)) (*Store, error) {
	if cfg.Table == "" {
		return nil, errors.New("dynamostore: no table name")
	}
	attempts := cfg.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	backoff := cfg.MaxBackoff
	if backoff <= 0 {
		backoff = DefaultMaxBackoff
	}
	awsCfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.MaxBackoff = backoff
		})
	}
	if awsCfg.Region == "" {
		awsCfg.Region = DefaultRegion
	}
	if awsCfg.HTTPClient == nil {
		awsCfg.HTTPClient = HTTPClient()
	}
	if cfg.Endpoint != "" {
		awsCfg.BaseEndpoint = aws.String(cfg.Endpoint)
		if awsCfg.Credentials == nil {
			awsCfg.Credentials = credentials.NewStaticCredentialsProvider("local", "local", "")
		}
	}
	return NewFromClient(dynamodb.NewFromConfig(awsCfg, optFns...), cfg), nil
}
