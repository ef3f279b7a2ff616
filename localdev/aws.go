package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"

	"tinyboard/internal/dynamostore"
)

// newDynamoStore opens a Store for cfg with the SDK configuration loaded
// as the AWS CLI loads it (environment, shared config and credentials
// files, profiles, SSO, ...), which is what a laptop needs; the Lambda
// functions read Lambda's environment instead (internal/lambdaenv). With
// an Endpoint, the instance metadata service is not asked for
// credentials, and when no source has any, dynamostore's dummy ones
// stand in.
func newDynamoStore(ctx context.Context, cfg dynamostore.Config) (*dynamostore.Store, error) {
	opts := []func(*config.LoadOptions) error{config.WithHTTPClient(dynamostore.HTTPClient())}
	if cfg.Endpoint != "" {
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Endpoint != "" && !haveCredentials(ctx, awsCfg) {
		awsCfg.Credentials = nil
	}
	return dynamostore.New(awsCfg, cfg)
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
