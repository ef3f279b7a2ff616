package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
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
	// (DYNAMODB_ENDPOINT), or "" for AWS. With an Endpoint, credentials
	// are not looked up on an EC2 instance, and dummy credentials stand in
	// when none are configured, as a local server ignores them.
	Endpoint string
	// Region is the AWS region; when "", the SDK's usual sources
	// (AWS_REGION, the shared config file) decide, else DefaultRegion.
	Region string
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

// New returns a Store for cfg, with an SDK client configured from the
// environment as the AWS SDK does (credentials, AWS_CA_BUNDLE, …) and
// bounded retries. optFns adjust the client's options, as they do for
// dynamodb.NewFromConfig; tests use them to add middleware.
func New(ctx context.Context, cfg Config, optFns ...func(*dynamodb.Options)) (*Store, error) {
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
	// The SDK's buildable client, not a plain *http.Client: loading the
	// config adds AWS_CA_BUNDLE's certificates to it, and fails with any
	// other kind of client.
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = tlsHandshakeTimeout
			t.ResponseHeaderTimeout = responseHeaderTimeout
		})
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = attempts
				o.MaxBackoff = backoff
			})
		}),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.Endpoint != "" {
		opts = append(opts,
			config.WithBaseEndpoint(cfg.Endpoint),
			config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("dynamostore: load AWS config: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = DefaultRegion
	}
	if cfg.Endpoint != "" && !haveCredentials(ctx, awsCfg) {
		awsCfg.Credentials = credentials.NewStaticCredentialsProvider("local", "local", "")
	}
	return NewFromClient(dynamodb.NewFromConfig(awsCfg, optFns...), cfg), nil
}

// haveCredentials reports whether the configured credential sources give
// any credentials.
func haveCredentials(ctx context.Context, cfg aws.Config) bool {
	if cfg.Credentials == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := cfg.Credentials.Retrieve(ctx)
	return err == nil
}
