package dynamostore_test

import (
	"context"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// A meter counts what a DynamoDB client sends: the operations it is
// asked for, the HTTP requests those take (retries included), and the
// capacity DynamoDB reports they consumed. It asks for that report by
// setting ReturnConsumedCapacity to TOTAL on every request.
type meter struct {
	mu       sync.Mutex
	calls    map[string]int
	attempts int
	capacity float64
}

func newMeter() *meter { return &meter{calls: make(map[string]int)} }

// option adds the meter to a client, as an option of dynamostore.New.
func (m *meter) option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, m.register)
}

func (m *meter) register(stack *middleware.Stack) error {
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("MeterCalls", m.call), middleware.Before)
	if err != nil {
		return err
	}
	// At the end of the finalize step, after the retry middleware: once per attempt.
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("MeterAttempts", m.attempt), middleware.After)
}

func (m *meter) call(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	total := types.ReturnConsumedCapacityTotal
	switch p := in.Parameters.(type) {
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.PutItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.BatchWriteItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.ScanInput:
		p.ReturnConsumedCapacity = total
	}
	out, md, err := next.HandleInitialize(ctx, in)

	var used []*types.ConsumedCapacity
	switch r := out.Result.(type) {
	case *dynamodb.QueryOutput:
		used = append(used, r.ConsumedCapacity)
	case *dynamodb.PutItemOutput:
		used = append(used, r.ConsumedCapacity)
	case *dynamodb.GetItemOutput:
		used = append(used, r.ConsumedCapacity)
	case *dynamodb.ScanOutput:
		used = append(used, r.ConsumedCapacity)
	case *dynamodb.BatchWriteItemOutput:
		for i := range r.ConsumedCapacity {
			used = append(used, &r.ConsumedCapacity[i])
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[awsmiddleware.GetOperationName(ctx)]++
	for _, c := range used {
		if c != nil {
			m.capacity += aws.ToFloat64(c.CapacityUnits)
		}
	}
	return out, md, err
}

func (m *meter) attempt(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	m.mu.Lock()
	m.attempts++
	m.mu.Unlock()
	return next.HandleFinalize(ctx, in)
}

// reset forgets everything counted so far.
func (m *meter) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = make(map[string]int)
	m.attempts = 0
	m.capacity = 0
}

// read returns the operations counted by name, their total, the HTTP
// requests sent and the capacity consumed since the last reset.
func (m *meter) read() (calls map[string]int, total, attempts int, capacity float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, n := range m.calls {
		total += n
	}
	return maps.Clone(m.calls), total, m.attempts, m.capacity
}
