package loadtest

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoopbackURL(t *testing.T) {
	for _, tc := range []struct {
		line, want string
	}{
		{"Open your browser and connect to: http://localhost:8080/board", "http://127.0.0.1:8080"},
		{"Open your browser and connect to: http://127.0.0.1:39525/index.html", "http://127.0.0.1:39525"},
		{HelloReady + "http://127.0.0.1:41000/", "http://127.0.0.1:41000"},
	} {
		got, err := loopbackURL(tc.line)
		if err != nil || got != tc.want {
			t.Errorf("loopbackURL(%q) = %q, %v; want %q, nil", tc.line, got, err, tc.want)
		}
	}
	for _, line := range []string{
		"no address here",
		"connect to: http://0.0.0.0:8080/board",
		"connect to: http://192.168.1.56:8080/",
		"connect to: http://[::1]:8080/",
		"connect to: http://example.com:8080/",
	} {
		if got, err := loopbackURL(line); err == nil {
			t.Errorf("loopbackURL(%q) = %q, nil; want an error", line, got)
		}
	}
}

func TestCountBookMessages(t *testing.T) {
	page := func(list string) string {
		return "<html>\n<body>\n<h1>Tiny Message Board</h1>\n<h2>Messages</h2>\n " + list + " \n<h2>New Message</h2>\n</body>\n</html>"
	}
	for _, tc := range []struct {
		list string
		want int
	}{
		{"", 0},
		{"one", 1},
		{"one<br>two<br>three", 3},
		{"<b>bold</b><br>", 2}, // the book does not escape; an empty last message still counts
	} {
		got, err := countBookMessages(page(tc.list))
		if err != nil || got != tc.want {
			t.Errorf("countBookMessages(page(%q)) = %d, %v; want %d, nil", tc.list, got, err, tc.want)
		}
	}
	if _, err := countBookMessages("<html>not the board</html>"); err == nil {
		t.Errorf("countBookMessages on another page: got no error, want one")
	}
}

// TestReportPrint checks the tables: medians over the rounds, their
// spread, and ratios taken round by round, with the goals judged on the
// median ratio.
func TestReportPrint(t *testing.T) {
	fixed := func(n int, each time.Duration) Result {
		lat := make([]time.Duration, n)
		for i := range lat {
			lat[i] = each
		}
		return Result{Requests: n, Elapsed: time.Second, Latencies: lat}
	}
	rep := &Report{
		Config: Config{Duration: time.Second, Concurrency: 8, Rounds: 3, Python: "python3"}.withDefaults(),
	}
	// Three rounds; in round 2 the machine was busy and every server got
	// half as much done. Per round, localdev ÷ same-bytes is 0.9, 0.95
	// and 0.8; localdev ÷ book is 9, 9.5 and 4.
	for round, scale := range []int{2, 1, 2} {
		book := 100 * scale
		if round == 2 {
			book = 400
		}
		rep.Rows = append(rep.Rows,
			Row{Server: "hello", Request: "GET /", Round: round + 1, Result: fixed(1000*scale, time.Millisecond)},
			Row{Server: "same-bytes", Request: "GET /board (50 messages)", Round: round + 1, Result: fixed(1000*scale, time.Millisecond)},
			Row{Server: "localdev", Request: "GET /board (50 messages)", Round: round + 1, Result: fixed([]int{900, 950, 800}[round]*scale, 2*time.Millisecond)},
			Row{Server: "book", Request: "GET /board (50 messages)", Round: round + 1, Result: fixed(book, 4*time.Millisecond)},
		)
	}
	var out bytes.Buffer
	rep.Print(&out)
	lines := strings.Split(out.String(), "\n")
	for _, want := range [][]string{
		{"3 rounds", "medians over the rounds"},
		{"localdev", "GET /board (50 messages)", "4350", "1600", "950–1800", "2.000 ms"},
		{"localdev GET /board ÷ same-bytes GET /board", "0.90×", "0.80–0.95×", "0.50×", "≥ 0.9×: met"},
		{"localdev GET /board ÷ book GET /board", "9.00×", "4.00–9.50×", "≥ 5.0×: met"},
		{"localdev POST /board ÷ book POST /board", "n/a: a row is missing"},
	} {
		if !slices.ContainsFunc(lines, func(line string) bool { return containsAll(line, want) }) {
			t.Errorf("report has no line with %q; got\n%s", want, out.String())
		}
	}

	rep.Rows[2].Result = fixed(1700, 2*time.Millisecond) // round 1: 0.85
	out.Reset()
	rep.Print(&out)
	if !strings.Contains(out.String(), "≥ 0.9×: NOT met") {
		t.Errorf("with a median ratio of 0.85, the report does not say the 0.9× goal is not met:\n%s", out.String())
	}
}

// containsAll reports whether s contains every one of parts, in order.
func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}
