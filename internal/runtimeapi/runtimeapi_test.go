package runtimeapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"tinyboard/internal/runtimeapi"
)

// newServer starts a Server that is closed when tb ends.
func newServer(tb testing.TB) *runtimeapi.Server {
	tb.Helper()
	srv, err := runtimeapi.NewServer()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	return srv
}

// runtimeURL is the address of a Runtime API endpoint, as a runtime
// builds it from AWS_LAMBDA_RUNTIME_API.
func runtimeURL(srv *runtimeapi.Server, path string) string {
	return "http://" + srv.Addr() + "/2018-06-01/runtime/" + path
}

// next asks for the next event, as a runtime does.
func next(tb testing.TB, srv *runtimeapi.Server) (http.Header, []byte) {
	tb.Helper()
	res, err := http.Get(runtimeURL(srv, "invocation/next"))
	if err != nil {
		tb.Fatalf("GET next: %v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("GET next: read body: %v", err)
	}
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET next: got status %d, want 200; body %s", res.StatusCode, body)
	}
	return res.Header, body
}

// post sends body to a Runtime API endpoint and returns the status.
func post(tb testing.TB, srv *runtimeapi.Server, path string, body []byte, header http.Header) int {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, runtimeURL(srv, path), bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("POST %s: %v", path, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// result is what an Invoke returned.
type result struct {
	res runtimeapi.Result
	err error
}

// invokeAsync starts inv and returns where its result arrives.
func invokeAsync(ctx context.Context, srv *runtimeapi.Server, inv runtimeapi.Invocation) <-chan result {
	done := make(chan result, 1)
	go func() {
		res, err := srv.Do(ctx, inv)
		done <- result{res, err}
	}()
	return done
}

// await waits for an Invoke's result.
func await(tb testing.TB, done <-chan result) result {
	tb.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(10 * time.Second):
		tb.Fatal("Invoke did not return within 10s")
		return result{}
	}
}

func TestInvokeDeliversEventAndResponse(t *testing.T) {
	srv := newServer(t)
	before := time.Now()
	done := invokeAsync(t.Context(), srv, runtimeapi.Invocation{RequestID: "req-1", Payload: []byte(`{"hello":"world"}`), Timeout: 3 * time.Second})

	header, event := next(t, srv)
	if got, want := string(event), `{"hello":"world"}`; got != want {
		t.Errorf("event: got %s, want %s", got, want)
	}
	if got, want := header.Get(runtimeapi.HeaderRequestID), "req-1"; got != want {
		t.Errorf("%s: got %q, want %q", runtimeapi.HeaderRequestID, got, want)
	}
	if got, want := header.Get(runtimeapi.HeaderFunctionARN), runtimeapi.DefaultFunctionARN; got != want {
		t.Errorf("%s: got %q, want %q", runtimeapi.HeaderFunctionARN, got, want)
	}
	if got := header.Get(runtimeapi.HeaderTraceID); !strings.HasPrefix(got, "Root=1-") {
		t.Errorf("%s: got %q, want an X-Ray header starting Root=1-", runtimeapi.HeaderTraceID, got)
	}
	ms, err := strconv.ParseInt(header.Get(runtimeapi.HeaderDeadline), 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", runtimeapi.HeaderDeadline, err)
	}
	deadline := time.UnixMilli(ms)
	if lo, hi := before.Add(3*time.Second-time.Second), time.Now().Add(3*time.Second+time.Second); deadline.Before(lo) || deadline.After(hi) {
		t.Errorf("deadline: got %v, want about 3s from now (%v..%v)", deadline, lo, hi)
	}

	if got, want := post(t, srv, "invocation/req-1/response", []byte(`"answer"`), nil), http.StatusAccepted; got != want {
		t.Errorf("POST response: got status %d, want %d", got, want)
	}
	r := await(t, done)
	if r.err != nil {
		t.Fatalf("Invoke: %v", r.err)
	}
	if got, want := string(r.res.Response), `"answer"`; got != want {
		t.Errorf("response: got %s, want %s", got, want)
	}
	if r.res.Error != nil {
		t.Errorf("error payload: got %s, want none", r.res.Error)
	}
	if d, a := r.res.Delivered, r.res.Answered; d.Before(before) || a.Before(d) || a.After(time.Now()) {
		t.Errorf("Delivered %v, Answered %v: want before ≤ Delivered ≤ Answered ≤ now", d, a)
	}
}

func TestInvokeReturnsReportedError(t *testing.T) {
	srv := newServer(t)
	done := invokeAsync(t.Context(), srv, runtimeapi.Invocation{Payload: []byte(`{}`)})
	header, _ := next(t, srv)
	id := header.Get(runtimeapi.HeaderRequestID)
	if len(id) != 36 {
		t.Errorf("request id: got %q, want a UUID", id)
	}
	payload := []byte(`{"errorMessage":"boom","errorType":"Runtime.Panic"}`)
	if got, want := post(t, srv, "invocation/"+id+"/error", payload, http.Header{runtimeapi.HeaderErrorType: {"Runtime.Panic"}}), http.StatusAccepted; got != want {
		t.Errorf("POST error: got status %d, want %d", got, want)
	}
	r := await(t, done)
	if r.err != nil {
		t.Fatalf("Invoke: %v", r.err)
	}
	if got, want := string(r.res.Error), string(payload); got != want {
		t.Errorf("error payload: got %s, want %s", got, want)
	}
	if got, want := r.res.ErrorType, "Runtime.Panic"; got != want {
		t.Errorf("error type: got %q, want %q", got, want)
	}
	if got, want := r.res.RequestID, id; got != want {
		t.Errorf("request id: got %q, want %q", got, want)
	}
	if r.res.Response != nil {
		t.Errorf("response: got %s, want none", r.res.Response)
	}
}

func TestAnswerForUnknownInvocationIsRefused(t *testing.T) {
	srv := newServer(t)
	for _, path := range []string{"invocation/no-such-id/response", "invocation/no-such-id/error"} {
		if got, want := post(t, srv, path, []byte(`{}`), nil), http.StatusBadRequest; got != want {
			t.Errorf("POST %s: got status %d, want %d", path, got, want)
		}
	}
}

func TestAnswerIsAcceptedOnce(t *testing.T) {
	srv := newServer(t)
	done := invokeAsync(t.Context(), srv, runtimeapi.Invocation{RequestID: "once", Payload: []byte(`{}`)})
	next(t, srv)
	if got, want := post(t, srv, "invocation/once/response", []byte(`1`), nil), http.StatusAccepted; got != want {
		t.Errorf("first answer: got status %d, want %d", got, want)
	}
	if got, want := post(t, srv, "invocation/once/response", []byte(`2`), nil), http.StatusBadRequest; got != want {
		t.Errorf("second answer: got status %d, want %d", got, want)
	}
	if r := await(t, done); string(r.res.Response) != "1" {
		t.Errorf("response: got %s, want 1", r.res.Response)
	}
}

func TestOversizedResponseIsRefused(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	invokeAsync(ctx, srv, runtimeapi.Invocation{RequestID: "big", Payload: []byte(`{}`)})
	next(t, srv)
	big := bytes.Repeat([]byte("x"), runtimeapi.MaxResponseBytes+1)
	if got, want := post(t, srv, "invocation/big/response", big, nil), http.StatusRequestEntityTooLarge; got != want {
		t.Errorf("POST %d bytes: got status %d, want %d", len(big), got, want)
	}
}

func TestInitErrorFailsInvocations(t *testing.T) {
	srv := newServer(t)
	payload := []byte(`{"errorMessage":"BOARD_TABLE is not set","errorType":"Runtime.ExitError"}`)
	if got, want := post(t, srv, "init/error", payload, nil), http.StatusAccepted; got != want {
		t.Fatalf("POST init/error: got status %d, want %d", got, want)
	}
	if got := srv.InitError(); !bytes.Equal(got, payload) {
		t.Errorf("InitError: got %s, want %s", got, payload)
	}
	_, _, err := srv.Invoke(t.Context(), []byte(`{}`))
	if !errors.Is(err, runtimeapi.ErrInitFailed) {
		t.Errorf("Invoke after init error: got %v, want ErrInitFailed", err)
	}
}

func TestInvokeGivesUpWithContext(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, _, err := srv.Invoke(ctx, []byte(`{}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Invoke with no function running: got %v, want context.DeadlineExceeded", err)
	}

	// An invocation abandoned while the function works on it: the late
	// answer is refused, and the next invocation is unaffected.
	ctx, cancel = context.WithCancel(t.Context())
	done := invokeAsync(ctx, srv, runtimeapi.Invocation{RequestID: "late", Payload: []byte(`{}`)})
	next(t, srv)
	cancel()
	if r := await(t, done); !errors.Is(r.err, context.Canceled) {
		t.Errorf("Invoke canceled in flight: got %v, want context.Canceled", r.err)
	}
	if got, want := post(t, srv, "invocation/late/response", []byte(`{}`), nil), http.StatusBadRequest; got != want {
		t.Errorf("late answer: got status %d, want %d", got, want)
	}
}

func TestCloseEndsWaits(t *testing.T) {
	srv := newServer(t)
	done := invokeAsync(t.Context(), srv, runtimeapi.Invocation{Payload: []byte(`{}`)})
	time.Sleep(10 * time.Millisecond)
	srv.Close()
	if r := await(t, done); !errors.Is(r.err, runtimeapi.ErrClosed) {
		t.Errorf("Invoke on a closed server: got %v, want ErrClosed", r.err)
	}
}

func TestListensOnLoopbackOnly(t *testing.T) {
	srv := newServer(t)
	if got := srv.Addr(); !strings.HasPrefix(got, "127.0.0.1:") {
		t.Errorf("Addr: got %q, want 127.0.0.1:port", got)
	}
}
