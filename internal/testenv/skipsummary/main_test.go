package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	if err := run(filepath.Join(dir, "none"), &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "make test: every test ran; none was skipped.\n"; got != want {
		t.Errorf("no skip log: got %q, want %q", got, want)
	}

	log := filepath.Join(dir, "skips")
	os.WriteFile(log, []byte(`{"package":"tinyboard/localdev","test":"TestBrowserX","what":"Chromium is not installed","install":"sudo apt-get install chromium"}`+"\n"), 0o644)
	out.Reset()
	if err := run(log, &out); err != nil {
		t.Fatal(err)
	}
	want := "make test: skipped 1 test: Chromium is not installed: tinyboard/localdev TestBrowserX (to run them: sudo apt-get install chromium).\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}

	os.WriteFile(log, []byte("not json\n"), 0o644)
	if err := run(log, &out); err == nil {
		t.Errorf("a damaged skip log was read without error")
	}
}
