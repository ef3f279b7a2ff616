package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tinyboard/internal/dynalite"
)

// The soak runs localdev under a steady mix of reads, posts and clears
// from concurrent clients, for SOAK_DURATION (5 s unless set; `make soak`
// sets a minute), and then checks that nothing went wrong over that time:
// no 5xx, no acknowledged post lost, none shown twice, and memory where it
// started.

// soakWorkers is how many clients read and post at once; one more clears.
const soakWorkers = 8

// soakEnv is localdev's environment in the soak: long pages, so reading
// the whole board at the end takes few requests.
var soakEnv = map[string]string{"PAGE_SIZE": "200"}

func TestSoakMemoryStore(t *testing.T) {
	soak(t, start(t, soakEnv))
}

func TestSoakDynamoDB(t *testing.T) {
	env := maps.Clone(soakEnv)
	env["DYNAMODB_ENDPOINT"] = dynalite.Start(t)
	env["BOARD_TABLE"] = tableName(t)
	soak(t, start(t, env, "-store", "dynamodb", "-create-table"))
}

// soakDuration returns SOAK_DURATION, or 5 s when it is unset.
func soakDuration(tb testing.TB) time.Duration {
	tb.Helper()
	v := os.Getenv("SOAK_DURATION")
	if v == "" {
		return 5 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		tb.Fatalf("SOAK_DURATION=%q: want a duration such as 60s", v)
	}
	return d
}

// postRecord is one post the soak made: a message text no other post
// has, when it was first sent and when its last answer came.
type postRecord struct {
	text           string
	sent, answered time.Time
	acked          bool // answered 303 or 201
}

// clearRecord is one clear: when it was sent and when it was answered.
type clearRecord struct {
	sent, returned time.Time
	ok             bool
}

// soakLog is what the clients did, gathered from all of them.
type soakLog struct {
	// warm marks the warm-up, where a 503 is counted but is no failure:
	// a store just started (dynalite, its table just created, on a
	// machine busy with other tests) may take longer than the board's
	// store deadline for its first requests, and the board then answers
	// 503 by design. The soak proper allows no 5xx at all.
	warm bool

	mu       sync.Mutex
	statuses map[string]int // "GET /board 200", … ; "error" counts transport errors
	posts    []postRecord
	clears   []clearRecord
}

func (l *soakLog) count(tb testing.TB, what string, status int, want ...int) {
	tb.Helper()
	l.mu.Lock()
	l.statuses[fmt.Sprintf("%s %d", what, status)]++
	l.mu.Unlock()
	if !slices.Contains(want, status) && !(l.warm && status == http.StatusServiceUnavailable) {
		tb.Errorf("%s: got status %d, want one of %v", what, status, want)
	}
}

func (l *soakLog) fail(tb testing.TB, what string, err error) {
	tb.Helper()
	l.mu.Lock()
	l.statuses["error"]++
	l.mu.Unlock()
	tb.Errorf("%s: %v", what, err)
}

// soak drives s for soakDuration after a warm-up, then checks the board
// and the process's memory.
func soak(tb testing.TB, s *server) {
	tb.Helper()
	d := soakDuration(tb)
	client := &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: soakWorkers + 1},
		CheckRedirect: noRedirect.CheckRedirect,
	}
	defer client.CloseIdleConnections()

	warm := &soakLog{warm: true, statuses: make(map[string]int)}
	drive(tb, s.URL, client, warm, min(d/5, time.Second), "warm")
	tb.Logf("warm-up, by status: %v", warm.statuses)
	clearBoard(tb, s.URL)
	client.CloseIdleConnections()
	heapStart, rssStart, goStart := memory()

	log := &soakLog{statuses: make(map[string]int)}
	began := time.Now()
	drive(tb, s.URL, client, log, d, "soak")
	took := time.Since(began)

	texts := allTexts(tb, s.URL)
	client.CloseIdleConnections()
	heapEnd, rssEnd, goEnd := memory()

	var requests int
	for _, n := range log.statuses {
		requests += n
	}
	tb.Logf("%d requests in %v (%.0f/s) from %d clients and a clearer; by status: %v",
		requests, took.Round(time.Millisecond), float64(requests)/took.Seconds(), soakWorkers, log.statuses)
	checkPosts(tb, log, texts)

	var stored uint64 // what the board's messages may take in memory
	var text int
	for _, m := range texts {
		text += len(m)
		stored += 1<<10 + 4*uint64(len(m))
	}
	tb.Logf("live heap %s at the start, %s at the end, with %d messages (%s of text) on the board",
		mib(heapStart), mib(heapEnd), len(texts), mib(uint64(text)))
	tb.Logf("RSS %s at the start, %s at the end; goroutines %d at the start, %d at the end",
		mib(rssStart), mib(rssEnd), goStart, goEnd)
	// Generous: a message the board holds may cost up to a KiB and four
	// times its text (id, time, the list, the map of ids, cached pages),
	// the heap may double on top of what it held at the start, and 8 MiB
	// is noise; a leak of anything per request grows far past that over a
	// soak.
	if limit := 2*heapStart + stored + 8<<20; heapEnd > limit {
		tb.Errorf("live heap after the soak: got %s, want at most %s (twice the %s at the start, plus %s for the %d messages stored, plus 8 MiB)",
			mib(heapEnd), mib(limit), mib(heapStart), mib(stored), len(texts))
	}
}

// drive runs the clients against base for d, recording into log: each
// worker reads and posts in a random mix, and the clearer clears the
// board every tenth of d, but not in the last fifth, so that the board
// ends with posts no clear could excuse. Texts are prefixed with tag so
// that runs never repeat one.
func drive(tb testing.TB, base string, client *http.Client, log *soakLog, d time.Duration, tag string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for w := range soakWorkers {
		wg.Go(func() {
			c := &soakClient{tb: tb, base: base, client: client, log: log, rnd: rand.New(rand.NewPCG(uint64(w), 1))}
			for i := 0; ctx.Err() == nil; i++ {
				c.step(fmt.Sprintf("%s w%d-%d", tag, w, i))
			}
			log.mu.Lock()
			log.posts = append(log.posts, c.posts...)
			log.mu.Unlock()
		})
	}
	wg.Go(func() {
		tick := time.NewTicker(d / 10)
		defer tick.Stop()
		for range 8 {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			c := clearRecord{sent: time.Now()}
			status, err := send(client, "POST", base+"board", "application/x-www-form-urlencoded", "clear=", "")
			c.returned = time.Now()
			if err != nil {
				log.fail(tb, "clear", err)
			} else {
				log.count(tb, "clear", status, http.StatusSeeOther)
				c.ok = status == http.StatusSeeOther
			}
			log.mu.Lock()
			log.clears = append(log.clears, c)
			log.mu.Unlock()
		}
	})
	wg.Wait()
}

// soakClient is one worker of the soak.
type soakClient struct {
	tb     testing.TB
	base   string
	client *http.Client
	log    *soakLog
	rnd    *rand.Rand
	posts  []postRecord
	formID string // the one-time id of the last page read, if unused
}

var formIDRE = regexp.MustCompile(`name="id" value="([0-9A-Z]{26})"`)

// step makes one request, or two for a page of older messages or a form
// sent twice; text is the message if it posts.
func (c *soakClient) step(text string) {
	switch n := c.rnd.IntN(100); {
	case n < 40: // a browser reads the board
		status, body, err := c.get("board", "text/html")
		if c.ok("GET /board", status, err, http.StatusOK) {
			if m := formIDRE.FindStringSubmatch(body); m != nil {
				c.formID = m[1]
			}
		}
	case n < 55: // a script reads the board, and the page before it
		status, body, err := c.get("board", "application/json")
		if !c.ok("GET /board as JSON", status, err, http.StatusOK) {
			return
		}
		var p boardPage
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			c.tb.Errorf("GET /board as JSON: %v in %.200q", err, body)
			return
		}
		if p.Older != "" {
			status, _, err := c.get("board?before="+url.QueryEscape(p.Older), "application/json")
			c.ok("GET /board?before=", status, err, http.StatusOK)
		}
	case n < 60: // the rest of the site
		status, _, err := c.get([]string{"", "style.css", "page.html", "hello"}[c.rnd.IntN(4)], "text/html")
		c.ok("GET a page", status, err, http.StatusOK)
	case n < 65: // a user saves an empty message
		status, err := send(c.client, "POST", c.base+"board", "application/x-www-form-urlencoded", "message=+", "")
		c.ok("POST an empty message", status, err, http.StatusBadRequest)
	case n < 75 && c.formID != "": // a browser saves the form, twice (a double click)
		form := url.Values{"message": {text}, "id": {c.formID}}.Encode()
		c.formID = ""
		c.post(text, func() (int, error) {
			return send(c.client, "POST", c.base+"board", "application/x-www-form-urlencoded", form, "")
		}, 2, http.StatusSeeOther)
	case n < 85: // curl -d message=…
		form := url.Values{"message": {text}}.Encode()
		c.post(text, func() (int, error) {
			return send(c.client, "POST", c.base+"board", "application/x-www-form-urlencoded", form, "")
		}, 1, http.StatusSeeOther)
	case n < 95: // a JSON client
		body, _ := json.Marshal(map[string]string{"message": text})
		c.post(text, func() (int, error) {
			return send(c.client, "POST", c.base+"board", "application/json", string(body), "application/json")
		}, 1, http.StatusCreated)
	default: // curl -F message=…
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("message", text)
		mw.Close()
		c.post(text, func() (int, error) {
			return send(c.client, "POST", c.base+"board", mw.FormDataContentType(), b.String(), "")
		}, 1, http.StatusSeeOther)
	}
}

// post sends a message times times (a repeated submission of one form
// after the first) and records it.
func (c *soakClient) post(text string, do func() (int, error), times, want int) {
	r := postRecord{text: text, sent: time.Now(), acked: true}
	for range times {
		status, err := do()
		r.acked = c.ok("POST /board", status, err, want) && r.acked
	}
	r.answered = time.Now()
	c.posts = append(c.posts, r)
}

// get fetches path as a client that accepts accept does.
func (c *soakClient) get(path, accept string) (int, string, error) {
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Accept", accept)
	res, err := c.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, string(body), err
}

// ok records an answer and reports whether it was the one wanted.
func (c *soakClient) ok(what string, status int, err error, want int) bool {
	if err != nil {
		c.log.fail(c.tb, what, err)
		return false
	}
	c.log.count(c.tb, what, status, want)
	return status == want
}

// send makes one request with a body and returns its status.
func send(client *http.Client, method, target, contentType, body, accept string) (int, error) {
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", contentType)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// checkPosts holds the board's final texts to what the posts and clears
// were told: every acknowledged post is shown once, unless a clear that
// was sent after it was acknowledged hid it (then it must be gone); a post
// that overlapped a clear may be either. Nothing else is shown.
func checkPosts(tb testing.TB, log *soakLog, texts []string) {
	tb.Helper()
	shown := make(map[string]int)
	for _, text := range texts {
		shown[text]++
	}
	var kept, cleared, overlapKept, overlapGone, lost, revived int
	posted := make(map[string]bool)
	for _, p := range log.posts {
		posted[p.text] = true
		if !p.acked {
			continue
		}
		clearedAfter, overlapped := false, false
		for _, c := range log.clears {
			switch {
			case c.sent.After(p.answered) && c.ok:
				clearedAfter = true
			case c.sent.After(p.answered), !c.returned.Before(p.sent):
				overlapped = true // a clear that failed may have cleared all the same
			}
		}
		on := shown[p.text] > 0
		switch {
		case clearedAfter && on:
			revived++
			if revived <= 5 {
				tb.Errorf("post %q, acknowledged before a clear was sent, is on the board after it; want it cleared", p.text)
			}
		case clearedAfter:
			cleared++
		case overlapped && on:
			overlapKept++
		case overlapped:
			overlapGone++
		case on:
			kept++
		default:
			lost++
			if lost <= 5 {
				tb.Errorf("post %q, acknowledged with no clear after it, is not on the board; want it shown", p.text)
			}
		}
	}
	for text, n := range shown {
		if n > 1 {
			tb.Errorf("the board shows %q %d times, want once", text, n)
		}
		if !posted[text] {
			tb.Errorf("the board shows %q, which no client posted", text)
		}
	}
	tb.Logf("acknowledged posts: %d kept, %d cleared by a later clear, %d overlapping a clear (%d kept, %d cleared); %d clears",
		kept, cleared, overlapKept+overlapGone, overlapKept, overlapGone, len(log.clears))
	if lost+revived > 0 {
		tb.Errorf("got %d acknowledged posts lost and %d cleared posts back on the board, want none", lost, revived)
	}
}

// memory returns, after a garbage collection, the live heap, the
// process's resident set, and the number of goroutines.
func memory() (heap, rss uint64, goroutines int) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	heap = sample[0].Value.Uint64()
	if f, err := os.Open("/proc/self/status"); err == nil {
		lines := bufio.NewScanner(f)
		for lines.Scan() {
			if v, ok := strings.CutPrefix(lines.Text(), "VmRSS:"); ok {
				kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				rss = kb << 10
			}
		}
		f.Close()
	}
	return heap, rss, runtime.NumGoroutine()
}

// mib formats a byte count in MiB, or KiB when less.
func mib(n uint64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
