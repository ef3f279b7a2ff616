// Package loadtest measures HTTP servers under load: a driver that keeps a
// number of clients sending one request for a fixed time (or a fixed
// count), and a runner that sets tinyboard's localdev side by side with a
// bare net/http hello server and the book's own Python message board
// (testdata/eg15_05_board.py), all on loopback, and prints their figures
// and ratios. `go run ./internal/loadtest/cmd/loadbench` runs it.
package loadtest

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Request is the one request a load run repeats.
type Request struct {
	Method      string // GET when empty
	URL         string
	ContentType string // sent when Body is not empty
	Body        string
	Header      http.Header // extra headers, such as Accept
}

// newHTTPRequest builds one copy of the request; each send needs its own
// body reader.
func (r Request) newHTTPRequest(ctx context.Context) (*http.Request, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.Body != "" && r.ContentType != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	return req, nil
}

// Options says how hard and how long to drive.
type Options struct {
	// Concurrency is how many clients send at once, each waiting for its
	// answer before sending again (1 when zero).
	Concurrency int
	// Duration bounds the run in time; zero means no time bound.
	Duration time.Duration
	// Requests bounds the run in requests sent, over all clients; zero
	// means no count bound. One of Duration and Requests must be set.
	Requests int
}

// Result is what a load run measured.
type Result struct {
	// Requests counts the requests that were answered or failed.
	Requests int
	// Errors counts those that failed: a transport error, or an answer
	// other than 2xx or 3xx.
	Errors int
	// Statuses counts answers by status code.
	Statuses map[int]int
	// FirstError describes the first failure, for a report.
	FirstError string
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
	// Latencies holds how long each successful request took, from
	// sending to the last byte of the answer, shortest first.
	Latencies []time.Duration
}

// RPS returns the requests completed per second, failures included.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of the successful
// requests' latencies by the nearest-rank method: the smallest latency
// that at least p percent of them do not exceed. It returns 0 when
// nothing succeeded.
func (r Result) Percentile(p float64) time.Duration {
	return Percentile(r.Latencies, p)
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted, a
// sample in ascending order, by the nearest-rank method; 0 for an empty
// sample.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// rank = ceil(p/100 × n), computed in integers where possible so that
	// p=50 of 100 is exactly rank 50.
	rank := int(p * float64(n) / 100)
	if float64(rank) < p*float64(n)/100 {
		rank++
	}
	return sorted[min(max(rank, 1), n)-1]
}

// NewClient returns a client for load runs: keep-alive connections, as
// many idle ones kept per host as there are clients, redirects shown
// rather than followed (a 303 is the answer being measured), and a
// timeout so a stuck server cannot stall the run.
func NewClient(concurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = max(concurrency, 1) * 2
	t.MaxIdleConnsPerHost = max(concurrency, 1) * 2
	t.Proxy = nil // loopback only: never through a proxy from the environment
	return &http.Client{
		Transport:     t,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Run sends req from opts.Concurrency clients until opts.Duration has
// passed, opts.Requests have been sent, or ctx is done, and returns what
// it measured. Every answer is read to its end, so connections are reused.
func Run(ctx context.Context, client *http.Client, req Request, opts Options) Result {
	workers := max(opts.Concurrency, 1)
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	// budget hands out request tickets when the run is bounded by count.
	var budget chan struct{}
	if opts.Requests > 0 {
		budget = make(chan struct{}, opts.Requests)
		for range opts.Requests {
			budget <- struct{}{}
		}
		close(budget)
	}

	results := make([]workerResult, workers)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = drive(ctx, client, req, budget) })
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start), Statuses: make(map[int]int)}
	for _, w := range results {
		res.Requests += w.requests
		res.Errors += w.errors
		res.Latencies = append(res.Latencies, w.latencies...)
		for code, n := range w.statuses {
			res.Statuses[code] += n
		}
		if res.FirstError == "" {
			res.FirstError = w.firstError
		}
	}
	slices.Sort(res.Latencies)
	return res
}

// workerResult is what one client measured; each client keeps its own so
// that they share nothing while the run lasts.
type workerResult struct {
	requests, errors int
	statuses         map[int]int
	latencies        []time.Duration
	firstError       string
}

// drive is one client: send, read the answer, repeat until ctx is done or
// budget (when not nil) runs out.
func drive(ctx context.Context, client *http.Client, req Request, budget <-chan struct{}) workerResult {
	w := workerResult{statuses: make(map[int]int), latencies: make([]time.Duration, 0, 4096)}
	for ctx.Err() == nil {
		if budget != nil {
			if _, ok := <-budget; !ok {
				break
			}
		}
		r, err := req.newHTTPRequest(ctx)
		if err != nil {
			w.fail(err.Error())
			break
		}
		began := time.Now()
		res, err := client.Do(r)
		if err == nil {
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		took := time.Since(began)
		if ctx.Err() != nil && err != nil {
			break // cut off by the end of the run: neither a request nor an error
		}
		if err != nil {
			w.fail(err.Error())
			continue
		}
		w.requests++
		w.statuses[res.StatusCode]++
		if res.StatusCode < 200 || res.StatusCode > 399 {
			w.errors++
			if w.firstError == "" {
				w.firstError = r.Method + " " + req.URL + ": " + res.Status
			}
			continue
		}
		w.latencies = append(w.latencies, took)
	}
	return w
}

// fail counts a request that got no answer.
func (w *workerResult) fail(msg string) {
	w.requests++
	w.errors++
	if w.firstError == "" {
		w.firstError = msg
	}
}
