// Package dynalite starts dynalite, a DynamoDB-compatible server written in
// Node.js, for tests that need a real DynamoDB API. It installs the version
// pinned in infra/dynamodb-local (with npm ci, when node_modules is missing),
// runs it in memory on a free loopback port, and stops it by PID when the
// test ends.
//
// A machine without Node.js or npm skips those tests, saying what is
// missing; with CI=true they fail instead, so CI cannot pass without them.
//
// A Proxy put in front of the server lets a test make it fail on cue:
// refuse connections, hang, or answer with another server's errors.
package dynalite

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tinyboard/internal/testenv"
)

// Dir is where the pinned dynalite lives, relative to the module root.
const Dir = "infra/dynamodb-local"

// script runs dynalite in memory on a port the kernel picks, prints that
// port, and exits when its standard input closes, so that a test binary
// that dies without cleaning up leaves no server behind. Tables are ACTIVE
// after 50 ms instead of dynalite's default 500 ms, so that tests creating
// a table each still wait for one.
const script = `
const server = require('dynalite')({createTableMs: 50, deleteTableMs: 50, updateTableMs: 50});
server.listen(0, '127.0.0.1', () => console.log('dynalite port ' + server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
`

// startTimeout bounds how long Start waits for dynalite to report its port.
const startTimeout = 20 * time.Second

// Start starts a dynalite server for tb and returns its endpoint, such as
// "http://127.0.0.1:41234". The server is killed when tb's test ends.
//
// When Node.js, npm or the dynalite install is missing, Start skips tb
// with a message saying what is missing, or fails it when the environment
// variable CI is "true".
func Start(tb testing.TB) (endpoint string) {
	tb.Helper()
	dir, err := installed()
	if err != nil {
		missing(tb, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing(tb, fmt.Errorf("node (Node.js) is not on PATH: %w", err))
	}

	cmd := exec.Command(node, "-e", script)
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("dynalite: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("dynalite: %v", err)
	}
	var stderr testenv.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("dynalite: start node: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait() // the exit status of a killed server says nothing
		close(exited)
	}()
	tb.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		<-exited
	})

	port, err := readPort(stdout, exited)
	if err != nil {
		tb.Fatalf("dynalite did not start: %v\nits output:\n%s", err, stderr.String())
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatalf("dynalite reported port %d but does not accept connections: %v", port, err)
	}
	conn.Close()
	return "http://" + addr
}

// readPort reads the server's output until it names its port, then keeps
// draining the output so the server never blocks writing to it.
func readPort(stdout io.Reader, exited <-chan struct{}) (int, error) {
	type result struct {
		port int
		err  error
	}
	found := make(chan result, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if p, ok := strings.CutPrefix(lines.Text(), "dynalite port "); ok {
				port, err := strconv.Atoi(p)
				found <- result{port, err}
				io.Copy(io.Discard, stdout)
				return
			}
		}
		found <- result{err: errors.New("it exited before reporting its port")}
	}()
	select {
	case r := <-found:
		return r.port, r.err
	case <-exited:
		return 0, errors.New("it exited before reporting its port")
	case <-time.After(startTimeout):
		return 0, fmt.Errorf("it reported no port within %v", startTimeout)
	}
}

// missing skips tb because err says a component is missing, or fails tb
// when running in CI.
func missing(tb testing.TB, err error) {
	tb.Helper()
	testenv.Missing(tb, "dynalite is not available ("+err.Error()+")", testenv.InstallNode)
}

var install struct {
	once sync.Once
	dir  string
	err  error
}

// installed returns the directory holding the pinned dynalite, installing
// it first if needed. It runs once per test binary.
func installed() (string, error) {
	install.once.Do(func() {
		install.dir, install.err = ensureInstalled()
	})
	return install.dir, install.err
}

func ensureInstalled() (string, error) {
	root, err := testenv.ModuleRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, filepath.FromSlash(Dir))
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err != nil {
		return "", fmt.Errorf("the dynalite lock file is missing: %w", err)
	}
	if isInstalled(dir) {
		return dir, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("dynalite is not installed in %s and npm is not on PATH to install it: %w", Dir, err)
	}
	if err := npmCI(npm, dir); err != nil {
		return "", err
	}
	return dir, nil
}

func isInstalled(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "node_modules", "dynalite", "package.json"))
	return err == nil
}

// npmCI installs the lock file's packages into dir/node_modules. Test
// binaries of several packages may do this at once, so each installs into
// a staging directory of its own and renames the result into place; the
// first rename wins and the others discard their copy.
func npmCI(npm, dir string) error {
	staging, err := os.MkdirTemp(dir, ".install-")
	if err != nil {
		return fmt.Errorf("install dynalite: %w", err)
	}
	defer os.RemoveAll(staging)
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("install dynalite: %w", err)
		}
		if err := os.WriteFile(filepath.Join(staging, name), b, 0o644); err != nil {
			return fmt.Errorf("install dynalite: %w", err)
		}
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = staging
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s failed: %w\n%s", Dir, err, out)
	}
	if err := os.Rename(filepath.Join(staging, "node_modules"), filepath.Join(dir, "node_modules")); err != nil && !isInstalled(dir) {
		return fmt.Errorf("install dynalite: %w", err)
	}
	return nil
}
