package functions_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"tinyboard/internal/board"
	"tinyboard/internal/samlocal"
)

// samSubjects are the two functions as a visitor first meets them under
// sam local: the board page and the home page.
var samSubjects = []struct {
	name   string
	target string
}{
	{"board", "board"},
	{"static", ""},
}

// samBenchAPI serves the template under sam local's front in mode, the
// board on a dynalite table holding a few messages.
func samBenchAPI(tb testing.TB, mode samlocal.Mode) *samAPI {
	tb.Helper()
	const table = "tinyboard-sam-bench"
	endpoint, store := newTable(tb, table)
	for i := range 5 {
		if _, err := store.Save(context.Background(), board.NewID(time.Now()), fmt.Sprintf("Benchmark message %d", i)); err != nil {
			tb.Fatal(err)
		}
	}
	return startSAMAPI(tb, mode, table, endpoint)
}

// reportDuration finds the Duration of the REPORT line the emulator
// printed for its invocation.
var reportDuration = regexp.MustCompile(`REPORT RequestId: \S+\t(?:Init Duration: [0-9.]+ ms\t)?Duration: ([0-9.]+) ms`)

// samRuns is how many fresh emulators each first-invocation figure is the
// median of.
const samRuns = 15

// BenchmarkSAMLocalFirstInvocation reports, for sam local's default mode
// (a fresh emulator for every request), the Duration the Runtime
// Interface Emulator reports for a function's first invocation, which
// includes starting the bootstrap, and the round trip of that request
// through the front, emulator start-up included. Runs take turns between
// the functions, after one unmeasured run of each; medians of 15.
func BenchmarkSAMLocalFirstInvocation(b *testing.B) {
	type figures struct{ duration, roundTrip []time.Duration }
	runs := measureOnce("sam first", func() map[string]*figures {
		api := samBenchAPI(b, samlocal.PerRequest)
		runs := map[string]*figures{}
		for round := -1; round < samRuns; round++ {
			for _, s := range samSubjects {
				before := len(api.output.String())
				start := time.Now()
				r := api.send(b, "GET", s.target, map[string]string{"Accept": acceptPage}, nil)
				took := time.Since(start)
				if r.status != http.StatusOK {
					b.Fatalf("GET /%s: got %d %.200q, want 200", s.target, r.status, r.body)
				}
				m := reportDuration.FindStringSubmatch(api.output.String()[before:])
				if m == nil {
					b.Fatalf("no REPORT line for GET /%s in:\n%s", s.target, api.output.String()[before:])
				}
				ms, _ := strconv.ParseFloat(m[1], 64)
				if round < 0 {
					continue // warms the page cache and dynalite
				}
				if runs[s.name] == nil {
					runs[s.name] = new(figures)
				}
				runs[s.name].duration = append(runs[s.name].duration, time.Duration(ms*float64(time.Millisecond)))
				runs[s.name].roundTrip = append(runs[s.name].roundTrip, took)
			}
		}
		return runs
	})
	for _, s := range samSubjects {
		b.Run(s.name, func(b *testing.B) {
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(ms(percentile(runs[s.name].duration, 50)), "ms-rie-duration-median")
			b.ReportMetric(ms(percentile(runs[s.name].roundTrip, 50)), "ms-round-trip-median")
		})
	}
}

// BenchmarkSAMLocalWarm reports the round trip of a request through sam
// local's front to a warm emulator (samconfig.toml's warm containers),
// after the first request: median and 99th percentile.
func BenchmarkSAMLocalWarm(b *testing.B) {
	api := samBenchAPI(b, samlocal.WarmEager)
	for _, s := range samSubjects {
		b.Run(s.name, func(b *testing.B) {
			get := func() time.Duration {
				start := time.Now()
				r := api.send(b, "GET", s.target, map[string]string{"Accept": acceptPage}, nil)
				if r.status != http.StatusOK {
					b.Fatalf("GET /%s: got %d, want 200", s.target, r.status)
				}
				return time.Since(start)
			}
			get() // the first, which starts the bootstrap
			var runs []time.Duration
			for b.Loop() {
				runs = append(runs, get())
			}
			b.ReportMetric(ms(percentile(runs, 50)), "ms-p50")
			b.ReportMetric(ms(percentile(runs, 99)), "ms-p99")
		})
	}
}
