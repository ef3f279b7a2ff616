package web

import (
	"embed"
	"fmt"
	"html/template"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

// chromeView is what the shared top of every page needs.
type chromeView struct {
	Title string
	Root  string // relative link to the site's root, such as "./" or "../"
}

// parseTemplates parses every page template once, at construction.
func parseTemplates() (*template.Template, error) {
	funcs := template.FuncMap{
		"chrome": func(title, root string) chromeView { return chromeView{Title: title, Root: root} },
		"stamp":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"when":   func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
	}
	tmpl, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse templates: %w", err)
	}
	return tmpl, nil
}
