// Package logbuf buffers a log's lines in memory and writes them out in
// batches, so that a server logging one line per request does not pay a
// write system call per request.
//
// A line reaches its destination at most one flush interval after it was
// written (sooner when the buffer fills), and Close writes out everything
// still buffered. What a crash can lose is what was buffered and not yet
// flushed: at most the lines of the last interval, and never more than
// the buffer's size.
package logbuf

import (
	"io"
	"sync"
	"time"
)

// Size is how many bytes a Writer buffers before it writes them out
// without waiting for its timer.
const Size = 32 << 10

// Writer buffers what is written to it and writes it to its destination
// in batches. Each Write is kept whole: a log handler that writes one line
// per call gets whole lines, in order, at the destination. It is safe for
// concurrent use.
type Writer struct {
	dst   io.Writer
	every time.Duration

	mu     sync.Mutex // guards the fields below
	buf    []byte     // waiting to be written
	spare  []byte     // the other buffer, swapped in while buf is written
	armed  bool       // the timer will flush
	closed bool       // Close was called: write through
	err    error      // the first write error
	timer  *time.Timer

	out sync.Mutex // held while writing to dst, so batches stay in order
}

// New returns a Writer that writes to dst at most every interval after a
// line was written, when Size bytes are waiting, and on Close.
func New(dst io.Writer, every time.Duration) *Writer {
	w := &Writer{dst: dst, every: every, buf: make([]byte, 0, Size), spare: make([]byte, 0, Size)}
	w.timer = time.AfterFunc(time.Hour, func() { w.flush(true) })
	w.timer.Stop()
	return w
}

// Write buffers p, or writes it through once the Writer is closed. It
// reports an error only from a write it made itself.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		w.out.Lock()
		defer w.out.Unlock()
		return w.dst.Write(p)
	}
	w.buf = append(w.buf, p...)
	full := len(w.buf) >= Size
	if !full && !w.armed {
		w.armed = true
		w.timer.Reset(w.every)
	}
	w.mu.Unlock()
	if full {
		return len(p), w.flush(false)
	}
	return len(p), nil
}

// Flush writes out everything buffered so far.
func (w *Writer) Flush() error { return w.flush(false) }

// flush writes the buffer to dst. The buffer is swapped for the spare
// one first, so writers never wait for dst, only for each other.
func (w *Writer) flush(fromTimer bool) error {
	w.out.Lock()
	defer w.out.Unlock()
	return w.flushLocked(fromTimer)
}

// flushLocked is flush for a caller holding w.out.
func (w *Writer) flushLocked(fromTimer bool) error {
	w.mu.Lock()
	if fromTimer {
		w.armed = false
	}
	batch := w.buf
	w.buf = w.spare[:0]
	w.mu.Unlock()

	var err error
	if len(batch) > 0 {
		_, err = w.dst.Write(batch)
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil && w.err == nil {
		w.err = err
	}
	if cap(batch) <= 4*Size { // a batch grown by one huge line is not kept
		w.spare = batch[:0]
	} else {
		w.spare = make([]byte, 0, Size)
	}
	return err
}

// Close writes out everything buffered and makes later writes go straight
// to the destination, so nothing logged during or after a shutdown is
// lost. It returns the first error writing to the destination met, if
// any. It does not close the destination.
func (w *Writer) Close() error {
	// Holding out from before closed is set until the last batch is
	// written keeps a write that goes straight through behind it.
	w.out.Lock()
	defer w.out.Unlock()
	w.mu.Lock()
	w.closed = true
	w.timer.Stop()
	w.mu.Unlock()
	w.flushLocked(false)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
