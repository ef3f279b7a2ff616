package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Server is a server the runner started as a separate process, on
// loopback.
type Server struct {
	// Name says which server this is, in messages.
	Name string
	// URL is where it listens, without a path: http://127.0.0.1:PORT.
	URL string

	cmd    *exec.Cmd
	exited chan error
}

// StartServer starts argv as a process and waits until it prints, on
// stdout, a line starting with ready and holding an http:// URL: the
// address it listens on, which must be loopback ("localhost" is read as
// 127.0.0.1). Everything else it prints, stdout and stderr (where servers
// log each request), goes to the file output, created anew, or to the
// null device when output is "": a server logging to a file pays for its
// log as it would on a disk. Stop ends it.
func StartServer(ctx context.Context, name, ready, output string, argv ...string) (*Server, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = childAttr()
	var rest io.Writer = io.Discard // stdout after the ready line
	if output != "" {
		// Appending, so that the child's stderr and the copy of its
		// stdout never write over each other.
		f, err := os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		defer f.Close() // after Start, the child has its own; the copy below its own too
		cmd.Stderr = f
		copyTo, err := os.OpenFile(output, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return nil, err
		}
		rest = copyTo
	}
	closeRest := func() {
		if c, ok := rest.(io.Closer); ok {
			c.Close()
		}
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		closeRest()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		closeRest()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &Server{Name: name, cmd: cmd, exited: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), ready) {
				found <- lines.Text()
				break
			}
		}
		close(found)
		io.Copy(rest, out) // keep draining so the server never blocks on its output
		closeRest()
		s.exited <- cmd.Wait()
	}()

	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case line, ok := <-found:
		if !ok {
			err := <-s.exited
			return nil, fmt.Errorf("%s exited before it was ready (%v)", name, err)
		}
		if s.URL, err = loopbackURL(line); err != nil {
			s.Stop()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return s, nil
	case <-timer.C:
		err = fmt.Errorf("%s printed no %q line within 30s", name, ready)
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.Stop()
	return nil, err
}

// loopbackURL finds the http:// URL in a server's ready line and returns
// its scheme and host, with localhost spelled 127.0.0.1. It refuses an
// address that is not loopback: the benchmark listens nowhere else.
func loopbackURL(line string) (string, error) {
	at := strings.Index(line, "http://")
	if at < 0 {
		return "", fmt.Errorf("no http:// address in %q", line)
	}
	u, err := url.Parse(strings.Fields(line[at:])[0])
	if err != nil {
		return "", err
	}
	host := u.Hostname()
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() || ip.To4() == nil {
		return "", fmt.Errorf("listens on %s, want 127.0.0.1", u.Host)
	}
	return "http://" + net.JoinHostPort(host, u.Port()), nil
}

// Pid returns the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// CPUTime returns the CPU time the server has used so far (Linux only).
func (s *Server) CPUTime() (time.Duration, error) { return processCPU(s.Pid()) }

// Stop asks the server to shut down (SIGINT, as Ctrl-C would), kills it if
// it has not gone within 5 seconds, and waits until it has exited. How it
// exits is not an error: the Python board exits on KeyboardInterrupt.
func (s *Server) Stop() error {
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.cmd.Process.Kill()
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(5 * time.Second):
	}
	s.cmd.Process.Kill()
	select {
	case <-s.exited:
		return fmt.Errorf("%s (pid %d) ignored SIGINT and was killed", s.Name, s.Pid())
	case <-time.After(5 * time.Second):
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", s.Name, s.Pid())
	}
}
