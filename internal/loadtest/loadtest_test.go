package loadtest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tinyboard/internal/loadtest"
)

// countingServer answers every request with status and counts them, and
// remembers the bodies and headers it was sent.
type countingServer struct {
	*httptest.Server
	n atomic.Int64

	mu      sync.Mutex
	bodies  map[string]int
	accepts map[string]int
	methods map[string]int
}

func newCountingServer(tb testing.TB, status int) *countingServer {
	tb.Helper()
	s := &countingServer{bodies: map[string]int{}, accepts: map[string]int{}, methods: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.n.Add(1)
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies[r.Header.Get("Content-Type")+" "+string(body)]++
		s.accepts[r.Header.Get("Accept")]++
		s.methods[r.Method]++
		s.mu.Unlock()
		if status == http.StatusSeeOther {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
		io.WriteString(w, "answer\n")
	}))
	tb.Cleanup(s.Close)
	return s
}

func TestRunCountsMatchServer(t *testing.T) {
	for _, tc := range []struct {
		name        string
		concurrency int
		requests    int
	}{
		{"one client", 1, 25},
		{"fewer requests than clients", 8, 3},
		{"many clients", 8, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCountingServer(t, http.StatusOK)
			client := loadtest.NewClient(tc.concurrency)
			defer client.CloseIdleConnections()
			res := loadtest.Run(context.Background(), client, loadtest.Request{URL: srv.URL}, loadtest.Options{
				Concurrency: tc.concurrency, Requests: tc.requests,
			})
			if got := srv.n.Load(); got != int64(tc.requests) {
				t.Errorf("server saw %d requests, want %d", got, tc.requests)
			}
			if res.Requests != tc.requests {
				t.Errorf("got Requests %d, want %d", res.Requests, tc.requests)
			}
			if res.Errors != 0 {
				t.Errorf("got Errors %d, want 0 (first: %s)", res.Errors, res.FirstError)
			}
			if len(res.Latencies) != tc.requests {
				t.Errorf("got %d latencies, want %d", len(res.Latencies), tc.requests)
			}
			if got := res.Statuses[http.StatusOK]; got != tc.requests {
				t.Errorf("got %d answers 200, want %d", got, tc.requests)
			}
			for i := 1; i < len(res.Latencies); i++ {
				if res.Latencies[i] < res.Latencies[i-1] {
					t.Fatalf("latencies not sorted at %d: %v after %v", i, res.Latencies[i], res.Latencies[i-1])
				}
			}
		})
	}
}

func TestRunSendsTheRequest(t *testing.T) {
	srv := newCountingServer(t, http.StatusSeeOther)
	client := loadtest.NewClient(4)
	defer client.CloseIdleConnections()
	req := loadtest.Request{
		Method:      http.MethodPost,
		URL:         srv.URL + "/board",
		ContentType: "application/x-www-form-urlencoded",
		Body:        "message=hello",
		Header:      http.Header{"Accept": {"text/html"}},
	}
	res := loadtest.Run(context.Background(), client, req, loadtest.Options{Concurrency: 4, Requests: 40})
	// A 303 is the answer being measured, not a hop to follow: following it
	// would send GETs to /elsewhere.
	if got := res.Statuses[http.StatusSeeOther]; got != 40 {
		t.Errorf("got %d answers 303, want 40 (statuses %v)", got, res.Statuses)
	}
	if res.Errors != 0 {
		t.Errorf("got Errors %d, want 0: a 3xx is a success", res.Errors)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if got := srv.methods["POST"]; got != 40 || len(srv.methods) != 1 {
		t.Errorf("server saw methods %v, want 40 POSTs only", srv.methods)
	}
	if got := srv.bodies["application/x-www-form-urlencoded message=hello"]; got != 40 {
		t.Errorf("server saw bodies %v, want 40 of message=hello, form-encoded", srv.bodies)
	}
	if got := srv.accepts["text/html"]; got != 40 {
		t.Errorf("server saw Accept headers %v, want 40 of text/html", srv.accepts)
	}
}

func TestRunCountsErrors(t *testing.T) {
	t.Run("status", func(t *testing.T) {
		for _, status := range []int{http.StatusBadRequest, http.StatusServiceUnavailable} {
			srv := newCountingServer(t, status)
			client := loadtest.NewClient(2)
			res := loadtest.Run(context.Background(), client, loadtest.Request{URL: srv.URL}, loadtest.Options{Concurrency: 2, Requests: 10})
			client.CloseIdleConnections()
			if res.Requests != 10 || res.Errors != 10 {
				t.Errorf("status %d: got %d requests and %d errors, want 10 and 10", status, res.Requests, res.Errors)
			}
			if len(res.Latencies) != 0 {
				t.Errorf("status %d: got %d latencies, want none: failures are not timed", status, len(res.Latencies))
			}
			if want := http.StatusText(status); !strings.Contains(res.FirstError, want) {
				t.Errorf("status %d: got FirstError %q, want it to mention %q", status, res.FirstError, want)
			}
		}
	})
	t.Run("transport", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close() // nothing listens there now
		client := loadtest.NewClient(2)
		defer client.CloseIdleConnections()
		res := loadtest.Run(context.Background(), client, loadtest.Request{URL: url}, loadtest.Options{Concurrency: 2, Requests: 6})
		if res.Requests != 6 || res.Errors != 6 {
			t.Errorf("got %d requests and %d errors, want 6 and 6", res.Requests, res.Errors)
		}
		if res.FirstError == "" {
			t.Errorf("got no FirstError, want the connection error")
		}
	})
	t.Run("mixed", func(t *testing.T) {
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1)%4 == 0 {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}))
		defer srv.Close()
		client := loadtest.NewClient(1)
		defer client.CloseIdleConnections()
		res := loadtest.Run(context.Background(), client, loadtest.Request{URL: srv.URL}, loadtest.Options{Concurrency: 1, Requests: 20})
		if res.Requests != 20 || res.Errors != 5 || len(res.Latencies) != 15 {
			t.Errorf("got %d requests, %d errors, %d latencies; want 20, 5, 15", res.Requests, res.Errors, len(res.Latencies))
		}
		if res.Statuses[200] != 15 || res.Statuses[500] != 5 {
			t.Errorf("got statuses %v, want 15 of 200 and 5 of 500", res.Statuses)
		}
	})
}

func TestRunStopsWhenDurationEnds(t *testing.T) {
	srv := newCountingServer(t, http.StatusOK)
	client := loadtest.NewClient(2)
	defer client.CloseIdleConnections()
	res := loadtest.Run(context.Background(), client, loadtest.Request{URL: srv.URL}, loadtest.Options{Concurrency: 2, Duration: 50 * time.Millisecond})
	// How many fit in the time is the machine's business; that every one
	// the driver counted reached the server, and none failed, is not.
	if got := srv.n.Load(); int64(res.Requests) > got {
		t.Errorf("driver counted %d requests, server saw only %d", res.Requests, got)
	}
	if res.Requests == 0 || res.Errors != 0 {
		t.Errorf("got %d requests and %d errors, want some and none (first: %s)", res.Requests, res.Errors, res.FirstError)
	}
	if res.Elapsed <= 0 || res.RPS() <= 0 {
		t.Errorf("got Elapsed %v and RPS %v, want both positive", res.Elapsed, res.RPS())
	}
}

func TestRunStopsWhenContextIsDone(t *testing.T) {
	srv := newCountingServer(t, http.StatusOK)
	client := loadtest.NewClient(2)
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := loadtest.Run(ctx, client, loadtest.Request{URL: srv.URL}, loadtest.Options{Concurrency: 2, Duration: time.Hour})
	if res.Requests != 0 || res.Errors != 0 {
		t.Errorf("got %d requests and %d errors after cancel, want none", res.Requests, res.Errors)
	}
}

func TestPercentile(t *testing.T) {
	// 1 ms, 2 ms, ..., 100 ms.
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	ten := hundred[:10]
	for _, tc := range []struct {
		name   string
		sample []time.Duration
		p      float64
		want   time.Duration
	}{
		{"p50 of 100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p100 of 100", hundred, 100, 100 * time.Millisecond},
		{"p1 of 100", hundred, 1, 1 * time.Millisecond},
		{"p0.5 of 100 rounds up to the first", hundred, 0.5, 1 * time.Millisecond},
		{"p50 of 10", ten, 50, 5 * time.Millisecond},
		{"p99 of 10 is the largest", ten, 99, 10 * time.Millisecond},
		{"p90 of 10", ten, 90, 9 * time.Millisecond},
		{"p91 of 10 rounds up", ten, 91, 10 * time.Millisecond},
		{"one value", []time.Duration{7}, 50, 7},
		{"empty", nil, 50, 0},
	} {
		if got := loadtest.Percentile(tc.sample, tc.p); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestResultPercentileAndRPS(t *testing.T) {
	res := loadtest.Result{
		Requests:  4,
		Elapsed:   2 * time.Second,
		Latencies: []time.Duration{1, 2, 3, 4},
	}
	if got := res.RPS(); got != 2 {
		t.Errorf("got RPS %v, want 2", got)
	}
	if got := res.Percentile(50); got != 2 {
		t.Errorf("got p50 %v, want 2", got)
	}
	if got := (loadtest.Result{Requests: 3}).RPS(); got != 0 {
		t.Errorf("got RPS %v with no elapsed time, want 0", got)
	}
}
