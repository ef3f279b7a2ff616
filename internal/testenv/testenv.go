// Package testenv is what tests share about the machine they run on: a
// test that needs something outside Go (Chromium, cfn-lint, Python) skips
// with a message naming what is missing, except under CI=true, where it
// fails, so CI cannot pass without the whole suite.
package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// Missing skips tb because what is missing, or fails it when CI=true.
func Missing(tb testing.TB, what string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s (CI=true, so this fails instead of skipping)", what)
	}
	tb.Skip(what)
}

// LookPath returns the path of the command name, or calls Missing with
// why the test needs it.
func LookPath(tb testing.TB, name, why string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, name+" is not installed; "+why)
	}
	return path
}

// Buffer collects what a server or child process writes while a test
// reads it; unlike bytes.Buffer it is safe for that.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
