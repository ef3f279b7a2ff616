package loadtest

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// bookBoard is the book's EG15-05 Tiny Message Board, the baseline.
//
//go:embed testdata/eg15_05_board.py
var bookBoard []byte

// browserAccept is the Accept header every GET sends, as a browser
// loading a page does; the board chooses HTML for it.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// postBody is the form every POST row sends, as curl -d or the book's
// form would.
const postBody = "message=A+message+posted+by+the+load+test%2C+of+ordinary+length"

// Config says what Bench runs and how hard.
type Config struct {
	// Duration is how long each row is measured (3 s when zero).
	Duration time.Duration
	// Warmup runs before each row's measurement and is not counted
	// (a tenth of Duration when zero, at most 500 ms).
	Warmup time.Duration
	// Concurrency is how many clients send at once (8 when zero).
	Concurrency int
	// Messages is how many messages each board holds for the GET rows
	// (50 when zero: one full page of localdev's).
	Messages int
	// Localdev is the command that starts localdev; Bench appends
	// -addr 127.0.0.1:0.
	Localdev []string
	// Hello is the command that runs ServeHello in its own process; Bench
	// appends the address to listen on, 127.0.0.1:0.
	Hello []string
	// Python is the python3 to run the book's board with; when empty the
	// book's rows are skipped.
	Python string
	// Progress, when not nil, receives a line as each step starts.
	Progress io.Writer
}

// Row is one measured line of the table.
type Row struct {
	Server  string // hello, localdev or book
	Request string // such as "GET /board"
	Result  Result
	// ServerCPU is the CPU time the server's process used while the row
	// was measured, or -1 where that cannot be read (outside Linux).
	// Per request, it is the figure other load on a shared machine
	// disturbs least.
	ServerCPU time.Duration
	// DriverCPU is the CPU time the load driver (this process) used while
	// the row was measured, or -1 where unknown: on a machine the driver
	// shares with the servers, it bounds the req/s any server can show.
	DriverCPU time.Duration
}

// CPUPerRequest returns the server's CPU time per request, or -1 when
// unknown.
func (r Row) CPUPerRequest() time.Duration { return r.perRequest(r.ServerCPU) }

// DriverCPUPerRequest returns the load driver's CPU time per request, or
// -1 when unknown.
func (r Row) DriverCPUPerRequest() time.Duration { return r.perRequest(r.DriverCPU) }

func (r Row) perRequest(d time.Duration) time.Duration {
	if d < 0 || r.Result.Requests == 0 {
		return -1
	}
	return d / time.Duration(r.Result.Requests)
}

// Report is what Bench measured, ready to print.
type Report struct {
	Config        Config
	PythonVersion string
	// LoadAverage is the machine's load average as the run began, where
	// the system tells it: other work on a shared machine shows here.
	LoadAverage string
	Rows        []Row
	// Notes say what the run did to the boards, such as how much the POST
	// rows grew them.
	Notes []string
}

// Bench starts a bare hello server, localdev and (with Python) the book's
// board as separate processes on loopback, seeds each board with
// cfg.Messages messages, drives each row for cfg.Duration, stops every
// process it started, and returns the figures.
//
// The rows run one after another, GETs first: the POST rows grow the
// boards (localdev's GET shows the newest page whatever its size, but the
// book's page lists every message), so the book's GET /board is measured
// at exactly cfg.Messages messages, and the growth the POST rows cause is
// reported in Notes.
func Bench(ctx context.Context, cfg Config) (_ *Report, err error) {
	cfg = cfg.withDefaults()
	rep := &Report{Config: cfg}
	if avg, err := os.ReadFile("/proc/loadavg"); err == nil {
		rep.LoadAverage = strings.Join(strings.Fields(string(avg))[:3], " ")
	}
	progress := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format+"\n", args...)
		}
	}
	var servers []*Server
	defer func() {
		for _, s := range servers {
			if stopErr := s.Stop(); stopErr != nil && err == nil {
				err = stopErr
			}
		}
	}()
	start := func(name, ready string, argv ...string) (*Server, error) {
		s, err := StartServer(ctx, name, ready, argv...)
		if err != nil {
			return nil, err
		}
		progress("started %s, pid %d, at %s", name, s.Pid(), s.URL)
		servers = append(servers, s)
		return s, nil
	}

	hello, err := start("hello", HelloReady, append(cfg.Hello, "127.0.0.1:0")...)
	if err != nil {
		return nil, err
	}
	localdev, err := start("localdev", "Open your browser and connect to: ", append(cfg.Localdev, "-addr", "127.0.0.1:0")...)
	if err != nil {
		return nil, err
	}
	var book *Server
	if cfg.Python != "" {
		dir, err := os.MkdirTemp("", "loadbench-book-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		script := filepath.Join(dir, "eg15_05_board.py")
		if err := os.WriteFile(script, bookBoard, 0o644); err != nil {
			return nil, err
		}
		if v, err := exec.Command(cfg.Python, "--version").CombinedOutput(); err == nil {
			rep.PythonVersion = strings.TrimSpace(string(v))
		}
		// Port 0: the book's program, given its port, binds 'localhost'
		// and prints where it listens.
		if book, err = start("book", "Open your browser and connect to: ", cfg.Python, script, "0"); err != nil {
			return nil, err
		}
	}

	client := NewClient(1)
	defer client.CloseIdleConnections()
	progress("seeding %d messages in each board", cfg.Messages)
	if err := seedLocaldev(ctx, client, localdev.URL, cfg.Messages); err != nil {
		return nil, err
	}
	if book != nil {
		if err := seedBook(ctx, client, book.URL, cfg.Messages); err != nil {
			return nil, err
		}
	}

	getHTML := func(u string) Request {
		return Request{URL: u, Header: http.Header{"Accept": {browserAccept}}}
	}
	post := func(u string) Request {
		return Request{Method: http.MethodPost, URL: u, ContentType: "application/x-www-form-urlencoded", Body: postBody}
	}
	measure := func(s *Server, label string, req Request) Row {
		progress("driving %s %s for %v", s.Name, label, cfg.Duration)
		c := NewClient(cfg.Concurrency)
		defer c.CloseIdleConnections()
		opts := Options{Concurrency: cfg.Concurrency, Duration: cfg.Warmup}
		Run(ctx, c, req, opts)
		opts.Duration = cfg.Duration
		cpu0, err0 := s.CPUTime()
		self0, errSelf0 := processCPU(os.Getpid())
		row := Row{Server: s.Name, Request: label, Result: Run(ctx, c, req, opts), ServerCPU: -1, DriverCPU: -1}
		if cpu1, err1 := s.CPUTime(); err0 == nil && err1 == nil {
			row.ServerCPU = cpu1 - cpu0
		}
		if self1, errSelf1 := processCPU(os.Getpid()); errSelf0 == nil && errSelf1 == nil {
			row.DriverCPU = self1 - self0
		}
		rep.Rows = append(rep.Rows, row)
		return row
	}

	measure(hello, "GET /", getHTML(hello.URL+"/"))
	measure(localdev, fmt.Sprintf("GET /board (%d messages)", cfg.Messages), getHTML(localdev.URL+"/board"))
	measure(localdev, "GET /index.html", getHTML(localdev.URL+"/index.html"))
	if book != nil {
		before, err := bookMessages(ctx, client, book.URL)
		if err != nil {
			return nil, err
		}
		measure(book, fmt.Sprintf("GET /board (%d messages)", cfg.Messages), getHTML(book.URL+"/board"))
		after, err := bookMessages(ctx, client, book.URL)
		if err != nil {
			return nil, err
		}
		if before != cfg.Messages || after != cfg.Messages {
			return nil, fmt.Errorf("the book's board held %d messages before its GET row and %d after, want %d", before, after, cfg.Messages)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	row := measure(localdev, "POST /board (answer 303)", post(localdev.URL+"/board"))
	rep.Notes = append(rep.Notes, fmt.Sprintf("localdev POST row: each 303 stored a message, so the board grew from %d to over %d (warm-up posts not counted); its GET /board shows the newest %d whatever the size",
		cfg.Messages, cfg.Messages+row.Result.Statuses[http.StatusSeeOther], cfg.Messages))
	if book != nil {
		measure(book, "POST /board (answer 200 + page)", post(book.URL+"/board"))
		n, err := bookMessages(ctx, client, book.URL)
		if err != nil {
			return nil, err
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("book POST row: the board grew from %d to %d messages, and each answer is the whole page, so its POSTs slow down as it grows (the book's design)",
			cfg.Messages, n))
	}
	return rep, ctx.Err()
}

func (cfg Config) withDefaults() Config {
	if cfg.Duration <= 0 {
		cfg.Duration = 3 * time.Second
	}
	if cfg.Warmup <= 0 {
		cfg.Warmup = min(cfg.Duration/10, 500*time.Millisecond)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.Messages <= 0 {
		cfg.Messages = 50
	}
	return cfg
}

// seedMessage is the text of the i-th seeded message, of ordinary length.
func seedMessage(i int) string {
	return fmt.Sprintf("Seeded message number %d, about as long as a message people write", i)
}

// seedLocaldev clears localdev's board, posts n messages and checks that a
// page now shows exactly those n.
func seedLocaldev(ctx context.Context, c *http.Client, base string, n int) error {
	if err := postForm(ctx, c, base+"/board", url.Values{"clear": {""}}, http.StatusSeeOther); err != nil {
		return fmt.Errorf("localdev: %w", err)
	}
	for i := range n {
		if err := postForm(ctx, c, base+"/board", url.Values{"message": {seedMessage(i + 1)}}, http.StatusSeeOther); err != nil {
			return fmt.Errorf("localdev: %w", err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/board", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("localdev: %w", err)
	}
	defer res.Body.Close()
	var page struct {
		Messages []json.RawMessage `json:"messages"`
		Older    string            `json:"older"`
	}
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		return fmt.Errorf("localdev: GET /board as JSON: %w", err)
	}
	if len(page.Messages) != n || page.Older != "" {
		return fmt.Errorf("localdev: after seeding, the board shows %d messages (older %q), want %d and no older page", len(page.Messages), page.Older, n)
	}
	return nil
}

// seedBook clears the book's board and posts n messages.
func seedBook(ctx context.Context, c *http.Client, base string, n int) error {
	if err := postForm(ctx, c, base+"/board", url.Values{"clear": {""}}, http.StatusOK); err != nil {
		return fmt.Errorf("book: %w", err)
	}
	for i := range n {
		if err := postForm(ctx, c, base+"/board", url.Values{"message": {seedMessage(i + 1)}}, http.StatusOK); err != nil {
			return fmt.Errorf("book: %w", err)
		}
	}
	if got, err := bookMessages(ctx, c, base); err != nil {
		return err
	} else if got != n {
		return fmt.Errorf("book: after seeding, the board shows %d messages, want %d", got, n)
	}
	return nil
}

// postForm posts form to target and checks the answer's status.
func postForm(ctx context.Context, c *http.Client, target string, form url.Values, want int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		return fmt.Errorf("POST %s: got status %d, want %d", target, res.StatusCode, want)
	}
	return nil
}

// bookMessages counts the messages on the book's board page, which joins
// them with <br> between its Messages and New Message headings.
func bookMessages(ctx context.Context, c *http.Client, base string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/board", nil)
	if err != nil {
		return 0, err
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("book: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, fmt.Errorf("book: %w", err)
	}
	return countBookMessages(string(body))
}

// countBookMessages counts the messages on a page the book's make_page
// wrote.
func countBookMessages(page string) (int, error) {
	_, rest, ok1 := strings.Cut(page, "<h2>Messages</h2>")
	list, _, ok2 := strings.Cut(rest, "<h2>New Message</h2>")
	if !ok1 || !ok2 {
		return 0, errors.New("book: the page has no Messages section")
	}
	if list = strings.TrimSpace(list); list == "" {
		return 0, nil
	}
	return strings.Count(list, "<br>") + 1, nil
}

// Find returns the row for server and a request starting with method and
// path, such as ("localdev", "GET /board").
func (r *Report) Find(server, request string) (Row, bool) {
	for _, row := range r.Rows {
		if row.Server == server && strings.HasPrefix(row.Request, request) {
			return row, true
		}
	}
	return Row{}, false
}

// ratio is one line of the ratios table: a over b.
type ratio struct {
	label string
	a, b  [2]string // server, request
	goal  float64   // the least a/b in req/s that meets the goal; 0 for none
}

// Print writes the report as two tables: the rows measured, then the
// ratios between them.
func (r *Report) Print(w io.Writer) {
	cfg := r.Config
	fmt.Fprintf(w, "\ntinyboard load benchmark: loopback 127.0.0.1, %d clients with keep-alive, each row %v after a %v warm-up\n",
		cfg.Concurrency, cfg.Duration, cfg.Warmup)
	fmt.Fprintf(w, "machine: %d CPUs, %s %s/%s; load driver and servers share them", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if r.LoadAverage != "" {
		fmt.Fprintf(w, "; load average at start %s", r.LoadAverage)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "hello:    bare net/http handler, no middleware or logging, in its own process, same server timeouts as localdev")
	fmt.Fprintln(w, "localdev: the real program (memory store), in its own process, its request log sent to /dev/null")
	if cfg.Python != "" {
		fmt.Fprintf(w, "book:     EG15-05 as printed, %s: one request at a time, HTTP/1.0 (a new connection per request), request log to /dev/null\n", r.PythonVersion)
	} else {
		fmt.Fprintln(w, "book:     skipped: python3 was not found, so the book's column is left out")
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "server\trequest\t requests\t errors\t   req/s\t       p50\t       p99\t server CPU/req\t driver CPU/req")
	for _, row := range r.Rows {
		res := row.Result
		fmt.Fprintf(tw, "%s\t%s\t%9d\t%7d\t%8.0f\t%10s\t%10s\t%15s\t%15s\n", row.Server, row.Request, res.Requests, res.Errors, res.RPS(),
			ms(res.Percentile(50)), ms(res.Percentile(99)), µs(row.CPUPerRequest()), µs(row.DriverCPUPerRequest()))
	}
	tw.Flush()
	for _, row := range r.Rows {
		if row.Result.Errors > 0 {
			fmt.Fprintf(w, "errors in %s %s: %d, first: %s\n", row.Server, row.Request, row.Result.Errors, row.Result.FirstError)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}

	fmt.Fprintln(w)
	ratios := []ratio{
		{label: "localdev GET /board ÷ hello GET /", a: [2]string{"localdev", "GET /board"}, b: [2]string{"hello", "GET /"}, goal: 0.7},
		{label: "localdev GET /board ÷ book GET /board", a: [2]string{"localdev", "GET /board"}, b: [2]string{"book", "GET /board"}, goal: 5},
		{label: "localdev POST /board ÷ book POST /board", a: [2]string{"localdev", "POST /board"}, b: [2]string{"book", "POST /board"}},
		{label: "localdev GET /index.html ÷ hello GET /", a: [2]string{"localdev", "GET /index.html"}, b: [2]string{"hello", "GET /"}},
		// The ceiling's own margin over the book: no board can beat it.
		{label: "hello GET / ÷ book GET /board", a: [2]string{"hello", "GET /"}, b: [2]string{"book", "GET /board"}},
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ratio (a ÷ b)\t  req/s a÷b\t  p50 b÷a\t  CPU/req b÷a\tgoal (req/s)")
	for _, q := range ratios {
		a, okA := r.Find(q.a[0], q.a[1])
		b, okB := r.Find(q.b[0], q.b[1])
		if !okA || !okB {
			why := "n/a: a row is missing"
			if q.b[0] == "book" {
				why = "n/a: the book's board was skipped"
			}
			fmt.Fprintf(tw, "%s\t%11s\t%9s\t%13s\t%s\n", q.label, "-", "-", "-", why)
			continue
		}
		rps := safeDiv(a.Result.RPS(), b.Result.RPS())
		lat := safeDiv(float64(b.Result.Percentile(50)), float64(a.Result.Percentile(50)))
		goal := ""
		if q.goal > 0 {
			verdict := "met"
			if rps < q.goal {
				verdict = "NOT met"
			}
			goal = fmt.Sprintf("≥ %.1f×: %s", q.goal, verdict)
		}
		cpu := "-"
		if ca, cb := a.CPUPerRequest(), b.CPUPerRequest(); ca > 0 && cb >= 0 {
			cpu = fmt.Sprintf("%.2f×", float64(cb)/float64(ca))
		}
		fmt.Fprintf(tw, "%s\t%10.2f×\t%8.2f×\t%13s\t%s\n", q.label, rps, lat, cpu, goal)
	}
	tw.Flush()
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// µs formats a CPU time per request in microseconds, or "-" when unknown.
func µs(d time.Duration) string {
	if d < 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

// ms formats d in milliseconds, to the microsecond.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}
