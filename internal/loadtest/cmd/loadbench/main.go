// Command loadbench measures tinyboard under load, side by side with a
// bare net/http hello server (the ceiling on this machine) and the book's
// own Python message board (EG15-05, the program tinyboard replaces), all
// on loopback, and prints req/s, p50 and p99 for each row and the ratios
// between them.
//
//	go run ./internal/loadtest/cmd/loadbench [-duration 3s] [-concurrency 8]
//
// It builds localdev into a temporary directory, starts each server as
// its own process and stops each by its process id when done. Without
// python3 the book's rows are skipped, not failed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"tinyboard/internal/loadtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// run parses args, prepares the servers' commands and runs the benchmark.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	flags.SetOutput(stderr)
	duration := flags.Duration("duration", 0, "how long each row is measured (default 3s)")
	warmup := flags.Duration("warmup", 0, "unmeasured load before each row (default a tenth of -duration, at most 500ms)")
	concurrency := flags.Int("concurrency", 8, "clients sending at once")
	messages := flags.Int("messages", 50, "messages in each board for the GET rows")
	localdev := flags.String("localdev", "", "a localdev binary to run (default: build tinyboard/localdev with go build)")
	python := flags.String("python", "python3", "the Python that runs the book's board")
	serveHello := flags.String("serve-hello", "", "internal: serve the bare hello handler on this address")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *serveHello != "" {
		return loadtest.ServeHello(ctx, *serveHello, stdout)
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	if *localdev == "" {
		dir, err := os.MkdirTemp("", "loadbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*localdev = filepath.Join(dir, "localdev")
		fmt.Fprintln(stderr, "building localdev")
		build := exec.CommandContext(ctx, "go", "build", "-o", *localdev, "tinyboard/localdev")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build tinyboard/localdev (run loadbench from inside the tinyboard module): %w", err)
		}
	}
	pythonPath, err := exec.LookPath(*python)
	if err != nil {
		fmt.Fprintf(stdout, "%s was not found, so the book's board (EG15-05) is skipped: its rows and ratios are left out\n", *python)
		pythonPath = ""
	}

	rep, err := loadtest.Bench(ctx, loadtest.Config{
		Duration:    *duration,
		Warmup:      *warmup,
		Concurrency: *concurrency,
		Messages:    *messages,
		Localdev:    []string{*localdev},
		Hello:       []string{self, "-serve-hello"},
		Python:      pythonPath,
		Progress:    stderr,
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return errors.New("interrupted")
		}
		return err
	}
	rep.Print(stdout)
	return nil
}
