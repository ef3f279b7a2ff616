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
	"slices"
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
	// Rounds is how many times every row is measured, the rows taking
	// turns, so that whatever else the machine does falls on all of them
	// alike (5 when zero). The table shows medians over the rounds.
	Rounds int
	// Localdev is the command that starts localdev; Bench appends
	// -addr 127.0.0.1:0.
	Localdev []string
	// Hello is the command that runs ServeHello in its own process; Bench
	// appends the address to listen on, 127.0.0.1:0.
	Hello []string
	// SameBytes is the command that runs ServeBytes in its own process;
	// Bench appends the saved answer's path and 127.0.0.1:0.
	SameBytes []string
	// OutputDir is where each server's output (its request log among it)
	// goes, one file per server, NAME.log; Bench also saves there the
	// board page SameBytes serves, board-page.http. Required.
	OutputDir string
	// Python is the python3 to run the book's board with; when empty the
	// book's rows are skipped.
	Python string
	// Progress, when not nil, receives a line as each step starts.
	Progress io.Writer
}

// Row is one measurement: one row of the table in one round.
type Row struct {
	Server  string // hello, same-bytes, localdev or book
	Request string // such as "GET /board"
	Round   int    // from 1
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
	Rows        []Row // every round's, in the order they ran
	// PageBytes is the size of localdev's board page as fetched once
	// after the seeding, which the same-bytes server serves.
	PageBytes int
	// Notes say what the run did to the boards, such as how much the POST
	// rows grew them.
	Notes []string
}

// Bench starts a bare hello server, localdev, a same-bytes server and
// (with Python) the book's board as separate processes on loopback, each
// writing its output to a file in cfg.OutputDir; seeds each board with
// cfg.Messages messages; saves localdev's board page as a browser gets it
// and has the same-bytes server serve exactly that; then measures every
// row cfg.Rounds times, the rows taking turns, stops every process it
// started, and returns the figures.
//
// The GET rows run first, all their rounds, then the POST rows: the POST
// rows grow the boards, and localdev's page must stay the bytes the
// same-bytes server serves. Before each of its POST rows the book's board
// is seeded again, since its every answer is the whole page and would
// slow down round after round.
func Bench(ctx context.Context, cfg Config) (_ *Report, err error) {
	cfg = cfg.withDefaults()
	if cfg.OutputDir == "" {
		return nil, errors.New("loadtest: Config.OutputDir is required")
	}
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
		s, err := StartServer(ctx, name, ready, filepath.Join(cfg.OutputDir, name+".log"), argv...)
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
		script := filepath.Join(cfg.OutputDir, "eg15_05_board.py")
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
	page := filepath.Join(cfg.OutputDir, "board-page.http")
	if rep.PageBytes, err = savePage(ctx, client, localdev.URL+"/board", page); err != nil {
		return nil, err
	}
	sameBytes, err := start("same-bytes", BytesReady, append(cfg.SameBytes, page, "127.0.0.1:0")...)
	if err != nil {
		return nil, err
	}

	getHTML := func(u string) Request {
		return Request{URL: u, Header: http.Header{"Accept": {browserAccept}}}
	}
	post := func(u string) Request {
		return Request{Method: http.MethodPost, URL: u, ContentType: "application/x-www-form-urlencoded", Body: postBody}
	}
	measure := func(s *Server, label string, round int, req Request) Row {
		progress("round %d: driving %s %s for %v", round, s.Name, label, cfg.Duration)
		c := NewClient(cfg.Concurrency)
		defer c.CloseIdleConnections()
		opts := Options{Concurrency: cfg.Concurrency, Duration: cfg.Warmup}
		Run(ctx, c, req, opts)
		opts.Duration = cfg.Duration
		cpu0, err0 := s.CPUTime()
		self0, errSelf0 := processCPU(os.Getpid())
		row := Row{Server: s.Name, Request: label, Round: round, Result: Run(ctx, c, req, opts), ServerCPU: -1, DriverCPU: -1}
		if cpu1, err1 := s.CPUTime(); err0 == nil && err1 == nil {
			row.ServerCPU = cpu1 - cpu0
		}
		if self1, errSelf1 := processCPU(os.Getpid()); errSelf0 == nil && errSelf1 == nil {
			row.DriverCPU = self1 - self0
		}
		rep.Rows = append(rep.Rows, row)
		return row
	}
	type task struct {
		s     *Server
		label string
		req   Request
		pre   func() error // runs before the row, unmeasured
	}
	// rounds runs every task once per round, each round starting one
	// task further on, so that no row always follows the same one.
	rounds := func(tasks []task) error {
		for round := 1; round <= cfg.Rounds; round++ {
			for i := range tasks {
				t := tasks[(i+round-1)%len(tasks)]
				if t.pre != nil {
					if err := t.pre(); err != nil {
						return err
					}
				}
				measure(t.s, t.label, round, t.req)
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		return nil
	}

	boardLabel := fmt.Sprintf("GET /board (%d messages)", cfg.Messages)
	gets := []task{
		{s: hello, label: "GET /", req: getHTML(hello.URL + "/")},
		{s: sameBytes, label: boardLabel, req: getHTML(sameBytes.URL + "/board")},
		{s: localdev, label: boardLabel, req: getHTML(localdev.URL + "/board")},
		{s: localdev, label: "GET /index.html", req: getHTML(localdev.URL + "/index.html")},
	}
	if book != nil {
		gets = append(gets, task{s: book, label: boardLabel, req: getHTML(book.URL + "/board")})
	}
	if err := rounds(gets); err != nil {
		return nil, err
	}
	if n, err := pageSize(ctx, client, localdev.URL+"/board"); err != nil {
		return nil, err
	} else if n != rep.PageBytes {
		return nil, fmt.Errorf("localdev's board page is %d bytes after the GET rows, want the %d the same-bytes server served", n, rep.PageBytes)
	}
	if book != nil {
		if n, err := bookMessages(ctx, client, book.URL); err != nil {
			return nil, err
		} else if n != cfg.Messages {
			return nil, fmt.Errorf("the book's board held %d messages after its GET rows, want %d", n, cfg.Messages)
		}
	}

	posts := []task{{s: localdev, label: "POST /board (answer 303)", req: post(localdev.URL + "/board")}}
	if book != nil {
		posts = append(posts, task{s: book, label: "POST /board (answer 200 + page)", req: post(book.URL + "/board"),
			pre: func() error { return seedBook(ctx, client, book.URL, cfg.Messages) }})
	}
	if err := rounds(posts); err != nil {
		return nil, err
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("POST rows: each localdev 303 stored a message, so its board grew past %d; its GET rows ran before, on exactly %d", cfg.Messages, cfg.Messages))
	if book != nil {
		rep.Notes = append(rep.Notes, fmt.Sprintf("book POST rows: the board was seeded again to %d before each, and grew during it; each answer is the whole page, so its POSTs slow down as it grows (the book's design)", cfg.Messages))
	}
	return rep, ctx.Err()
}

// savePage fetches target as a browser would and saves the answer for
// ServeBytes; it returns the body's size.
func savePage(ctx context.Context, c *http.Client, target, path string) (int, error) {
	res, err := browserGet(ctx, c, target)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.ContentLength <= 0 {
		return 0, fmt.Errorf("GET %s: got status %d with Content-Length %d, want 200 with a length", target, res.StatusCode, res.ContentLength)
	}
	if err := SaveAnswer(path, res); err != nil {
		return 0, err
	}
	return int(res.ContentLength), nil
}

// pageSize returns the size of target's body as a browser gets it.
func pageSize(ctx context.Context, c *http.Client, target string) (int, error) {
	res, err := browserGet(ctx, c, target)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	return int(n), err
}

// browserGet sends GET target with a browser's Accept header.
func browserGet(ctx context.Context, c *http.Client, target string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", browserAccept)
	return c.Do(req)
}

func (cfg Config) withDefaults() Config {
	if cfg.Duration <= 0 {
		cfg.Duration = 2 * time.Second
	}
	if cfg.Rounds <= 0 {
		cfg.Rounds = 5
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

// seedMessage is the text of the i-th seeded message: 60 characters, an
// ordinary length.
func seedMessage(i int) string {
	return fmt.Sprintf("Seeded message number %04d, about as long as people write...", i)
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

// rowsOf returns the rounds of one row: server and a request starting
// with method and path, such as ("localdev", "GET /board").
func (r *Report) rowsOf(server, request string) []Row {
	var rows []Row
	for _, row := range r.Rows {
		if row.Server == server && strings.HasPrefix(row.Request, request) {
			rows = append(rows, row)
		}
	}
	return rows
}

// Summary is one row of the table over all its rounds.
type Summary struct {
	Server, Request  string
	Rounds           int
	Requests, Errors int     // over all rounds
	RPS              float64 // median over the rounds
	MinRPS, MaxRPS   float64 // the rounds' spread
	P50, P99         time.Duration
	CPU, DriverCPU   time.Duration // per request; -1 when unknown
}

// Summarize returns the medians over the rounds of a row, found as
// rowsOf finds it.
func (r *Report) Summarize(server, request string) (Summary, bool) {
	rows := r.rowsOf(server, request)
	if len(rows) == 0 {
		return Summary{}, false
	}
	s := Summary{Server: rows[0].Server, Request: rows[0].Request, Rounds: len(rows)}
	var rps []float64
	var p50, p99, cpu, driver []time.Duration
	for _, row := range rows {
		s.Requests += row.Result.Requests
		s.Errors += row.Result.Errors
		rps = append(rps, row.Result.RPS())
		p50 = append(p50, row.Result.Percentile(50))
		p99 = append(p99, row.Result.Percentile(99))
		cpu = append(cpu, row.CPUPerRequest())
		driver = append(driver, row.DriverCPUPerRequest())
	}
	s.RPS, s.MinRPS, s.MaxRPS = median(rps), slices.Min(rps), slices.Max(rps)
	s.P50, s.P99, s.CPU, s.DriverCPU = median(p50), median(p99), median(cpu), median(driver)
	if slices.Contains(cpu, -1) {
		s.CPU = -1
	}
	if slices.Contains(driver, -1) {
		s.DriverCPU = -1
	}
	return s, true
}

// Ratio compares two rows round by round: in each round, a's req/s over
// b's, measured minutes apart at most, then the median and spread of
// those ratios; and the ratios of the medians of p50 (b over a) and CPU
// per request (b over a), where more is better for a.
type Ratio struct {
	RPS, MinRPS, MaxRPS float64
	P50, CPU            float64 // 0 when unknown
}

// Compare returns how row a compares with row b, rows found as rowsOf
// finds them; false when either is missing.
func (r *Report) Compare(a, b [2]string) (Ratio, bool) {
	as, bs := r.rowsOf(a[0], a[1]), r.rowsOf(b[0], b[1])
	if len(as) == 0 || len(bs) == 0 {
		return Ratio{}, false
	}
	var per []float64
	for _, x := range as {
		for _, y := range bs {
			if x.Round == y.Round {
				per = append(per, safeDiv(x.Result.RPS(), y.Result.RPS()))
			}
		}
	}
	if len(per) == 0 {
		return Ratio{}, false
	}
	sa, _ := r.Summarize(a[0], a[1])
	sb, _ := r.Summarize(b[0], b[1])
	q := Ratio{RPS: median(per), MinRPS: slices.Min(per), MaxRPS: slices.Max(per), P50: safeDiv(float64(sb.P50), float64(sa.P50))}
	if sa.CPU > 0 && sb.CPU >= 0 {
		q.CPU = float64(sb.CPU) / float64(sa.CPU)
	}
	return q, true
}

// median returns the middle of xs (the mean of the two middle ones for an
// even count), xs unchanged; 0 for none.
func median[T int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratio is one line of the ratios table: a over b.
type ratio struct {
	label string
	a, b  [2]string // server, request
	goal  float64   // the least a/b in req/s that meets the goal; 0 for none
}

// Print writes the report as two tables: each row's medians over the
// rounds, then the ratios between rows.
func (r *Report) Print(w io.Writer) {
	cfg := r.Config
	fmt.Fprintf(w, "\ntinyboard load benchmark: loopback 127.0.0.1, %d clients with keep-alive, each row %v after a %v warm-up, %d rounds with the rows taking turns; medians over the rounds\n",
		cfg.Concurrency, cfg.Duration, cfg.Warmup, cfg.Rounds)
	fmt.Fprintf(w, "machine: %d CPUs, %s %s/%s; load driver and servers share them", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if r.LoadAverage != "" {
		fmt.Fprintf(w, "; load average at start %s", r.LoadAverage)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "hello:      bare net/http handler writing a short page, no middleware or logging, same server timeouts as localdev")
	fmt.Fprintf(w, "same-bytes: bare net/http handler writing the %d bytes and the headers of localdev's board page as fetched once after the seeding: the ceiling for that page\n", r.PageBytes)
	fmt.Fprintln(w, "localdev:   the real program (memory store), its request log in its default form")
	if cfg.Python != "" {
		fmt.Fprintf(w, "book:       EG15-05 as printed, %s: one request at a time, HTTP/1.0 (a new connection per request)\n", r.PythonVersion)
	} else {
		fmt.Fprintln(w, "book:       skipped: python3 was not found, so the book's column is left out")
	}
	fmt.Fprintln(w, "each server runs in its own process, writing its output (request logs included) to a file")
	fmt.Fprintln(w)

	var order [][2]string
	for _, row := range r.Rows {
		k := [2]string{row.Server, row.Request}
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "server\trequest\t requests\t errors\t   req/s\t  req/s min–max\t       p50\t       p99\t server CPU/req\t driver CPU/req")
	for _, k := range order {
		s, _ := r.Summarize(k[0], k[1])
		fmt.Fprintf(tw, "%s\t%s\t%9d\t%7d\t%8.0f\t%15s\t%10s\t%10s\t%15s\t%15s\n", s.Server, s.Request, s.Requests, s.Errors, s.RPS,
			fmt.Sprintf("%.0f–%.0f", s.MinRPS, s.MaxRPS), ms(s.P50), ms(s.P99), µs(s.CPU), µs(s.DriverCPU))
	}
	tw.Flush()
	for _, row := range r.Rows {
		if row.Result.Errors > 0 {
			fmt.Fprintf(w, "errors in %s %s, round %d: %d, first: %s\n", row.Server, row.Request, row.Round, row.Result.Errors, row.Result.FirstError)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}

	fmt.Fprintln(w)
	ratios := []ratio{
		{label: "localdev GET /board ÷ same-bytes GET /board", a: [2]string{"localdev", "GET /board"}, b: [2]string{"same-bytes", "GET /board"}, goal: 0.9},
		{label: "localdev GET /board ÷ book GET /board", a: [2]string{"localdev", "GET /board"}, b: [2]string{"book", "GET /board"}, goal: 5},
		{label: "localdev POST /board ÷ book POST /board", a: [2]string{"localdev", "POST /board"}, b: [2]string{"book", "POST /board"}},
		{label: "localdev GET /board ÷ hello GET /", a: [2]string{"localdev", "GET /board"}, b: [2]string{"hello", "GET /"}},
		{label: "localdev GET /index.html ÷ hello GET /", a: [2]string{"localdev", "GET /index.html"}, b: [2]string{"hello", "GET /"}},
		// The ceilings' own margins over the book: no board can beat them.
		{label: "same-bytes GET /board ÷ book GET /board", a: [2]string{"same-bytes", "GET /board"}, b: [2]string{"book", "GET /board"}},
		{label: "hello GET / ÷ book GET /board", a: [2]string{"hello", "GET /"}, b: [2]string{"book", "GET /board"}},
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ratio (a ÷ b), per round\t  req/s a÷b\t  rounds min–max\t  p50 b÷a\t  CPU/req b÷a\tgoal (req/s, median)")
	for _, q := range ratios {
		c, ok := r.Compare(q.a, q.b)
		if !ok {
			why := "n/a: a row is missing"
			if q.b[0] == "book" && cfg.Python == "" {
				why = "n/a: the book's board was skipped"
			}
			fmt.Fprintf(tw, "%s\t%11s\t%16s\t%9s\t%13s\t%s\n", q.label, "-", "-", "-", "-", why)
			continue
		}
		goal := ""
		if q.goal > 0 {
			verdict := "met"
			if c.RPS < q.goal {
				verdict = "NOT met"
			}
			goal = fmt.Sprintf("≥ %.1f×: %s", q.goal, verdict)
		}
		cpu := "-"
		if c.CPU > 0 {
			cpu = fmt.Sprintf("%.2f×", c.CPU)
		}
		fmt.Fprintf(tw, "%s\t%10.2f×\t%16s\t%8.2f×\t%13s\t%s\n", q.label, c.RPS, fmt.Sprintf("%.2f–%.2f×", c.MinRPS, c.MaxRPS), c.P50, cpu, goal)
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
