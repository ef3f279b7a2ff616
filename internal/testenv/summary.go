package testenv

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ReadSkips reads a skip log: one JSON Skip per line.
func ReadSkips(r io.Reader) ([]Skip, error) {
	var skips []Skip
	lines := bufio.NewScanner(r)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		if len(strings.TrimSpace(lines.Text())) == 0 {
			continue
		}
		var s Skip
		if err := json.Unmarshal(lines.Bytes(), &s); err != nil {
			return nil, fmt.Errorf("read skip log: %w", err)
		}
		skips = append(skips, s)
	}
	return skips, lines.Err()
}

// Summary is the one line that ends make test: which tests were skipped,
// grouped by what they missed, and the command that installs it; or that
// none was. The tests of a group are named by package, sorted.
func Summary(skips []Skip) string {
	if len(skips) == 0 {
		return "make test: every test ran; none was skipped."
	}
	type group struct {
		what, install string
		tests         []string
	}
	var groups []*group
	failed := 0
	for _, s := range skips {
		if s.Failed {
			failed++
		}
		what := oneLine(s.What)
		i := slices.IndexFunc(groups, func(g *group) bool { return g.what == what && g.install == s.Install })
		if i < 0 {
			groups = append(groups, &group{what: what, install: s.Install})
			i = len(groups) - 1
		}
		groups[i].tests = append(groups[i].tests, s.Package+" "+s.Test)
	}
	var b strings.Builder
	if failed > 0 {
		fmt.Fprintf(&b, "make test: FAILED %s that could not run (CI=true fails instead of skipping): ", count(len(skips)))
	} else {
		fmt.Fprintf(&b, "make test: skipped %s: ", count(len(skips)))
	}
	for i, g := range groups {
		if i > 0 {
			b.WriteString("; ")
		}
		slices.Sort(g.tests)
		g.tests = slices.Compact(g.tests)
		fmt.Fprintf(&b, "%s: %s", g.what, strings.Join(g.tests, ", "))
		if g.install != "" {
			fmt.Fprintf(&b, " (to run them: %s)", g.install)
		}
	}
	b.WriteString(".")
	return b.String()
}

func count(n int) string {
	if n == 1 {
		return "1 test"
	}
	return fmt.Sprintf("%d tests", n)
}

// oneLine keeps the summary on one line whatever a skip's reason holds
// (npm's output, say): whitespace runs become one space, and a long reason
// is cut; the test's own output has all of it.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
