package dynalite

import (
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
)

// Proxy is a TCP proxy on a loopback port that stands between a client and
// its server (usually dynalite), and fails the way the test tells it to:
// it refuses connections (Down), accepts them and never answers (Silent),
// or sends them to another server (SendTo), such as a fake that answers
// every request with an error.
//
// A change of behaviour closes every open connection, so the client's next
// request opens a new one and meets the new behaviour.
type Proxy struct {
	addr   string
	origin string // the target NewProxy was given

	mu     sync.Mutex
	ln     net.Listener // nil while down
	target string       // where connections go; "" answers nothing
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

// NewProxy starts a Proxy on a free loopback port that forwards every
// connection to target, a "host:port" or an endpoint such as Start
// returns ("http://127.0.0.1:41234"). The proxy stops when tb's test ends.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	target = hostPort(target)
	p := &Proxy{origin: target, target: target, conns: make(map[net.Conn]bool)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("proxy: %v", err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	tb.Cleanup(func() {
		p.Down()
		p.wg.Wait()
	})
	return p
}

// URL returns the proxy's endpoint, such as "http://127.0.0.1:41235", to
// give a client in place of the server's.
func (p *Proxy) URL() string { return "http://" + p.addr }

// Addr returns the proxy's "host:port".
func (p *Proxy) Addr() string { return p.addr }

// Down closes the proxy's port and every open connection: new connections
// are refused until Healthy, Silent or SendTo opens the port again.
func (p *Proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.dropConns()
}

// Silent makes the proxy accept connections, read what they send and
// never answer, as a server does that hangs.
func (p *Proxy) Silent(tb testing.TB) {
	tb.Helper()
	p.SendTo(tb, "")
}

// Healthy sends connections to NewProxy's target again.
func (p *Proxy) Healthy(tb testing.TB) {
	tb.Helper()
	p.SendTo(tb, p.origin)
}

// SendTo opens the proxy's port again, if it is down, and sends new
// connections to target, given as for NewProxy; with target "", they are
// accepted and never answered.
func (p *Proxy) SendTo(tb testing.TB, target string) {
	tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = hostPort(target)
	p.dropConns()
	if p.ln == nil {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			tb.Fatalf("proxy: reopen port %s: %v", p.addr, err)
		}
		p.serve(ln)
	}
}

// serve accepts connections on ln until it closes. Call it with p.mu held
// (or before p is shared).
func (p *Proxy) serve(ln net.Listener) {
	p.ln = ln
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.ln != ln {
				// Closed (and maybe reopened) since this connection arrived.
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

// handle forwards c to target until either side closes, or, with target
// "", reads c and never answers.
func (p *Proxy) handle(c net.Conn, target string) {
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		c.Close()
	}()
	if target == "" {
		io.Copy(io.Discard, c)
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
	// One side is finished; closing both ends the other copy too.
	c.Close()
	up.Close()
	<-done
}

// dropConns closes every open connection. Call it with p.mu held.
func (p *Proxy) dropConns() {
	for c := range p.conns {
		c.Close()
	}
}

// hostPort turns an http endpoint into the "host:port" it names; a
// "host:port" stays as it is.
func hostPort(target string) string {
	return strings.TrimSuffix(strings.TrimPrefix(target, "http://"), "/")
}

// ThrottlingAnswer is the body DynamoDB answers, with status 400, to a
// request over the table's throughput, an error the AWS SDK retries.
const ThrottlingAnswer = `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}`

// Throttling starts a server on a loopback port that answers every request
// with ThrottlingAnswer, as DynamoDB does when a table is over its
// throughput, and counts the requests. Point a Proxy at its endpoint with
// SendTo. It stops when tb's test ends.
func Throttling(tb testing.TB) (endpoint string, requests *atomic.Int64) {
	tb.Helper()
	return Answering(tb, http.StatusBadRequest, ThrottlingAnswer)
}

// Answering starts a server on a loopback port that answers every request
// with status and body, as DynamoDB answers an error such as
// AccessDeniedException (400) or InternalServerError (500), and counts the
// requests. Point a Proxy at its endpoint with SendTo. It stops when tb's
// test ends.
func Answering(tb testing.TB, status int, body string) (endpoint string, requests *atomic.Int64) {
	tb.Helper()
	requests = new(atomic.Int64)
	sum := strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(body))), 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amz-Crc32", sum)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL, requests
}

// ErrorAnswer is the body DynamoDB answers for an error of the given type,
// such as "AccessDeniedException", with message.
func ErrorAnswer(errorType, message string) string {
	return `{"__type":"com.amazonaws.dynamodb.v20120810#` + errorType + `","message":"` + message + `"}`
}
