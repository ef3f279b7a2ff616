package samlocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// InvokePath is where the Runtime Interface Emulator takes invocations.
const InvokePath = "/2015-03-31/functions/function/invocations"

// connectTimeout bounds how long SAM waits for the emulator to accept a
// connection; it sets no bound on the answer.
// (samcli/local/docker/container.py, Container.RAPID_CONNECTION_TIMEOUT)
const connectTimeout = time.Second

// socketTimeout bounds how long Start waits for the emulator to listen.
// (container.py, Container._wait_for_socket_connection)
const socketTimeout = 20 * time.Second

// StartError is an emulator that could not be started, SAM's failure to
// create a function's container.
type StartError struct{ Err error }

func (e *StartError) Error() string { return "samlocal: start the emulator: " + e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// Config is what an Emulator runs.
type Config struct {
	// RIE is the aws-lambda-rie binary (see Binary).
	RIE string
	// Bootstrap is the function's built bootstrap; it runs in its own
	// directory, as /var/task/bootstrap does.
	Bootstrap string
	// Env is the emulator's environment, which it passes on to the
	// bootstrap, with its AWS credentials: what SAM sets on the container.
	Env []string
	// Output receives the emulator's stdout and stderr, which carry the
	// function's own output and the START, END and REPORT lines.
	Output io.Writer
	// LogLevel is the emulator's --log-level: SAM passes "error".
	// (samcli/local/docker/lambda_container.py, _get_default_entry_point)
	LogLevel string
}

// Emulator is aws-lambda-rie serving one bootstrap on two loopback ports
// of its own: the invoke API and the Runtime API the bootstrap polls. It
// starts the bootstrap, in a process group of its own, at the first
// invocation, and starts it again at the next one after it crashed.
type Emulator struct {
	cmd        *exec.Cmd
	invokeURL  string
	runtimeAPI string
	client     *http.Client
	exited     chan struct{}
	closeOnce  sync.Once
}

// Start starts an emulator for cfg and waits until it takes connections.
func Start(ctx context.Context, cfg Config) (*Emulator, error) {
	var err error
	for range 3 { // the ports are free when picked, not always when bound
		var e *Emulator
		if e, err = start(ctx, cfg); err == nil {
			return e, nil
		}
	}
	return nil, &StartError{err}
}

func start(ctx context.Context, cfg Config) (*Emulator, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	invokeAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	runtimeAPI := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
	logLevel := cfg.LogLevel
	if logLevel == "" {
		logLevel = "error"
	}
	bootstrap, err := filepath.Abs(cfg.Bootstrap)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(cfg.RIE,
		"--log-level", logLevel,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", runtimeAPI,
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = cfg.Env
	cmd.Stdout, cmd.Stderr = cfg.Output, cfg.Output
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e := &Emulator{
		cmd:        cmd,
		invokeURL:  "http://" + invokeAddr + InvokePath,
		runtimeAPI: runtimeAPI,
		exited:     make(chan struct{}),
		client: &http.Client{Transport: &http.Transport{
			DialContext:       (&net.Dialer{Timeout: connectTimeout}).DialContext,
			DisableKeepAlives: true, // requests.post opens a connection per call
		}},
	}
	go func() {
		cmd.Wait()
		close(e.exited)
	}()
	// SAM waits for the invoke port to take connections
	// (container.py, Container._wait_for_socket_connection). This waits
	// for the Runtime API's port too: the emulator opens it in a goroutine
	// of its own, and an invocation that arrives first starts a bootstrap
	// that finds nothing listening and exits ("connection refused").
	deadline := time.Now().Add(socketTimeout)
	for {
		if listening(invokeAddr) && listening(runtimeAPI) {
			return e, nil
		}
		select {
		case <-e.exited:
			return nil, fmt.Errorf("aws-lambda-rie exited before listening on %s: %v", invokeAddr, cmd.ProcessState)
		case <-ctx.Done():
			e.Close()
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			e.Close()
			return nil, fmt.Errorf("aws-lambda-rie did not listen on %s within %v", invokeAddr, socketTimeout)
		}
	}
}

// listening reports whether addr takes a TCP connection.
func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, connectTimeout)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// RuntimeAPI is the host:port of the Runtime API the bootstrap polls.
func (e *Emulator) RuntimeAPI() string { return e.runtimeAPI }

// InvokeURL is the emulator's invoke endpoint.
func (e *Emulator) InvokeURL() string { return e.invokeURL }

// Invoke posts event to the emulator as SAM does and returns the answer
// as SAM reads it. A connection that fails is tried again, three attempts
// in all, with the event sent again each time.
// (container.py, Container.wait_for_http_response and _make_http_request;
// samcli/lib/utils/retry.py)
func (e *Emulator) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	const attempts, delay = 3, 50 * time.Millisecond
	var err error
	for attempt := 1; attempt <= attempts; attempt++ {
		var out []byte
		if out, err = e.post(ctx, event); err == nil {
			return out, nil
		}
		if ctx.Err() != nil || attempt == attempts {
			break
		}
		select {
		case <-time.After(time.Duration(math.Pow(2, float64(attempt))) * delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, fmt.Errorf("samlocal: invoke: %w", err)
}

func (e *Emulator) post(ctx context.Context, event []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.invokeURL, bytes.NewReader(event))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	// An "image" answer is passed on as bytes; anything else is re-encoded
	// if it is JSON and decoded as UTF-8 if not (which can fail).
	if strings.Contains(resp.Header.Get("Content-Type"), "image") || json.Valid(out) {
		return out, nil
	}
	if !utf8.Valid(out) {
		return nil, errors.New("the emulator's answer is neither JSON nor UTF-8")
	}
	return out, nil
}

// PID is the emulator's process id.
func (e *Emulator) PID() int { return e.cmd.Process.Pid }

// BootstrapPID is the process id of the bootstrap the emulator runs, or 0
// when none runs (before the first invocation, or after a crash). It reads
// /proc, so it is 0 on systems without one.
func (e *Emulator) BootstrapPID() int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", e.PID()))
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for f := range strings.FieldsSeq(string(data)) {
			pid, err := strconv.Atoi(f)
			if err == nil && alive(pid) {
				return pid
			}
		}
	}
	return 0
}

// alive reports whether pid is a process that has not exited (a zombie
// waiting for its parent has).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses.
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

// Exited is closed when the emulator process has ended.
func (e *Emulator) Exited() <-chan struct{} { return e.exited }

// Close kills the bootstrap's process group and the emulator, and waits
// for the emulator to end.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		if pid := e.BootstrapPID(); pid > 0 {
			// The emulator starts the bootstrap as the leader of a new
			// process group: kill the group, so nothing it started stays.
			syscall.Kill(-pid, syscall.SIGKILL)
		}
		e.cmd.Process.Kill()
		<-e.exited
		e.client.CloseIdleConnections()
	})
	return nil
}
