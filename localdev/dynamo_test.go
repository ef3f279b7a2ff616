package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"tinyboard/internal/board"
	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
	"tinyboard/internal/testenv"
)

// These tests run localdev with -store dynamodb against dynalite. localdev
// reads BOARD_TABLE and DYNAMODB_ENDPOINT from the map the test gives it;
// the AWS SDK still reads the process environment (region, credentials,
// AWS_CA_BUNDLE), and with an endpoint set it needs none of it: the store
// falls back to a default region and dummy credentials, and dynalite
// ignores both.

// tableName returns a table name of its own for tb's test.
func tableName(tb testing.TB) string {
	tb.Helper()
	return "tinyboard-" + regexp.MustCompile(`[^a-zA-Z0-9_.-]+`).ReplaceAllString(tb.Name(), "-")
}

// startDynamo starts localdev as a user would against a local DynamoDB:
// -store dynamodb -create-table, with the table and endpoint in its
// environment. It stops when tb ends.
func startDynamo(tb testing.TB, endpoint, table string) *server {
	tb.Helper()
	env := map[string]string{"BOARD_TABLE": table, "DYNAMODB_ENDPOINT": endpoint}
	return start(tb, env, "-store", "dynamodb", "-create-table")
}

// newClient returns a client for conns concurrent posters that, like curl,
// shows redirects instead of following them.
func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: conns},
		CheckRedirect: noRedirect.CheckRedirect,
	}
}

// post sends text to the board as a form (answered 303) or, with asJSON,
// as JSON (answered 201), and returns the status and body. It reports
// errors rather than failing, so goroutines may call it.
func post(client *http.Client, base, text string, asJSON bool) (int, string, error) {
	var req *http.Request
	if asJSON {
		b, _ := json.Marshal(map[string]string{"message": text})
		req, _ = http.NewRequest("POST", base+"board", strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
	} else {
		req, _ = http.NewRequest("POST", base+"board", strings.NewReader(url.Values{"message": {text}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, string(body), err
}

// clearBoard clears the board as the Clear form does, and fails tb unless the
// board answers 303.
func clearBoard(tb testing.TB, base string) {
	tb.Helper()
	if res := postForm(tb, base+"board", url.Values{"clear": {""}}); res.StatusCode != http.StatusSeeOther {
		tb.Fatalf("clear: got status %d, want 303", res.StatusCode)
	}
}

// postOK posts text as a form and fails tb unless the board answers 303.
func postOK(tb testing.TB, base, text string) {
	tb.Helper()
	if res := postForm(tb, base+"board", url.Values{"message": {text}}); res.StatusCode != http.StatusSeeOther {
		tb.Fatalf("post %q: got status %d, want 303", text, res.StatusCode)
	}
}

func TestDynamoConcurrentPostsStoreEveryMessage(t *testing.T) {
	s := startDynamo(t, dynalite.Start(t), tableName(t))
	const workers, each = 8, 150
	client := newClient(workers)

	var mu sync.Mutex
	statuses := make(map[int]int) // answers by status; 0 counts transport errors
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				status, _, err := post(client, s.URL, fmt.Sprintf("w%d-%d", w, i), false)
				if err != nil {
					t.Errorf("post w%d-%d: %v", w, i, err)
				}
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if want := map[int]int{http.StatusSeeOther: workers * each}; !maps.Equal(statuses, want) {
		t.Errorf("answers by status: got %v, want %v", statuses, want)
	}

	texts := allTexts(t, s.URL)
	if len(texts) != workers*each {
		t.Errorf("board holds %d messages after %d posts, want exactly %d", len(texts), workers*each, workers*each)
	}
	// Each worker posted in order, each post after the last was answered,
	// so the board must show each worker's messages once each, in order.
	next := make([]int, workers)
	for _, text := range texts {
		var w, i int
		if _, err := fmt.Sscanf(text, "w%d-%d", &w, &i); err != nil || w < 0 || w >= workers {
			t.Errorf("board shows %q, which no one posted", text)
			continue
		}
		if i != next[w] {
			t.Errorf("board shows %q after w%d-%d, want w%d-%d (each message once, in posting order)", text, w, next[w]-1, w, next[w])
		}
		next[w] = i + 1
	}
}

// TestDynamoPostsRacingAClear checks the clear's promise from the outside:
// a post sent after the clear was answered is on the board, and a post
// answered before the clear was sent is not. A post that overlaps the
// clear may land on either side; that is the documented guarantee (a
// clear takes effect at one instant, which may fall anywhere while it
// runs), so such posts are only counted.
func TestDynamoPostsRacingAClear(t *testing.T) {
	s := startDynamo(t, dynalite.Start(t), tableName(t))
	const posters = 6
	client := newClient(posters + 1)

	type record struct {
		text           string
		sent, answered time.Time
		status         int
	}
	var (
		mu      sync.Mutex
		records []record
		stop    atomic.Bool
		posted  atomic.Int64 // posts answered so far
	)
	var wg sync.WaitGroup
	for p := range posters {
		asJSON := p%2 == 1 // half post as a browser or curl, half as JSON clients
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				r := record{text: fmt.Sprintf("p%d-%d", p, i), sent: time.Now()}
				status, body, err := post(client, s.URL, r.text, asJSON)
				r.answered, r.status = time.Now(), status
				if err != nil {
					t.Errorf("post %s: %v", r.text, err)
				} else if want := map[bool]int{false: http.StatusSeeOther, true: http.StatusCreated}[asJSON]; status != want {
					t.Errorf("post %s: got status %d, want %d (body %q)", r.text, status, want, body)
				}
				mu.Lock()
				records = append(records, r)
				mu.Unlock()
				posted.Add(1)
			}
		})
	}
	waitFor := func(n int64) {
		deadline := time.Now().Add(30 * time.Second)
		for posted.Load() < n && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor(60)
	clearSent := time.Now()
	clearBoard(t, s.URL)
	clearReturned := time.Now()
	waitFor(posted.Load() + 60)
	stop.Store(true)
	wg.Wait()

	on := make(map[string]bool)
	for _, text := range allTexts(t, s.URL) {
		on[text] = true
	}
	var before, after, overlapKept, overlapGone int
	for _, r := range records {
		switch {
		case r.answered.Before(clearSent):
			before++
			if on[r.text] {
				t.Errorf("post %s, answered before the clear was sent, is on the board after it; want it cleared", r.text)
			}
		case r.sent.After(clearReturned):
			after++
			if (r.status == http.StatusSeeOther || r.status == http.StatusCreated) && !on[r.text] {
				t.Errorf("post %s, sent after the clear returned and answered %d, is not on the board; want it shown", r.text, r.status)
			}
		case on[r.text]:
			overlapKept++
		default:
			overlapGone++
		}
	}
	t.Logf("posts answered before the clear: %d; sent after it returned: %d; overlapping it: %d kept, %d cleared (clear took %v)",
		before, after, overlapKept, overlapGone, clearReturned.Sub(clearSent))
	if before == 0 || after == 0 {
		t.Errorf("got %d posts before the clear and %d after it, want some of each", before, after)
	}
}

func TestDynamoMessagesSurviveRestart(t *testing.T) {
	endpoint, table := dynalite.Start(t), tableName(t)
	var first boardPage
	var firstAddr string
	t.Run("first localdev", func(t *testing.T) {
		s := startDynamo(t, endpoint, table)
		postOK(t, s.URL, "still here\nafter a restart")
		first = getJSON(t, s.URL+"board")
		firstAddr = strings.TrimSuffix(strings.TrimPrefix(s.URL, "http://"), "/")
	}) // its cleanup has stopped that localdev
	if t.Failed() {
		return
	}
	if conn, err := net.DialTimeout("tcp", firstAddr, time.Second); err == nil {
		conn.Close()
		t.Fatalf("the first localdev still accepts connections on %s, want it stopped", firstAddr)
	}

	s := startDynamo(t, endpoint, table)
	got := getJSON(t, s.URL+"board")
	same := len(got.Messages) == 1 && len(first.Messages) == 1 &&
		got.Messages[0].ID == first.Messages[0].ID &&
		got.Messages[0].Text == first.Messages[0].Text &&
		got.Messages[0].Posted.Equal(first.Messages[0].Posted)
	if !same {
		t.Errorf("board after a restart: got %+v, want %+v", got.Messages, first.Messages)
	}
}

// TestDynamoFaultsAnswer503ThenRecover puts a proxy between localdev and
// dynalite and makes it fail: every request to the board must be answered
// 503 with Retry-After within 5 s, without a word about the storage's
// internals, and once the proxy is healthy the same localdev must serve
// again, with nothing stored by the posts that failed.
func TestDynamoFaultsAnswer503ThenRecover(t *testing.T) {
	px := dynalite.NewProxy(t, dynalite.Start(t))
	s := startDynamo(t, px.URL(), tableName(t))
	throttling, throttled := dynalite.Throttling(t)
	client := newClient(1)
	postOK(t, s.URL, "before the faults")
	saved := []string{"before the faults"}
	var failed []string

	// What a 503 must not show: the store's error text, the SDK's, the
	// network's, the fake server's.
	internals := []string{"dynamodb", "operation error", "dial tcp", "connection refused", "deadline",
		"throughput", "exceeded", px.Addr(), "127.0.0.1"}

	faults := []struct {
		name  string
		start func(t *testing.T)
	}{
		{"connection refused", func(t *testing.T) { px.Down() }},
		{"server never answers", func(t *testing.T) { px.Silent(t) }},
		{"throttled", func(t *testing.T) { px.SendTo(t, throttling) }},
	}
	for _, fault := range faults {
		t.Run(fault.name, func(t *testing.T) {
			fault.start(t)
			requests := []struct {
				name string
				do   func() (*http.Response, error)
			}{
				{"GET /board", func() (*http.Response, error) { return client.Get(s.URL + "board") }},
				{"GET /board as JSON", func() (*http.Response, error) {
					req, _ := http.NewRequest("GET", s.URL+"board", nil)
					req.Header.Set("Accept", "application/json")
					return client.Do(req)
				}},
				{"POST /board", func() (*http.Response, error) {
					text := "lost while " + fault.name
					failed = append(failed, text)
					return client.Post(s.URL+"board", "application/x-www-form-urlencoded",
						strings.NewReader(url.Values{"message": {text}}.Encode()))
				}},
				{"POST /board as JSON", func() (*http.Response, error) {
					text := "lost as JSON while " + fault.name
					failed = append(failed, text)
					req, _ := http.NewRequest("POST", s.URL+"board", strings.NewReader(`{"message":"`+text+`"}`))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Accept", "application/json")
					return client.Do(req)
				}},
			}
			for _, r := range requests {
				throttled.Store(0)
				began := time.Now()
				res, err := r.do()
				if err != nil {
					t.Fatalf("%s: %v", r.name, err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				took := time.Since(began)
				t.Logf("%s: %d after %v", r.name, res.StatusCode, took.Round(time.Millisecond))

				if res.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("%s: got status %d, want 503", r.name, res.StatusCode)
				}
				if got := res.Header.Get("Retry-After"); got != "1" {
					t.Errorf("%s: got Retry-After %q, want \"1\"", r.name, got)
				}
				if took >= 5*time.Second {
					t.Errorf("%s: got the answer after %v, want it within 5s", r.name, took)
				}
				lower := strings.ToLower(string(body))
				for _, word := range internals {
					if strings.Contains(lower, strings.ToLower(word)) {
						t.Errorf("%s: body shows %q, want no internals; body:\n%s", r.name, word, body)
					}
				}
				if fault.name == "throttled" {
					// One store call per request, each tried at most
					// dynamostore.DefaultMaxAttempts (3) times. The first
					// attempt may meet a connection the proxy dropped when
					// it switched, so the fake may see fewer.
					if n := throttled.Load(); n < 1 || n > 3 {
						t.Errorf("%s: the throttling server got %d requests, want 1 to 3 (bounded retries)", r.name, n)
					} else {
						t.Logf("%s: %d throttled attempts", r.name, n)
					}
				}
			}

			px.Healthy(t)
			text := "after " + fault.name
			if status, body, err := post(client, s.URL, text, false); err != nil || status != http.StatusSeeOther {
				t.Fatalf("post with the proxy healthy again: got %d %q, %v; want 303", status, body, err)
			}
			saved = append(saved, text)
			if got := allTexts(t, s.URL); !slices.Equal(got, saved) {
				t.Errorf("board with the proxy healthy again: got %q, want %q", got, saved)
			}
		})
	}
	got := allTexts(t, s.URL)
	for _, text := range failed {
		if slices.Contains(got, text) {
			t.Errorf("board shows %q, whose post was answered 503; want nothing from failed posts", text)
		}
	}
}

// TestDynamoClearReclaimsStorage checks that the storage of cleared
// messages is reclaimed by localdev's purge, which runs in the background
// after a clear: no request but the clear itself asks for it. dynalite has
// no TTL, so this is the mechanism that reclaims storage there.
func TestDynamoClearReclaimsStorage(t *testing.T) {
	endpoint, table := dynalite.Start(t), tableName(t)
	s := startDynamo(t, endpoint, table)
	db := dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})

	// More than one page of Purge's key reads (100), and two clears, so an
	// older marker is to be reclaimed too.
	const first, second = 150, 30
	for i := range first {
		postOK(t, s.URL, fmt.Sprintf("first %d", i))
	}
	clearBoard(t, s.URL)
	for i := range second {
		postOK(t, s.URL, fmt.Sprintf("second %d", i))
	}
	clearBoard(t, s.URL)
	cleared := time.Now()
	want := []string{"kept 0", "kept 1", "kept 2"}
	for _, text := range want {
		postOK(t, s.URL, text)
	}
	if got := allTexts(t, s.URL); !slices.Equal(got, want) {
		t.Fatalf("board after the clears: got %q, want %q", got, want)
	}

	// The table should come to hold the newest marker and the messages
	// posted after it, nothing else.
	var markers int
	var texts []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		markers, texts = scan(t, db, table)
		slices.Sort(texts)
		if markers == 1 && slices.Equal(texts, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("table 10s after the clear: got %d clear markers and %d messages, want 1 marker and the messages %q",
				markers, len(texts), want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d cleared messages and 1 older marker reclaimed within %v of the last clear",
		first+second, time.Since(cleared).Round(time.Millisecond))
}

// scan reads the whole table and returns how many clear markers it holds
// and the texts of its messages.
func scan(tb testing.TB, db *dynamodb.Client, table string) (markers int, texts []string) {
	tb.Helper()
	pages := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{
		TableName:      aws.String(table),
		ConsistentRead: aws.Bool(true),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(tb.Context())
		if err != nil {
			tb.Fatalf("scan %s: %v", table, err)
		}
		for _, it := range page.Items {
			var item struct{ SK, Text string }
			if err := attributevalue.UnmarshalMap(it, &item); err != nil {
				tb.Fatalf("scan %s: %v", table, err)
			}
			switch {
			case strings.HasPrefix(item.SK, "CLEAR#"):
				markers++
			case strings.HasPrefix(item.SK, "MSG#"):
				texts = append(texts, item.Text)
			default:
				tb.Errorf("table holds an item with SK %q, want only messages and clear markers", item.SK)
			}
		}
	}
	return markers, texts
}

// TestDynamoWrongTableStopsAtStart starts localdev on a table that does
// not exist, without -create-table: it must not serve (every request
// would fail) but stop at once, saying which table it looked for, where,
// and what to do.
func TestDynamoWrongTableStopsAtStart(t *testing.T) {
	endpoint := dynalite.Start(t)
	env := map[string]string{"BOARD_TABLE": "no-such-table", "DYNAMODB_ENDPOINT": endpoint}
	var stdout testenv.Buffer
	err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-store", "dynamodb"}, func(k string) string { return env[k] }, &stdout, io.Discard)
	want := "table no-such-table not found at " + endpoint + ": start localdev with -create-table, or set BOARD_TABLE"
	if err == nil || err.Error() != want {
		t.Errorf("run on a missing table returned %v, want %q", err, want)
	}
	if strings.Contains(stdout.String(), "connect to") {
		t.Errorf("localdev printed %q, want no address to open: it must not serve", stdout.String())
	}

	// The same table, created: localdev starts without -create-table.
	startDynamo(t, endpoint, "no-such-table")
	start(t, env, "-store", "dynamodb")
}

// seedTable saves n messages straight into the table, as earlier posts
// would have, from 8 goroutines at once.
func seedTable(tb testing.TB, endpoint, table string, n int) {
	tb.Helper()
	st, err := dynamostore.New(aws.Config{}, dynamostore.Config{Table: table, Endpoint: endpoint})
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	var failed atomic.Value
	var next atomic.Int64
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if _, err := st.Save(tb.Context(), board.NewID(time.Now()), fmt.Sprintf("seed %d", i)); err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		tb.Fatalf("seed the table: %v", err)
	}
}

// purgeRuns returns how many purges localdev's JSON log reports, and the
// items they deleted.
func purgeRuns(tb testing.TB, log string) (runs, deleted int) {
	tb.Helper()
	for line := range strings.Lines(log) {
		var rec struct {
			Msg     string
			Deleted int
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "purge" {
			runs++
			deleted += rec.Deleted
		}
	}
	return runs, deleted
}

// TestDynamoClearBurstRunsAtMostTwoPurges sends 20 clears at once to a
// board of 1000 messages: localdev's purge worker runs one purge at a
// time, and the clears that come while it runs coalesce into one more,
// so at most two purges run, and together they reclaim everything.
func TestDynamoClearBurstRunsAtMostTwoPurges(t *testing.T) {
	endpoint, table := dynalite.Start(t), tableName(t)
	startDynamo(t, endpoint, table).stop() // creates the table
	const seeded = 1000
	seedTable(t, endpoint, table, seeded)
	s := startLogged(t, map[string]string{"BOARD_TABLE": table, "DYNAMODB_ENDPOINT": endpoint}, "-store", "dynamodb", "-log", "json")

	client := newClient(20)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			res, err := client.Post(s.URL+"board", "application/x-www-form-urlencoded", strings.NewReader("clear="))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				t.Errorf("clear: got status %d, want 303", res.StatusCode)
			}
		})
	}
	wg.Wait()
	db := dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		markers, texts := scan(t, db, table)
		if markers == 1 && len(texts) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("table 30s after the clears: %d markers and %d messages, want 1 marker and nothing else", markers, len(texts))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	runs, deleted := purgeRuns(t, s.stderr.String())
	t.Logf("20 clears of %d messages: %d purges, %d items deleted", seeded, runs, deleted)
	if runs < 1 || runs > 2 {
		t.Errorf("20 clears in a burst ran %d purges, want 1 or 2 (one at a time, later clears coalesced)", runs)
	}
	if want := seeded + 19; deleted != want {
		t.Errorf("purges deleted %d items, want %d (the messages and the 19 older markers)", deleted, want)
	}
}

// TestDynamoShutdownWaitsForThePurge clears a board of 500 messages and
// shuts localdev down as soon as the clear is answered: shutdown must
// wait for the purge, so the storage is reclaimed when localdev has
// stopped.
func TestDynamoShutdownWaitsForThePurge(t *testing.T) {
	endpoint, table := dynalite.Start(t), tableName(t)
	startDynamo(t, endpoint, table).stop()
	const seeded = 500
	seedTable(t, endpoint, table, seeded)
	s := startLogged(t, map[string]string{"BOARD_TABLE": table, "DYNAMODB_ENDPOINT": endpoint}, "-store", "dynamodb", "-log", "json")

	clearBoard(t, s.URL)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	runs, deleted := purgeRuns(t, s.stderr.String())
	if runs != 1 || deleted != seeded {
		t.Errorf("log after shutdown reports %d purges deleting %d items, want 1 deleting %d", runs, deleted, seeded)
	}
	db := dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	if markers, texts := scan(t, db, table); markers != 1 || len(texts) != 0 {
		t.Errorf("table once localdev has stopped: %d markers and %d messages, want 1 marker and nothing else", markers, len(texts))
	}
}

// TestDynamoFormSentAgainIsNotLost sends one form of the board page again
// as a person can, against DynamoDB: corrected after Back, and after a
// clear. Each post answered "Saved" must be on the board.
func TestDynamoFormSentAgainIsNotLost(t *testing.T) {
	s := startDynamo(t, dynalite.Start(t), tableName(t))
	res, err := noRedirect.Get(s.URL + "board")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := formIDRE.FindSubmatch(page)
	if m == nil {
		t.Fatalf("board page has no form id:\n%s", page)
	}
	id := string(m[1])
	send := func(text string) {
		t.Helper()
		res := postForm(t, s.URL+"board", url.Values{"id": {id}, "message": {text}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("post %q with the page's id: got status %d, want 303", text, res.StatusCode)
		}
	}
	send("helo")
	send("hello")
	send("hello")
	if got, want := allTexts(t, s.URL), []string{"helo", "hello"}; !slices.Equal(got, want) {
		t.Errorf("board after the corrected form, sent twice = %q, want %q", got, want)
	}
	clearBoard(t, s.URL)
	send("hello")
	send("hello")
	if got, want := allTexts(t, s.URL), []string{"hello"}; !slices.Equal(got, want) {
		t.Errorf("board after the form was sent again past the clear = %q, want %q", got, want)
	}
}

// TestDynamoMissingTableAnswers500 deletes the table under a running
// localdev: the board is then misconfigured, not busy, so every request
// gets 500 (no Retry-After) with a page that sends the operator to the
// logs, and the log has an ERROR line naming the cause.
func TestDynamoMissingTableAnswers500(t *testing.T) {
	endpoint, table := dynalite.Start(t), tableName(t)
	startDynamo(t, endpoint, table).stop()
	s := startLogged(t, map[string]string{"BOARD_TABLE": table, "DYNAMODB_ENDPOINT": endpoint}, "-store", "dynamodb", "-log", "json")
	postOK(t, s.URL, "before the table went")
	db := dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	if _, err := db.DeleteTable(t.Context(), &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		t.Fatal(err)
	}
	waiter := dynamodb.NewTableNotExistsWaiter(db, func(o *dynamodb.TableNotExistsWaiterOptions) { o.MinDelay = 50 * time.Millisecond })
	if err := waiter.Wait(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(table)}, time.Minute); err != nil {
		t.Fatal(err)
	}

	for _, r := range []struct{ name, method, body string }{
		{"GET /board", "GET", ""},
		{"POST a message", "POST", "message=lost"},
		{"POST clear", "POST", "clear="},
	} {
		req, _ := http.NewRequest(r.method, s.URL+"board", strings.NewReader(r.body))
		req.Header.Set("Accept", "text/html")
		if r.body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusInternalServerError || res.Header.Get("Retry-After") != "" {
			t.Errorf("%s: got %d, Retry-After %q; want 500 and none", r.name, res.StatusCode, res.Header.Get("Retry-After"))
		}
		page := string(body)
		if !strings.Contains(page, "misconfigured") || !strings.Contains(page, "logs") {
			t.Errorf("%s: page does not say the board is misconfigured and to look at the logs:\n%s", r.name, page)
		}
		for _, leak := range []string{"ResourceNotFound", "DynamoDB", table, "storage broken"} {
			if strings.Contains(page, leak) {
				t.Errorf("%s: page shows %q, want no internals", r.name, leak)
			}
		}
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	errorLines := 0
	for line := range strings.Lines(s.stderr.String()) {
		var rec struct{ Level, Err string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Level == "ERROR" && strings.Contains(rec.Err, "ResourceNotFoundException") {
			errorLines++
		}
	}
	if errorLines != 3 {
		t.Errorf("log has %d ERROR lines naming the missing table, want 3 (one a request):\n%s", errorLines, s.stderr.String())
	}
}
