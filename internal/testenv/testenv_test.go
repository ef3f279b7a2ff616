package testenv_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tinyboard/internal/testenv"
)

// fakeTB stands in for a test that calls Missing, so that the skip or the
// failure it causes can be looked at instead of ending this test.
type fakeTB struct {
	testing.TB
	name            string
	skipped, failed string
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Name() string                      { return f.name }
func (f *fakeTB) Skip(args ...any)                  { f.skipped = fmt.Sprint(args...) }
func (f *fakeTB) Fatalf(format string, args ...any) { f.failed = fmt.Sprintf(format, args...) }

func TestMissingSkipsAndRecordsForTheSummary(t *testing.T) {
	log := filepath.Join(t.TempDir(), "skips")
	t.Setenv(testenv.SkipLogEnv, log)
	t.Setenv("CI", "")
	tb := &fakeTB{name: "TestBrowser"}
	testenv.Missing(tb, "Chromium is not installed", testenv.InstallChromium)
	if tb.failed != "" {
		t.Fatalf("without CI, Missing failed the test: %s", tb.failed)
	}
	if want := "Chromium is not installed (to install it: " + testenv.InstallChromium + ")"; tb.skipped != want {
		t.Errorf("skip message %q, want %q", tb.skipped, want)
	}

	t.Setenv("CI", "true")
	tb = &fakeTB{name: "TestLint"}
	testenv.Missing(tb, "cfn-lint is not installed", testenv.InstallCfnLint)
	if tb.skipped != "" || !strings.Contains(tb.failed, "CI=true") || !strings.Contains(tb.failed, "cfn-lint is not installed") {
		t.Errorf("under CI=true: skipped %q, failed %q; want a failure naming cfn-lint and CI=true", tb.skipped, tb.failed)
	}

	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	skips, err := testenv.ReadSkips(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []testenv.Skip{
		{Package: "tinyboard/internal/testenv", Test: "TestBrowser", What: "Chromium is not installed", Install: testenv.InstallChromium},
		{Package: "tinyboard/internal/testenv", Test: "TestLint", What: "cfn-lint is not installed", Install: testenv.InstallCfnLint, Failed: true},
	}
	if fmt.Sprint(skips) != fmt.Sprint(want) {
		t.Errorf("recorded %+v\nwant %+v", skips, want)
	}
}

func TestMissingRecordsNothingOutsideMakeTest(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(testenv.SkipLogEnv, "")
	t.Setenv("CI", "")
	t.Chdir(dir)
	testenv.Missing(&fakeTB{name: "TestX"}, "x is not installed", "")
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Missing wrote %v without %s set", entries, testenv.SkipLogEnv)
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		name  string
		skips []testenv.Skip
		want  string
	}{
		{"nothing skipped", nil, "make test: every test ran; none was skipped."},
		{
			"grouped by what was missing",
			[]testenv.Skip{
				{Package: "tinyboard/localdev", Test: "TestBrowserSave", What: "Chromium is not installed", Install: "apt-get install chromium"},
				{Package: "tinyboard", Test: "TestTemplateLintsClean", What: "cfn-lint is not installed", Install: "pipx install cfn-lint"},
				{Package: "tinyboard/internal/web", Test: "TestPageInBrowser", What: "Chromium is not installed", Install: "apt-get install chromium"},
			},
			"make test: skipped 3 tests: Chromium is not installed: tinyboard/internal/web TestPageInBrowser, tinyboard/localdev TestBrowserSave (to run them: apt-get install chromium); " +
				"cfn-lint is not installed: tinyboard TestTemplateLintsClean (to run them: pipx install cfn-lint).",
		},
		{
			"failed under CI, reason kept on one line",
			[]testenv.Skip{{Package: "tinyboard/internal/dynalite", Test: "TestStart", What: "npm ci failed:\n  ENOTFOUND\n", Failed: true}},
			"make test: FAILED 1 test that could not run (CI=true fails instead of skipping): npm ci failed: ENOTFOUND: tinyboard/internal/dynalite TestStart.",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := testenv.Summary(tc.skips)
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if strings.Contains(got, "\n") {
				t.Errorf("summary spans lines: %q", got)
			}
		})
	}
}
