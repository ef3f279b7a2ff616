// Command loadbench measures tinyboard under load, side by side with a
// bare net/http hello server, a bare server answering with the very bytes
// of localdev's board page (the ceilings on this machine) and the book's
// own Python message board (EG15-05, the program tinyboard replaces), all
// on loopback, in interleaved rounds, and prints the medians of req/s,
// p50 and p99 for each row and the ratios between them.
//
//	go run ./internal/loadtest/cmd/loadbench [-duration 2s] [-rounds 5] [-concurrency 8] [-out DIR]
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
	duration := flags.Duration("duration", 0, "how long each row is measured in each round (default 2s)")
	rounds := flags.Int("rounds", 5, "how many times each row is measured, the rows taking turns")
	outDir := flags.String("out", "", "keep each server's output (its request log) in this directory, as NAME.log (default: a temporary directory, removed at the end)")
	warmup := flags.Duration("warmup", 0, "unmeasured load before each row (default a tenth of -duration, at most 500ms)")
	concurrency := flags.Int("concurrency", 8, "clients sending at once")
	messages := flags.Int("messages", 50, "messages in each board for the GET rows")
	localdev := flags.String("localdev", "", "a localdev binary to run (default: build tinyboard/localdev with go build)")
	python := flags.String("python", "python3", "the Python that runs the book's board")
	serveHello := flags.String("serve-hello", "", "internal: serve the bare hello handler on this address")
	serveBytes := flags.String("serve-bytes", "", "internal: serve the answer saved in this file, on the address given as the argument")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *serveHello != "" {
		return loadtest.ServeHello(ctx, *serveHello, stdout)
	}
	if *serveBytes != "" {
		if flags.NArg() != 1 {
			return errors.New("-serve-bytes FILE needs the address to listen on as its argument")
		}
		return loadtest.ServeBytes(ctx, *serveBytes, flags.Arg(0), stdout)
	}
	if *outDir == "" {
		dir, err := os.MkdirTemp("", "loadbench-out-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*outDir = dir
	} else if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
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
		Rounds:      *rounds,
		Hello:       []string{self, "-serve-hello"},
		SameBytes:   []string{self, "-serve-bytes"},
		OutputDir:   *outDir,
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
