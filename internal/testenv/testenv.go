// Package testenv is what tests share about the machine they run on: a
// test that needs something outside Go (Chromium, cfn-lint, Python) skips
// with a message naming what is missing, except under CI=true, where it
// fails, so CI cannot pass without the whole suite.
//
// Under make test each skip is also recorded (see SkipLogEnv), and the run
// ends with one line, from Summary, naming every skipped test, why, and
// the command that installs what it needed.
package testenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Install commands for what the tests need beyond Go, on Debian. Missing
// and LookPath callers pass them so a skip says how to stop skipping.
const (
	InstallChromium = "sudo apt-get install chromium, or run make test as root"
	InstallNode     = "sudo apt-get install nodejs npm"
	InstallCfnLint  = "pipx install cfn-lint"
	InstallPython   = "sudo apt-get install python3"
	InstallMake     = "sudo apt-get install make"
)

// installs are the install commands LookPath knows, by command name.
var installs = map[string]string{
	"chromium": InstallChromium,
	"node":     InstallNode,
	"npm":      InstallNode,
	"cfn-lint": InstallCfnLint,
	"python3":  InstallPython,
	"make":     InstallMake,
}

// Missing skips tb because what is missing, or fails it when CI=true.
// install, when not empty, is the command that would bring it in.
func Missing(tb testing.TB, what, install string) {
	tb.Helper()
	ci := os.Getenv("CI") == "true"
	record(tb, Skip{Test: tb.Name(), What: what, Install: install, Failed: ci})
	msg := what
	if install != "" {
		msg += " (to install it: " + install + ")"
	}
	if ci {
		tb.Fatalf("%s (CI=true, so this fails instead of skipping)", msg)
		return
	}
	tb.Skip(msg)
}

// LookPath returns the path of the command name, or calls Missing with
// why the test needs it.
func LookPath(tb testing.TB, name, why string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, name+" is not installed ("+why+")", installs[name])
	}
	return path
}

// SkipLogEnv is the environment variable that names the file where
// Missing appends one JSON Skip per line. make test sets it, and reads the
// file with Summary after go test ends.
const SkipLogEnv = "TESTENV_SKIP_LOG"

// Skip is one test that could not run because something was missing.
type Skip struct {
	Package string `json:"package"` // import path, such as "tinyboard/internal/web"
	Test    string `json:"test"`
	What    string `json:"what"`
	Install string `json:"install,omitempty"`
	Failed  bool   `json:"failed,omitempty"` // CI=true turned the skip into a failure
}

// logMu serializes a test binary's writes to the skip log; O_APPEND keeps
// the lines of the binaries that run in parallel apart.
var logMu sync.Mutex

// record appends s to the skip log, if make test asked for one.
func record(tb testing.TB, s Skip) {
	tb.Helper()
	path := os.Getenv(SkipLogEnv)
	if path == "" {
		return
	}
	s.Package = packagePath()
	line, err := json.Marshal(s)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	logMu.Lock()
	defer logMu.Unlock()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		tb.Fatalf("testenv: record the skip for make test's summary: %v", err)
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatalf("testenv: record the skip for make test's summary: %v", err)
	}
}

// packagePath is the import path of the test's package, as go test
// prints it ("tinyboard/internal/web"): go test runs a test binary in its
// package's directory, which is found below the module's root.
func packagePath() string {
	wd, err := os.Getwd()
	if err != nil {
		return "?"
	}
	root, err := ModuleRoot()
	if err != nil {
		return wd
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return wd
	}
	module := ""
	for line := range strings.Lines(string(gomod)) {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			module = strings.Trim(strings.TrimSpace(m), `"`)
			break
		}
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil || module == "" {
		return wd
	}
	return path.Join(module, filepath.ToSlash(rel))
}

// ModuleRoot walks up from the working directory to the directory that
// holds go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory")
		}
		dir = parent
	}
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
