package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"tinyboard/internal/board"
)

// idPlaceholder stands in for the form's one-time id when a page is
// rendered for the cache; each answer puts a fresh id in its place.
const idPlaceholder = "00000000000000000000000000"

// maxCachedPages bounds the page cache: the newest page and a few older
// ones are what readers ask for.
const maxCachedPages = 16

// pageCache keeps rendered board pages. A page shows messages, and a
// stored message never changes, so the list of messages on a page (each
// named by its cursor: post time and id) says everything about how it
// renders. Reads that find the same messages as before skip the template,
// which is most of the cost of a page; a write changes what the store
// returns, and with it the key.
type pageCache struct {
	rs *responder

	mu    sync.Mutex
	pages map[string]*renderedPage
}

// renderedPage is a board page split around its form id.
type renderedPage struct {
	head, tail []byte
}

func newPageCache(rs *responder) *pageCache {
	return &pageCache{rs: rs, pages: make(map[string]*renderedPage)}
}

// cacheKey names the page a view renders to.
func cacheKey(v boardView) string {
	var b strings.Builder
	b.Grow(len(v.Messages)*48 + len(v.Older) + 8)
	b.WriteString(strconv.FormatBool(v.Paged))
	b.WriteByte(' ')
	b.WriteString(v.Older)
	for _, m := range v.Messages {
		b.WriteByte(' ')
		b.WriteString(board.Cursor(m))
	}
	return b.String()
}

// serve answers with the page for v, rendering it only if no earlier
// request rendered the same messages, and with id as the form's one-time
// id.
func (c *pageCache) serve(w http.ResponseWriter, r *http.Request, v boardView, id string) {
	key := cacheKey(v)
	c.mu.Lock()
	page, ok := c.pages[key]
	c.mu.Unlock()
	if !ok {
		var err error
		if page, err = c.render(v); err != nil {
			c.rs.log.ErrorContext(r.Context(), "render", "template", "board.html", "err", err)
			c.rs.text(w, http.StatusInternalServerError, "internal error")
			return
		}
		c.mu.Lock()
		if len(c.pages) >= maxCachedPages {
			clear(c.pages)
		}
		c.pages[key] = page
		c.mu.Unlock()
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(page.head)+len(id)+len(page.tail)))
	w.WriteHeader(http.StatusOK)
	w.Write(page.head)
	w.Write([]byte(id))
	w.Write(page.tail)
}

// render renders v with the placeholder id and splits it there.
func (c *pageCache) render(v boardView) (*renderedPage, error) {
	v.ID = idPlaceholder
	var buf bytes.Buffer
	if err := c.rs.tmpl.ExecuteTemplate(&buf, "board.html", v); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	at := bytes.Index(out, []byte(idPlaceholder))
	if at < 0 || bytes.Count(out, []byte(idPlaceholder)) != 1 {
		return nil, fmt.Errorf("board.html must show the form id exactly once")
	}
	return &renderedPage{head: out[:at:at], tail: out[at+len(idPlaceholder):]}, nil
}
