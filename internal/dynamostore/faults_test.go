package dynamostore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"tinyboard/internal/board"
	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
)

func TestFaults(t *testing.T) {
	px := dynalite.NewProxy(t, dynalite.Start(t))
	m := newMeter()
	st := newStore(t, px.URL(), dynamostore.Config{}, m.option)

	ops := []struct {
		name string
		do   func(ctx context.Context) error
	}{
		{"Page", func(ctx context.Context) error { _, err := st.Page(ctx, "", 50); return err }},
		{"Save", func(ctx context.Context) error {
			_, err := st.Save(ctx, board.NewID(time.Now()), "hello")
			return err
		}},
		{"Clear", func(ctx context.Context) error { return st.Clear(ctx) }},
	}
	// call runs op with the 3 s deadline the web handlers give a store
	// call, and returns its error and how long it took.
	call := func(do func(context.Context) error) (time.Duration, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		start := time.Now()
		err := do(ctx)
		return time.Since(start), err
	}
	healthy := func(t *testing.T) {
		t.Helper()
		px.Healthy(t)
		for _, op := range ops {
			if _, err := call(op.do); err != nil {
				t.Errorf("%s through a healthy proxy, same Store: %v, want success", op.name, err)
			}
		}
	}

	t.Run("refused", func(t *testing.T) {
		px.Down()
		for _, op := range ops {
			m.reset()
			took, err := call(op.do)
			if !errors.Is(err, board.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s with the port closed: error = %v, want one matching board.ErrUnavailable before the deadline", op.name, err)
			}
			if took > 5*time.Second {
				t.Errorf("%s with the port closed took %v, want well under 5s", op.name, took)
			}
			if _, _, attempts, _ := m.read(); attempts != dynamostore.DefaultMaxAttempts {
				t.Errorf("%s with the port closed made %d attempts, want %d", op.name, attempts, dynamostore.DefaultMaxAttempts)
			}
		}
		healthy(t)
	})

	t.Run("silent", func(t *testing.T) {
		px.Silent(t)
		var wg sync.WaitGroup
		for _, op := range ops {
			wg.Go(func() {
				took, err := call(op.do)
				if !errors.Is(err, board.ErrUnavailable) {
					t.Errorf("%s with a server that never answers: error = %v, want one matching board.ErrUnavailable", op.name, err)
				}
				if took > 5*time.Second {
					t.Errorf("%s with a server that never answers took %v, want an error at the 3s deadline", op.name, took)
				}
			})
		}
		wg.Wait()
		healthy(t)
	})

	t.Run("throttled", func(t *testing.T) {
		addr, requests := dynalite.Throttling(t)
		px.SendTo(t, addr)
		for _, op := range ops {
			requests.Store(0)
			m.reset()
			_, err := call(op.do)
			var throttled *types.ProvisionedThroughputExceededException
			if !errors.Is(err, board.ErrUnavailable) || !errors.As(err, &throttled) {
				t.Errorf("%s while throttled: error = %v, want one matching board.ErrUnavailable and the throttling error", op.name, err)
			}
			// The first attempt may meet a connection that the proxy closed
			// when it switched to the throttling server, so that server may
			// see one request fewer than the Store made.
			_, _, attempts, _ := m.read()
			if got := requests.Load(); attempts != dynamostore.DefaultMaxAttempts || got < 1 || got > int64(attempts) {
				t.Errorf("%s while throttled made %d attempts, %d of them throttled; want %d attempts (bounded retries)", op.name, attempts, got, dynamostore.DefaultMaxAttempts)
			}
		}
		healthy(t)
	})
}
