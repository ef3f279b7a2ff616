package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

//go:embed site
var siteFS embed.FS

// pagesRendered are the templates rendered once, at construction, into
// files of the site, by the path they are served at: they change only
// when the binary does. /hello is the book's EG15-02, one fixed page.
var pagesRendered = map[string]string{
	"page.html": "page.html",
	"hello":     "hello.html",
}

// contentTypes are the types of the site's files, by extension. A fixed
// table rather than mime.TypeByExtension, whose first call reads the
// system's MIME database: milliseconds a Lambda cold start would pay.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".svg":  "image/svg+xml",
	".txt":  "text/plain; charset=utf-8",
}

// file is one file of the site, ready to serve.
type file struct {
	name        string
	body        []byte
	contentType string
	etag        string
	cache       string
}

// newFile hashes body into an ETag and picks the headers for name.
func newFile(name string, body []byte) *file {
	sum := sha256.Sum256(body)
	f := &file{
		name:        name,
		body:        body,
		contentType: contentTypes[path.Ext(name)],
		etag:        `"` + hex.EncodeToString(sum[:12]) + `"`,
		cache:       "public, max-age=86400",
	}
	if path.Ext(name) == ".html" {
		f.cache = "public, max-age=60, must-revalidate"
	}
	if f.contentType == "" {
		f.contentType = "application/octet-stream"
	}
	return f
}

// ServeHTTP answers with the file, honouring If-None-Match (304) and HEAD.
func (f *file) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", f.cache)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.body))
}

// NewPages returns the handler of the static function: the tiny website
// (home, second page, style sheet, image, icon), /hello, /request, and a
// 404 page for anything else. Every file is read and hashed here, once, so
// a request never touches anything but memory, and no path can reach
// outside the embedded site.
func NewPages(logger *slog.Logger) (http.Handler, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	rs := &responder{log: logger}
	files := make(map[string]*file)
	err = fs.WalkDir(siteFS, "site", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := siteFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "site/")
		files[name] = newFile(name, body)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: read site: %w", err)
	}
	for name, tmplName := range pagesRendered {
		var buf bytes.Buffer
		if err := tmpl.ExecuteTemplate(&buf, tmplName, nil); err != nil {
			return nil, fmt.Errorf("web: render %s: %w", name, err)
		}
		files[name] = newFile(tmplName, buf.Bytes())
	}
	mux := http.NewServeMux()
	addPagesRoutes(mux, rs, tmpl, files)
	return secure(mux), nil
}

// handleFile serves the site file the path names, or the 404 page.
func handleFile(rs *responder, files map[string]*file) http.Handler {
	notFound := handleNotFound(rs)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.PathValue("path")]
		if !ok {
			notFound.ServeHTTP(w, r)
			return
		}
		f.ServeHTTP(w, r)
	})
}

// indexView is what the home page shows beyond its fixed text.
type indexView struct {
	Curl string // the curl command that posts to this board
}

// handleIndex serves the home page. Its curl example names the board at
// the address this request reached, so it can be copied as it is; the
// page is otherwise fixed, so it is served as a file would be (ETag, 304),
// varying with the Host.
//
// A site is reached under one address or a few, so the page is rendered
// once per address and kept; a client naming many Hosts only empties the
// small cache.
func handleIndex(rs *responder, tmpl *template.Template) http.Handler {
	const maxAddresses = 16
	var (
		mu    sync.Mutex
		pages = make(map[string]*file)
	)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		curl := "curl -d message=hello " + shellWord(boardAddress(r))
		mu.Lock()
		page := pages[curl]
		mu.Unlock()
		if page == nil {
			var buf bytes.Buffer
			if err := tmpl.ExecuteTemplate(&buf, "index.html", indexView{Curl: curl}); err != nil {
				rs.log.ErrorContext(r.Context(), "render", "template", "index.html", "err", err)
				rs.text(w, http.StatusInternalServerError, "internal error")
				return
			}
			page = newFile("index.html", buf.Bytes())
			mu.Lock()
			if len(pages) >= maxAddresses {
				clear(pages)
			}
			pages[curl] = page
			mu.Unlock()
		}
		w.Header().Set("Vary", "Host, X-Forwarded-Proto, X-Forwarded-Prefix")
		page.ServeHTTP(w, r)
	})
}

// boardAddress is the board's absolute address as the client reached this
// site: its scheme (https when TLS or a proxy in front, such as API
// Gateway, says so), the Host it asked for, the path prefix a proxy says
// it took off (a REST API's stage), and the board beside the requested
// page.
func boardAddress(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	prefix := r.Header.Get("X-Forwarded-Prefix")
	if !strings.HasPrefix(prefix, "/") {
		prefix = ""
	}
	return scheme + "://" + r.Host + path.Join(prefix, path.Dir(r.URL.Path), "board")
}

// shellWord quotes s for a POSIX shell when it holds anything but
// characters a shell and curl take literally, so a pasted command does
// what it shows whatever Host the request named.
func shellWord(s string) string {
	safe := s != ""
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("-._~:/@%+,=", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// header is one header line of a request.
type header struct{ Name, Value string }

// requestView is what /request shows.
type requestView struct {
	Method, Target, Proto, RemoteAddr string
	BodyLength                        int64
	Headers                           []header
}

// handleRequest is the book's EG15-01, which printed the request it
// received: here the request is shown back to the client, escaped.
func handleRequest(rs *responder, tmpl *template.Template) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			rs.fail(w, r, bodyError(err))
			return
		}
		target := r.RequestURI
		if target == "" {
			target = r.URL.RequestURI()
		}
		v := requestView{Method: r.Method, Target: target, Proto: r.Proto, RemoteAddr: r.RemoteAddr, BodyLength: n}
		v.Headers = append(v.Headers, header{"Host", r.Host})
		for name, values := range r.Header {
			for _, value := range values {
				v.Headers = append(v.Headers, header{name, value})
			}
		}
		slices.SortStableFunc(v.Headers, func(a, b header) int { return strings.Compare(a.Name, b.Name) })
		w.Header().Set("Cache-Control", "no-store")
		executeHTML(w, r, rs, tmpl, "request.html", v)
	})
}
