package dynamostore_test

import (
	"context"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"tinyboard/internal/board"
	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
)

// A proxy stands between a Store and its server on a loopback port, and
// fails the way the test tells it to.
type proxy struct {
	addr string

	mu     sync.Mutex
	ln     net.Listener // nil while down
	target string       // where connections go; "" answers nothing
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

func newProxy(tb testing.TB, target string) *proxy {
	tb.Helper()
	p := &proxy{target: target, conns: make(map[net.Conn]bool)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	tb.Cleanup(func() {
		p.down()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) url() string { return "http://" + p.addr }

func (p *proxy) serve(ln net.Listener) {
	p.ln = ln
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.ln != ln {
				p.mu.Unlock()
				c.Close()
				return
			}
			p.conns[c] = true
			target := p.target
			p.mu.Unlock()
			p.wg.Go(func() { p.handle(c, target) })
		}
	})
}

func (p *proxy) handle(c net.Conn, target string) {
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		c.Close()
	}()
	if target == "" {
		io.Copy(io.Discard, c) // read the request, never answer
		return
	}
	up, err := net.DialTimeout("tcp", target, time.Second)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// dropConns closes every connection, so the next request opens a new one
// and meets the proxy's new behaviour. Call it with p.mu held.
func (p *proxy) dropConns() {
	for c := range p.conns {
		c.Close()
	}
}

// down closes the port: connections are refused.
func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.dropConns()
}

// sendTo opens the port again, if closed, and sends new connections to
// target; with target "", they are accepted and never answered.
func (p *proxy) sendTo(tb testing.TB, target string) {
	tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = target
	p.dropConns()
	if p.ln == nil {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			tb.Fatalf("reopen the proxy's port: %v", err)
		}
		p.serve(ln)
	}
}

const throttled = `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}`

// throttler is a server that answers every DynamoDB request as DynamoDB
// does when a table is over its throughput, and counts the requests.
func throttler(tb testing.TB) (addr string, requests *atomic.Int64) {
	tb.Helper()
	requests = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(throttled))), 10))
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, throttled)
	}))
	tb.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), requests
}

func TestFaults(t *testing.T) {
	dyn := strings.TrimPrefix(dynalite.Start(t), "http://")
	px := newProxy(t, dyn)
	m := newMeter()
	st := newStore(t, px.url(), dynamostore.Config{}, m.option)

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
		px.sendTo(t, dyn)
		for _, op := range ops {
			if _, err := call(op.do); err != nil {
				t.Errorf("%s through a healthy proxy, same Store: %v, want success", op.name, err)
			}
		}
	}

	t.Run("refused", func(t *testing.T) {
		px.down()
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
		px.sendTo(t, "")
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
		addr, requests := throttler(t)
		px.sendTo(t, addr)
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
