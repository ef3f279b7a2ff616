package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
)

// The static function's pages are html/template templates: they are
// rendered once at start-up (all but /request), and the static binary
// holds no AWS SDK whose unused methods the engine's reflection would
// keep. The board's pages are written in Go (render.go).

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
	}
	tmpl, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse templates: %w", err)
	}
	return tmpl, nil
}

// executeHTML renders the named template into a buffer and only then
// writes it, so a template error is a clean 500, never half a page.
func executeHTML(w http.ResponseWriter, r *http.Request, rs *responder, tmpl *template.Template, name string, data any) {
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		rs.log.ErrorContext(r.Context(), "render", "template", name, "err", err)
		rs.text(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
