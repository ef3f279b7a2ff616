package web

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"net/http"
	"strconv"
	"sync"
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

	seed  maphash.Seed
	mu    sync.Mutex
	pages map[uint64]*renderedPage
}

// renderedPage is a board page split around its form id.
type renderedPage struct {
	head, tail []byte
	paged      bool
	older      string
	ids        []string // the messages shown, by id
	posted     []int64  // and by post time, in nanoseconds
}

// shows reports whether p is the page v renders to.
func (p *renderedPage) shows(v boardView) bool {
	if p.paged != v.Paged || p.older != v.Older || len(p.ids) != len(v.Messages) {
		return false
	}
	for i, m := range v.Messages {
		if p.ids[i] != m.ID || p.posted[i] != m.Posted.UnixNano() {
			return false
		}
	}
	return true
}

func newPageCache(rs *responder) *pageCache {
	return &pageCache{rs: rs, seed: maphash.MakeSeed(), pages: make(map[uint64]*renderedPage)}
}

// key hashes what decides how v renders: the page's place and, for each
// message, its id and post time. Unlike a string key it allocates
// nothing; a hit is confirmed by renderedPage.shows.
func (c *pageCache) key(v boardView) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	var b [8]byte
	if v.Paged {
		b[0] = 1
	}
	h.Write(b[:1])
	h.WriteString(v.Older)
	for _, m := range v.Messages {
		h.WriteString(m.ID)
		binary.LittleEndian.PutUint64(b[:], uint64(m.Posted.UnixNano()))
		h.Write(b[:])
	}
	return h.Sum64()
}

// serve answers with the page for v, rendering it only if no earlier
// request rendered the same messages, and with id as the form's one-time
// id.
func (c *pageCache) serve(w http.ResponseWriter, r *http.Request, v boardView, id string) {
	key := c.key(v)
	c.mu.Lock()
	page, ok := c.pages[key]
	c.mu.Unlock()
	if !ok || !page.shows(v) {
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
	// One Write of the whole page: net/http then sends it in two write(2)
	// calls instead of three.
	buf := pageBuffers.Get().(*[]byte)
	b := append(append(append((*buf)[:0], page.head...), id...), page.tail...)
	w.Write(b)
	*buf = b
	pageBuffers.Put(buf)
}

// pageBuffers holds buffers a page is assembled in.
var pageBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

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
	p := &renderedPage{head: out[:at:at], tail: out[at+len(idPlaceholder):], paged: v.Paged, older: v.Older}
	for _, m := range v.Messages {
		p.ids = append(p.ids, m.ID)
		p.posted = append(p.posted, m.Posted.UnixNano())
	}
	return p, nil
}
