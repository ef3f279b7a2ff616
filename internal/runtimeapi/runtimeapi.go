// Package runtimeapi is the Lambda Runtime API, served on loopback for
// tests: a function binary started with AWS_LAMBDA_RUNTIME_API set to a
// Server's Addr asks it for events and posts its answers, as it would
// inside Lambda, and the test sends events with Invoke and reads the
// answers it returns.
//
// It implements the endpoints a runtime calls (version 2018-06-01):
// GET invocation/next, POST invocation/{id}/response, POST
// invocation/{id}/error and POST init/error, with the headers Lambda sends
// along with an event (request id, deadline, function ARN, trace id).
package runtimeapi

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Headers of the Runtime API.
const (
	HeaderRequestID   = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadline    = "Lambda-Runtime-Deadline-Ms"
	HeaderFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID     = "Lambda-Runtime-Trace-Id"
	HeaderErrorType   = "Lambda-Runtime-Function-Error-Type"
)

// Defaults for the fields of Invocation left zero.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultFunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:tinyboard-test"
)

// MaxResponseBytes is the largest answer Lambda accepts from a function
// invoked synchronously (6 MB); a longer one is refused with 413.
const MaxResponseBytes = 6 << 20

// ErrInitFailed is returned by Invoke after the function reported on the
// init/error endpoint that it could not start.
var ErrInitFailed = errors.New("runtimeapi: the function reported an init error")

// ErrClosed is returned by Invoke once the Server is closed.
var ErrClosed = errors.New("runtimeapi: server closed")

// Invocation is one event for the function and what Lambda sends with it.
type Invocation struct {
	// RequestID is Lambda's id of the invocation; a fresh UUID when "".
	RequestID string
	// Payload is the event, usually JSON.
	Payload []byte
	// Timeout sets the deadline the function is given, counted from when
	// it receives the event (DefaultTimeout when zero).
	Timeout time.Duration
	// FunctionARN is the ARN the function was invoked by
	// (DefaultFunctionARN when "").
	FunctionARN string
	// TraceID is the X-Ray trace header; a fresh one when "".
	TraceID string
}

// Result is the function's answer to one Invocation: either Response, or
// Error and ErrorType when it reported on the error endpoint.
type Result struct {
	RequestID string
	Response  []byte
	Error     []byte
	ErrorType string
	// Delivered is when the function took the event from invocation/next,
	// and Answered when its answer arrived: a cold start's set-up ends at
	// the first Delivered.
	Delivered, Answered time.Time
}

// Server is a Lambda Runtime API listening on a loopback port.
type Server struct {
	ln    net.Listener
	srv   *http.Server
	queue chan *call

	mu       sync.Mutex
	inflight map[string]*call
	initErr  []byte

	initFailed chan struct{} // closed when the function reports an init error
	closed     chan struct{}
	closeOnce  sync.Once
}

// call is an invocation on its way through the function.
type call struct {
	inv       Invocation
	done      chan Result // buffered: the answer never waits for its reader
	delivered time.Time   // guarded by Server.mu
}

// NewServer starts a Runtime API on 127.0.0.1 at a port the kernel picks.
// The caller must Close it.
func NewServer() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: listen: %w", err)
	}
	s := &Server{
		ln:         ln,
		queue:      make(chan *call),
		inflight:   make(map[string]*call),
		initFailed: make(chan struct{}),
		closed:     make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", s.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", s.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", s.initError)
	// No write timeout: a runtime's GET next waits as long as there is
	// no event, which is the point of it.
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is the host:port to give the function as AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server: calls waiting for an answer return ErrClosed.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		err = s.srv.Close()
	})
	return err
}

// InitError returns what the function posted to init/error, or nil.
func (s *Server) InitError() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initErr
}

// Invoke sends payload to the function as a new invocation and waits for
// its answer: the response, or the error payload it reported instead.
// err is non-nil only when there is no answer: ctx is done, the server is
// closed, or the function failed to start.
func (s *Server) Invoke(ctx context.Context, payload []byte) (response, errPayload []byte, err error) {
	res, err := s.Do(ctx, Invocation{Payload: payload})
	return res.Response, res.Error, err
}

// Do is Invoke with full control over the invocation's metadata.
func (s *Server) Do(ctx context.Context, inv Invocation) (Result, error) {
	if inv.RequestID == "" {
		inv.RequestID = newUUID()
	}
	if inv.Timeout <= 0 {
		inv.Timeout = DefaultTimeout
	}
	if inv.FunctionARN == "" {
		inv.FunctionARN = DefaultFunctionARN
	}
	if inv.TraceID == "" {
		inv.TraceID = newTraceID()
	}
	c := &call{inv: inv, done: make(chan Result, 1)}
	// Handing the call over blocks until the function asks for it, so an
	// invocation abandoned here never reaches the function.
	select {
	case s.queue <- c:
	case <-ctx.Done():
		return Result{RequestID: inv.RequestID}, context.Cause(ctx)
	case <-s.closed:
		return Result{RequestID: inv.RequestID}, ErrClosed
	case <-s.initFailed:
		return Result{RequestID: inv.RequestID}, fmt.Errorf("%w: %s", ErrInitFailed, s.InitError())
	}
	select {
	case res := <-c.done:
		return res, nil
	case <-ctx.Done():
		s.forget(inv.RequestID)
		return Result{RequestID: inv.RequestID}, context.Cause(ctx)
	case <-s.closed:
		return Result{RequestID: inv.RequestID}, ErrClosed
	}
}

// forget drops an invocation nobody waits for any more.
func (s *Server) forget(id string) {
	s.mu.Lock()
	delete(s.inflight, id)
	s.mu.Unlock()
}

// next hands the function the next event, waiting until there is one.
func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	var c *call
	select {
	case c = <-s.queue:
	case <-r.Context().Done():
		return
	case <-s.closed:
		apiError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "the runtime API is shutting down")
		return
	}
	delivered := time.Now()
	s.mu.Lock()
	c.delivered = delivered
	s.inflight[c.inv.RequestID] = c
	s.mu.Unlock()
	deadline := delivered.Add(c.inv.Timeout)
	h := w.Header()
	h.Set(HeaderRequestID, c.inv.RequestID)
	h.Set(HeaderDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(HeaderFunctionARN, c.inv.FunctionARN)
	h.Set(HeaderTraceID, c.inv.TraceID)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(c.inv.Payload)
}

// response takes the function's answer to an invocation.
func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	s.finish(w, r, false)
}

// invocationError takes the error the function reports for an invocation.
func (s *Server) invocationError(w http.ResponseWriter, r *http.Request) {
	s.finish(w, r, true)
}

// finish reads an answer to the invocation the path names and delivers it
// to the Invoke waiting for it.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, failed bool) {
	id := r.PathValue("id")
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequest", "read body: "+err.Error())
		return
	}
	if len(body) > MaxResponseBytes {
		apiError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("the answer is over %d bytes, Lambda's limit", MaxResponseBytes))
		return
	}
	answered := time.Now()
	s.mu.Lock()
	c, ok := s.inflight[id]
	delete(s.inflight, id)
	var delivered time.Time
	if ok {
		delivered = c.delivered
	}
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", fmt.Sprintf("no invocation %q is waiting for an answer", id))
		return
	}
	res := Result{RequestID: id, Delivered: delivered, Answered: answered}
	if failed {
		res.Error = body
		res.ErrorType = r.Header.Get(HeaderErrorType)
	} else {
		res.Response = body
	}
	c.done <- res
	accepted(w)
}

// initError records that the function could not start.
func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes))
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequest", "read body: "+err.Error())
		return
	}
	s.mu.Lock()
	first := s.initErr == nil
	if first {
		s.initErr = body
	}
	s.mu.Unlock()
	if first {
		close(s.initFailed)
	}
	accepted(w)
}

// accepted answers a post as Lambda does.
func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`+"\n")
}

// apiError answers with the Runtime API's error shape.
func apiError(w http.ResponseWriter, status int, errorType, msg string) {
	body, _ := json.Marshal(map[string]string{"errorType": errorType, "errorMessage": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// newUUID returns a random (version 4) UUID, the form of Lambda's request
// ids.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newTraceID returns an X-Ray trace header like the one Lambda sends.
func newTraceID() string {
	var b [20]byte
	rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%x;Parent=%x;Sampled=0", time.Now().Unix(), b[:12], b[12:])
}
