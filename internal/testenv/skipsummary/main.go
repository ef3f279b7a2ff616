// Command skipsummary prints the line that ends make test: the tests that
// were skipped because something outside Go was missing, and how to
// install it, read from the skip log internal/testenv wrote during go test
// (a log that does not exist means nothing was skipped). make test fails
// under CI=true when the log is not empty.
//
//	go run ./internal/testenv/skipsummary SKIP_LOG
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"tinyboard/internal/testenv"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: skipsummary SKIP_LOG")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "skipsummary:", err)
		os.Exit(1)
	}
}

// run prints the summary of the skip log at path.
func run(path string, stdout io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	skips, err := testenv.ReadSkips(strings.NewReader(string(data)))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, testenv.Summary(skips))
	return nil
}
