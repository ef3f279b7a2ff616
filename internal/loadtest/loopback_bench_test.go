//go:build unix

package loadtest_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"tinyboard/internal/board"
	"tinyboard/internal/loadtest"
	"tinyboard/internal/memstore"
	"tinyboard/internal/web"
)

// These benchmarks serve through a real http.Server over loopback, driven
// by the load driver from 8 clients, in one process so that
// `go test -cpuprofile` sees the server's whole cost:
//
//	go test -run '^$' -bench Loopback -cpuprofile cpu.out ./internal/loadtest
//	go tool pprof -top -focus 'net/http.\(\*conn\).serve' internal/loadtest/loadtest.test cpu.out
//
// ns/op is wall time per request with 8 in flight, client included;
// cpu-µs/op is the CPU the process (client and server) spent per
// request, which other load on the machine disturbs far less.

const benchClients = 8

// serveLoopback serves h as localdev does (same server timeouts) on a free
// loopback port until tb ends, and returns its URL.
func serveLoopback(tb testing.TB, h http.Handler) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := web.NewServer(h, nil)
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// localdevHandler builds the handler localdev serves, as its run does:
// the board over a memory store holding messages, the pages, and the
// request log, written as JSON to the null device as loadbench sends it.
func localdevHandler(tb testing.TB, messages int) http.Handler {
	tb.Helper()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { devNull.Close() })
	logger := slog.New(slog.NewJSONHandler(devNull, nil))
	cfg, err := web.ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Logger = logger
	store := memstore.New()
	for i := range messages {
		if _, err := store.Save(context.Background(), board.NewID(time.Now()), fmt.Sprintf("Seeded message number %d, about as long as a message people write", i+1)); err != nil {
			tb.Fatal(err)
		}
	}
	cfg.Store = store
	boardHandler, err := web.NewBoard(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	pagesHandler, err := web.NewPages(logger)
	if err != nil {
		tb.Fatal(err)
	}
	return web.LogRequests(logger, nil)(web.NewSite(boardHandler, pagesHandler))
}

// drive sends b.N copies of req from benchClients clients and fails b on
// any error.
func drive(b *testing.B, req loadtest.Request) {
	b.Helper()
	client := loadtest.NewClient(benchClients)
	defer client.CloseIdleConnections()
	loadtest.Run(context.Background(), client, req, loadtest.Options{Concurrency: benchClients, Requests: benchClients * 10}) // connect, fill caches
	cpu0 := processCPU(b)
	b.ResetTimer()
	res := loadtest.Run(context.Background(), client, req, loadtest.Options{Concurrency: benchClients, Requests: b.N})
	b.StopTimer()
	cpu := processCPU(b) - cpu0
	if res.Errors > 0 {
		b.Fatalf("got %d errors in %d requests, want none (first: %s)", res.Errors, res.Requests, res.FirstError)
	}
	b.ReportMetric(res.RPS(), "req/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(res.Requests), "cpu-µs/op")
	b.ReportMetric(float64(res.Percentile(50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(res.Percentile(99).Microseconds()), "p99-µs")
	b.ReportMetric(float64(res.Percentile(100).Microseconds()), "max-µs")
}

var browserAccept = http.Header{"Accept": {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}}

// BenchmarkLoopbackHello is the ceiling: a bare handler writing a short
// page.
func BenchmarkLoopbackHello(b *testing.B) {
	page := []byte("<html><body>hello from the Go server</body></html>\n")
	url := serveLoopback(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	drive(b, loadtest.Request{URL: url + "/", Header: browserAccept})
}

// BenchmarkLoopbackBoardGet is a browser loading localdev's board of 50
// messages.
func BenchmarkLoopbackBoardGet(b *testing.B) {
	url := serveLoopback(b, localdevHandler(b, 50))
	drive(b, loadtest.Request{URL: url + "/board", Header: browserAccept})
}

// BenchmarkLoopbackIndex is a browser loading localdev's home page.
func BenchmarkLoopbackIndex(b *testing.B) {
	url := serveLoopback(b, localdevHandler(b, 0))
	drive(b, loadtest.Request{URL: url + "/index.html", Header: browserAccept})
}

// BenchmarkLoopbackBoardPost is curl -d message=... against localdev,
// answered 303.
func BenchmarkLoopbackBoardPost(b *testing.B) {
	url := serveLoopback(b, localdevHandler(b, 50))
	drive(b, loadtest.Request{
		Method: http.MethodPost, URL: url + "/board",
		ContentType: "application/x-www-form-urlencoded", Body: "message=A+message+posted+by+the+load+test",
	})
}

// processCPU returns the CPU time this process has used so far.
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
