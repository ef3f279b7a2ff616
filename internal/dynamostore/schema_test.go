package dynamostore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"tinyboard/internal/board"
	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
)

func TestCreateTable(t *testing.T) {
	endpoint := dynalite.Start(t)
	st := newStore(t, endpoint, dynamostore.Config{})
	if err := st.CreateTable(testCtx(t)); err != nil {
		t.Fatalf("CreateTable on an existing table: %v, want nil", err)
	}
	out, err := dynamostore.Client(st).DescribeTable(testCtx(t), &dynamodb.DescribeTableInput{TableName: aws.String(dynamostore.Table(st))})
	if err != nil {
		t.Fatal(err)
	}
	tbl := out.Table
	if got, want := keys(tbl.KeySchema), dynamostore.PartitionKey+" HASH, "+dynamostore.SortKey+" RANGE"; got != want {
		t.Errorf("key schema = %s, want %s", got, want)
	}
	if len(tbl.LocalSecondaryIndexes) != 1 {
		t.Fatalf("table has %d local secondary indexes, want 1", len(tbl.LocalSecondaryIndexes))
	}
	ix := tbl.LocalSecondaryIndexes[0]
	if got, want := aws.ToString(ix.IndexName)+": "+keys(ix.KeySchema), dynamostore.PostedIndex+": "+dynamostore.PartitionKey+" HASH, "+dynamostore.PostedKey+" RANGE"; got != want {
		t.Errorf("index = %s, want %s", got, want)
	}
	if ix.Projection == nil || ix.Projection.ProjectionType != types.ProjectionTypeAll {
		t.Errorf("index projection = %+v, want ALL", ix.Projection)
	}
	if s := tbl.BillingModeSummary; s != nil && s.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode = %s, want %s", s.BillingMode, types.BillingModePayPerRequest)
	}
	// dynalite has no UpdateTimeToLive: CreateTable went on without it.
}

func TestCreateTableRefusesAnotherSchema(t *testing.T) {
	endpoint := dynalite.Start(t)
	st := newStore(t, endpoint, dynamostore.Config{})
	client := dynamostore.Client(st)
	_, err := client.CreateTable(testCtx(t), &dynamodb.CreateTableInput{
		TableName:            aws.String("other"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	other := dynamostore.NewFromClient(client, dynamostore.Config{Table: "other"})
	err = other.CreateTable(testCtx(t))
	if err == nil || !strings.Contains(err.Error(), "key schema") {
		t.Errorf("CreateTable on a table keyed by id = %v, want an error about its key schema", err)
	}
}

func TestNewNeedsATable(t *testing.T) {
	if _, err := dynamostore.New(aws.Config{}, dynamostore.Config{Endpoint: "http://127.0.0.1:1"}); err == nil {
		t.Error("New without a table name succeeded, want an error")
	}
}

func TestCheckTable(t *testing.T) {
	endpoint := dynalite.Start(t)
	good := newStore(t, endpoint, dynamostore.Config{})
	if err := good.CheckTable(testCtx(t)); err != nil {
		t.Errorf("CheckTable on a table CreateTable made: %v, want nil", err)
	}
	client := dynamostore.Client(good)
	missing := dynamostore.NewFromClient(client, dynamostore.Config{Table: "missing"})
	err := missing.CheckTable(testCtx(t))
	if want := "table missing not found at " + endpoint; err == nil || err.Error() != want || !errors.Is(err, dynamostore.ErrNoTable) {
		t.Errorf("CheckTable on a missing table = %v, want %q wrapping ErrNoTable", err, want)
	}
	def := dynamostore.TableDefinition("no-index")
	def.LocalSecondaryIndexes, def.AttributeDefinitions = nil, def.AttributeDefinitions[:2]
	if _, err := client.CreateTable(testCtx(t), def); err != nil {
		t.Fatal(err)
	}
	noIndex := dynamostore.NewFromClient(client, dynamostore.Config{Table: "no-index"})
	if err := noIndex.CheckTable(testCtx(t)); err == nil || !strings.Contains(err.Error(), "no local secondary index ByPosted") {
		t.Errorf("CheckTable on a table without the index = %v, want an error naming the index", err)
	}
	px := dynalite.NewProxy(t, endpoint)
	px.Down()
	down, err := dynamostore.New(aws.Config{}, dynamostore.Config{Endpoint: px.URL(), Table: "tinyboard", MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := down.CheckTable(testCtx(t)); !errors.Is(err, board.ErrUnavailable) || !strings.Contains(err.Error(), px.URL()) {
		t.Errorf("CheckTable with nothing listening = %v, want one matching board.ErrUnavailable and naming %s", err, px.URL())
	}
}

func keys(ks []types.KeySchemaElement) string {
	var out []string
	for _, k := range ks {
		out = append(out, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	return strings.Join(out, ", ")
}
