package tinyboard_test

import (
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
)

// fileExtensions are the endings that make a backquoted README word a
// file name.
var fileExtensions = []string{".go", ".html", ".css", ".yaml", ".toml", ".json", ".py", ".png", ".ico", ".md", ".mod"}

// TestReadmePathsExist checks that every file or folder the README names
// in backquotes is in the repository, so the teaching map cannot send a
// reader to a file that moved. A path counts when it ends in a file
// extension or a slash, or starts with a top-level folder; a bare name
// (such as routes.go beside internal/web/) may stand in a folder named on
// the same line.
func TestReadmePathsExist(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	word := regexp.MustCompile("`([A-Za-z0-9_.][A-Za-z0-9_./-]*)`")
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	checked := 0
	for n, line := range strings.Split(string(readme), "\n") {
		var words, folders []string
		for _, m := range word.FindAllStringSubmatch(line, -1) {
			words = append(words, m[1])
			if strings.HasSuffix(m[1], "/") && exists(m[1]) {
				folders = append(folders, m[1])
			}
		}
		for _, w := range words {
			first, _, nested := strings.Cut(w, "/")
			isPath := strings.HasSuffix(w, "/") || (nested && exists(first)) || hasExtension(w)
			if !isPath || strings.Contains(w, "://") {
				continue
			}
			checked++
			if exists(w) {
				continue
			}
			found := false
			for _, dir := range folders {
				found = found || exists(path.Join(dir, w))
			}
			if !found {
				t.Errorf("README.md line %d names %s, which is not in the repository (nor in a folder named on that line)", n+1, w)
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked only %d paths in README.md; the pattern no longer finds them", checked)
	}
}

func hasExtension(w string) bool {
	for _, ext := range fileExtensions {
		if strings.HasSuffix(w, ext) {
			return true
		}
	}
	return false
}
