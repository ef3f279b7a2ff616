package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestHelpListsFlagsAndEnvironment runs the built localdev with -h, as a
// person does: it exits 0 and names every flag and every environment
// variable, with defaults.
func TestHelpListsFlagsAndEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds localdev; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "localdev")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, arg := range []string{"-h", "-help", "--help"} {
		out, err := exec.Command(bin, arg).CombinedOutput()
		if err != nil {
			t.Errorf("localdev %s: %v, want exit status 0\n%s", arg, err, out)
		}
		help := string(out)
		if strings.Contains(help, "help requested") {
			t.Errorf("localdev %s prints %q, want only the help", arg, "help requested")
		}
		for _, want := range []string{
			"-addr", `(default "localhost:8080")`, "-store", `(default "memory")`, "-create-table", "-v",
			"Environment variables:", "BOARD_TABLE", "(default tinyboard)", "DYNAMODB_ENDPOINT", "CLEAR_TOKEN",
			"PAGE_SIZE", "(default 50)", "MESSAGE_MAX_CHARS", "(default 1000)",
		} {
			if !strings.Contains(help, want) {
				t.Errorf("localdev %s does not show %q:\n%s", arg, want, help)
			}
		}
	}
	out, err := exec.Command(bin, "-no-such-flag").CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
		t.Errorf("localdev -no-such-flag: %v, want exit status 1\n%s", err, out)
	}
}

// TestHelpNamesEveryVariableRead starts localdev with each store and
// records the environment variables it reads: each must be in the help's
// table, so the help cannot fall behind the code.
func TestHelpNamesEveryVariableRead(t *testing.T) {
	var mu sync.Mutex
	read := map[string]bool{}
	getenv := func(k string) string {
		mu.Lock()
		defer mu.Unlock()
		read[k] = true
		if k == "DYNAMODB_ENDPOINT" {
			return "http://127.0.0.1:9" // nothing listens: run stops at once on a done context
		}
		return ""
	}
	for _, store := range []string{"memory", "dynamodb"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		run(ctx, []string{"-addr", "127.0.0.1:0", "-store", store}, getenv, io.Discard, io.Discard)
	}
	documented := map[string]bool{}
	for _, v := range environment {
		documented[v.name] = true
	}
	for name := range read {
		if strings.HasPrefix(name, "AWS_") {
			continue // the SDK's own, documented by AWS
		}
		if !documented[name] {
			t.Errorf("localdev reads %s, but -h does not list it", name)
		}
	}
	for _, v := range environment {
		if !read[v.name] {
			t.Errorf("-h lists %s, but localdev never reads it", v.name)
		}
	}
}

// TestReadmeConfigurationMatchesHelp holds the README's configuration
// table to localdev's flags and variables, both ways.
func TestReadmeConfigurationMatchesHelp(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## Configuration\n")
	section, _, _ = strings.Cut(section, "\n## ")
	var inReadme []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(-?[A-Za-z_-]+)`(?:, `([A-Z_]+)`)? \\|").FindAllStringSubmatch(section, -1) {
		inReadme = append(inReadme, m[1])
		if m[2] != "" {
			inReadme = append(inReadme, m[2])
		}
	}
	var inHelp []string
	var help strings.Builder
	if err := run(context.Background(), []string{"-h"}, func(string) string { return "" }, io.Discard, &help); err != nil {
		t.Fatalf("run -h: %v", err)
	}
	for _, m := range regexp.MustCompile(`(?m)^  (-[a-z-]+)`).FindAllStringSubmatch(help.String(), -1) {
		inHelp = append(inHelp, m[1])
	}
	for _, v := range environment {
		inHelp = append(inHelp, v.name)
	}
	slices.Sort(inReadme)
	slices.Sort(inHelp)
	if !slices.Equal(inReadme, inHelp) {
		t.Errorf("the README's Configuration table names %q\nlocaldev -h names %q", inReadme, inHelp)
	}
}
