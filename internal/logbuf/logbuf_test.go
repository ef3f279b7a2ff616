package logbuf_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tinyboard/internal/logbuf"
)

// recorder is a destination that counts the writes it receives, as a
// file counts write system calls.
type recorder struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	err    error
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes++
	if r.err != nil {
		return 0, r.err
	}
	return r.buf.Write(p)
}

func (r *recorder) state() (string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String(), r.writes
}

func lines(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("line %d of the request log\n", i)
	}
	return out
}

// TestBuffersUntilClose checks that lines cost no write to the destination
// until a flush, and that Close writes every one of them, in order.
func TestBuffersUntilClose(t *testing.T) {
	dst := &recorder{}
	w := logbuf.New(dst, time.Hour)
	want := lines(200)
	for _, l := range want {
		if n, err := w.Write([]byte(l)); n != len(l) || err != nil {
			t.Fatalf("Write(%q) = %d, %v; want %d, nil", l, n, err, len(l))
		}
	}
	if got, writes := dst.state(); writes != 0 {
		t.Fatalf("before Close: got %d writes (%d bytes) at the destination, want none", writes, len(got))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, writes := dst.state()
	if got != strings.Join(want, "") {
		t.Errorf("after Close: got\n%s\nwant the %d lines in order", got, len(want))
	}
	if writes != 1 {
		t.Errorf("after Close: got %d writes, want 1 for 200 short lines", writes)
	}
}

// TestFlushesOnTimer checks that a line reaches the destination without
// Close, once the interval has passed.
func TestFlushesOnTimer(t *testing.T) {
	dst := &recorder{}
	w := logbuf.New(dst, 10*time.Millisecond)
	defer w.Close()
	w.Write([]byte("GET /board 200\n"))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got, _ := dst.state(); got == "GET /board 200\n" {
			break
		}
		if time.Now().After(deadline) {
			got, _ := dst.state()
			t.Fatalf("10 s after the write the destination holds %q, want the line", got)
		}
	}
	// And again: the timer is armed anew by the next line.
	w.Write([]byte("GET /hello 200\n"))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got, _ := dst.state(); strings.HasSuffix(got, "GET /hello 200\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("10 s after a second write the destination lacks it; want the timer re-armed")
		}
	}
}

// TestFlushesWhenFull checks that a full buffer is written without waiting
// for the timer, so memory stays bounded under any load.
func TestFlushesWhenFull(t *testing.T) {
	dst := &recorder{}
	w := logbuf.New(dst, time.Hour)
	defer w.Close()
	line := strings.Repeat("x", 99) + "\n"
	for range logbuf.Size/len(line) + 1 {
		w.Write([]byte(line))
	}
	got, writes := dst.state()
	if writes != 1 || len(got) < logbuf.Size {
		t.Errorf("after %d bytes: got %d writes of %d bytes, want one write of at least %d", logbuf.Size+len(line), writes, len(got), logbuf.Size)
	}
}

// TestConcurrentLinesStayWhole checks that lines written at once from many
// goroutines arrive whole, each exactly once.
func TestConcurrentLinesStayWhole(t *testing.T) {
	dst := &recorder{}
	w := logbuf.New(dst, time.Millisecond)
	var wg sync.WaitGroup
	const writers, each = 8, 2000
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				fmt.Fprintf(w, "writer %d line %d %s\n", g, i, strings.Repeat("y", i%50))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := dst.state()
	seen := make(map[string]bool)
	for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		var g, i int
		var pad string
		if n, _ := fmt.Sscanf(l, "writer %d line %d %s", &g, &i, &pad); n < 2 || seen[l] {
			t.Fatalf("got a torn or repeated line %q", l)
		}
		seen[l] = true
	}
	if len(seen) != writers*each {
		t.Errorf("got %d distinct lines, want %d", len(seen), writers*each)
	}
}

// TestWritesThroughAfterClose checks that what is logged after Close (a
// background job finishing during shutdown) still arrives, after what was
// buffered.
func TestWritesThroughAfterClose(t *testing.T) {
	dst := &recorder{}
	w := logbuf.New(dst, time.Hour)
	w.Write([]byte("first\n"))
	w.Close()
	w.Write([]byte("after close\n"))
	if got, _ := dst.state(); got != "first\nafter close\n" {
		t.Errorf("got %q, want both lines in order", got)
	}
}

// TestCloseReportsWriteError checks that a destination that fails is not
// silently ignored.
func TestCloseReportsWriteError(t *testing.T) {
	broken := errors.New("disk full")
	dst := &recorder{err: broken}
	w := logbuf.New(dst, time.Hour)
	w.Write([]byte("lost\n"))
	if err := w.Close(); !errors.Is(err, broken) {
		t.Errorf("Close: got %v, want %v", err, broken)
	}
}
