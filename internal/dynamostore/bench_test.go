package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"tinyboard/internal/board"
	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
	"tinyboard/internal/storetest"
)

// The benchmarks run against dynalite: their latencies say little about
// DynamoDB's, but the requests and capacity units per operation are the
// ones DynamoDB would bill.

// benchStore returns a Store on a fresh dynalite table and a meter of its
// requests.
func benchStore(b *testing.B) (*dynamostore.Store, *meter) {
	b.Helper()
	m := newMeter()
	return newStore(b, dynalite.Start(b), dynamostore.Config{}, m.option), m
}

// report adds the meter's counts per operation to the benchmark's result.
func report(b *testing.B, m *meter) {
	b.Helper()
	_, total, _, capacity := m.read()
	b.ReportMetric(float64(total)/float64(b.N), "requests/op")
	b.ReportMetric(capacity/float64(b.N), "capacity-units/op")
}

func BenchmarkSave(b *testing.B) {
	st, m := benchStore(b)
	ctx := context.Background()
	m.reset()
	for b.Loop() {
		if _, err := st.Save(ctx, board.NewID(time.Now()), "a message of a typical length, neither short nor long"); err != nil {
			b.Fatal(err)
		}
	}
	report(b, m)
}

func BenchmarkPage(b *testing.B) {
	st, m := benchStore(b)
	storetest.SaveN(b, st, "message", 50)
	ctx := context.Background()
	m.reset()
	for b.Loop() {
		p, err := st.Page(ctx, "", 50)
		if err != nil || len(p.Messages) != 50 {
			b.Fatalf("Page = %d messages, %v; want 50", len(p.Messages), err)
		}
	}
	report(b, m)
}

func BenchmarkClear(b *testing.B) {
	st, m := benchStore(b)
	storetest.SaveN(b, st, "message", 50)
	ctx := context.Background()
	m.reset()
	for b.Loop() {
		if err := st.Clear(ctx); err != nil {
			b.Fatal(err)
		}
	}
	report(b, m)
}
