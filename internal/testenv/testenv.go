// Package testenv is what tests share about the machine they run on: a
// test that needs something outside Go (Chromium, cfn-lint, Python) skips
// with a message naming what is missing, except under CI=true, where it
// fails, so CI cannot pass without the whole suite.
package testenv

import (
	"os"
	"os/exec"
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
