//go:build linux

package tinyboard_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"tinyboard/internal/dynalite"
	"tinyboard/internal/testenv"
)

// openPTY opens a pseudo-terminal: the master end the test types into and
// reads from, and the terminal end a command gets as its own.
func openPTY(tb testing.TB) (master, term *os.File) {
	tb.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		testenv.Missing(tb, "no pseudo-terminal (/dev/ptmx: "+err.Error()+")", "")
	}
	var unlock int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		tb.Fatalf("unlock pty: %v", errno)
	}
	var n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); errno != 0 {
		tb.Fatalf("pty number: %v", errno)
	}
	term, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		tb.Fatalf("open pty: %v", err)
	}
	tb.Cleanup(func() { master.Close(); term.Close() })
	return master, term
}

// TestMakeRunStopsCleanlyOnCtrlC runs make run in a terminal of its own,
// as a person does, types Ctrl-C once the server is up, and checks that
// localdev stopped gracefully and make reports success: status 0 and no
// "make: ***" error line.
func TestMakeRunStopsCleanlyOnCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs localdev; skipped with -short")
	}
	makePath := testenv.LookPath(t, "make", "the README's commands use it")
	for _, target := range []string{"run", "run-dynamodb"} {
		t.Run(target, func(t *testing.T) {
			args := []string{target, "ADDR=127.0.0.1:0"}
			if target == "run-dynamodb" {
				args = append(args, "DYNAMODB_ENDPOINT="+dynalite.Start(t), "BOARD_TABLE="+strings.ReplaceAll(t.Name(), "/", "-"))
			}
			master, term := openPTY(t)
			cmd := exec.Command(makePath, args...)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = term, term, term
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			term.Close()
			var err error
			exited := make(chan struct{})
			go func() { err = cmd.Wait(); close(exited) }()
			t.Cleanup(func() {
				select {
				case <-exited:
				default:
					syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					<-exited
				}
			})

			var out testenv.Buffer
			lines := make(chan string, 100)
			go func() {
				s := bufio.NewScanner(master)
				for s.Scan() {
					out.Write([]byte(s.Text() + "\n"))
					lines <- s.Text()
				}
				close(lines)
			}()
			waitFor(t, lines, "Open your browser and connect to: ", &out)
			if _, err := master.Write([]byte{3}); err != nil { // Ctrl-C
				t.Fatal(err)
			}
			select {
			case <-exited:
			case <-time.After(time.Minute):
				t.Fatalf("make %s still running a minute after Ctrl-C; output:\n%s", target, out.String())
			}
			time.Sleep(100 * time.Millisecond) // let the last lines through
			got := out.String()
			if err != nil {
				t.Errorf("make %s after Ctrl-C: %v, want status 0; output:\n%s", target, err, got)
			}
			if strings.Contains(got, "make: ***") {
				t.Errorf("make %s reports an error after Ctrl-C:\n%s", target, got)
			}
			if !strings.Contains(got, "Stopped.") {
				t.Errorf("make %s: no \"Stopped.\" after Ctrl-C; output:\n%s", target, got)
			}
		})
	}
}

// waitFor reads lines until one contains want.
func waitFor(tb testing.TB, lines <-chan string, want string, out *testenv.Buffer) {
	tb.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				tb.Fatalf("output ended before %q:\n%s", want, out.String())
			}
			if strings.Contains(line, want) {
				return
			}
		case <-deadline:
			tb.Fatalf("no %q within 2 minutes:\n%s", want, out.String())
		}
	}
}
