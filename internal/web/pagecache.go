package web

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"tinyboard/internal/board"
)

// maxCachedPages bounds the page cache: the newest page and a few older
// ones are what readers ask for.
const maxCachedPages = 16

// pageCache keeps board pages as rendered, split around the New Message
// form's one-time id, the one part of a page that differs between two
// readers of the same messages. A page is found by what it shows: its
// place (newest or older, and the cursor to older messages) and each
// message's id, text and post time. Rendering 50 messages costs a read
// several times what the rest of the answer costs, but readers mostly ask
// for the page the previous reader got.
type pageCache struct {
	seed  maphash.Seed
	mu    sync.Mutex
	pages map[uint64]*renderedPage

	// last is the page served last, compared first: cheaper than the
	// hash that finds the others.
	last atomic.Pointer[renderedPage]
}

// renderedPage is a board page split around its form id.
type renderedPage struct {
	head, tail []byte
	length     []string // Content-Length's value with an id of idLength bytes
	paged      bool
	older      string
	messages   []board.Message
}

// idLength is how long a form id is: a ULID.
const idLength = 26

func newPageCache() *pageCache {
	return &pageCache{seed: maphash.MakeSeed(), pages: make(map[uint64]*renderedPage)}
}

// shows reports whether p is the page v renders to, whatever v's id.
func (p *renderedPage) shows(v boardView) bool {
	if p.paged != v.Paged || p.older != v.Older || len(p.messages) != len(v.Messages) {
		return false
	}
	for i, m := range v.Messages {
		// A store that hands out the same strings each time (memstore)
		// makes the text comparison a pointer comparison.
		if c := p.messages[i]; c != m && (c.ID != m.ID || !c.Posted.Equal(m.Posted) || c.Text != m.Text) {
			return false
		}
	}
	return true
}

// key hashes the page's place and its messages' ids and post times; a
// hit is confirmed by renderedPage.shows.
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

// serve answers 200 with the page v shows, its form carrying v.ID,
// rendering the page only when no earlier request rendered the same.
func (c *pageCache) serve(w http.ResponseWriter, rs *responder, v boardView) {
	page := c.last.Load()
	if page == nil || !page.shows(v) {
		if page = c.lookup(v); page == nil {
			rs.html(w, http.StatusOK, func(p *htmlWriter) { p.boardPage(v) })
			return
		}
		c.last.Store(page)
	}
	buf := pageBuffers.Get().(*htmlWriter)
	defer pageBuffers.Put(buf)
	buf.b = append(buf.b[:0], page.head...)
	buf.text(v.ID)
	idLen := len(buf.b) - len(page.head)
	buf.b = append(buf.b, page.tail...)
	h := w.Header()
	h["Content-Type"] = htmlContentValue
	if idLen == idLength {
		h["Content-Length"] = page.length
	} else {
		h["Content-Length"] = []string{strconv.Itoa(len(buf.b))}
	}
	w.WriteHeader(http.StatusOK)
	w.Write(buf.b)
}

// lookup returns the cached page for v, rendering it on a miss; nil if
// the page cannot be split around its id.
func (c *pageCache) lookup(v boardView) *renderedPage {
	key := c.key(v)
	c.mu.Lock()
	page, ok := c.pages[key]
	c.mu.Unlock()
	if ok && page.shows(v) {
		return page
	}
	if page = render(v); page == nil {
		return nil
	}
	c.mu.Lock()
	if len(c.pages) >= maxCachedPages {
		clear(c.pages)
	}
	c.pages[key] = page
	c.mu.Unlock()
	return page
}

// render renders v twice, with two ids that differ in every byte: the
// two pages differ exactly where the id goes, whatever the messages say,
// and are split there. It returns nil if they differ anywhere else.
func render(v boardView) *renderedPage {
	var a, b htmlWriter
	v.ID = strings.Repeat("0", idLength)
	a.boardPage(v)
	v.ID = strings.Repeat("1", idLength)
	b.boardPage(v)
	at := 0
	for at < len(a.b) && at < len(b.b) && a.b[at] == b.b[at] {
		at++
	}
	if len(a.b) != len(b.b) || at+idLength > len(a.b) || !bytes.Equal(a.b[at+idLength:], b.b[at+idLength:]) {
		return nil // the page does not show its id exactly once, as text
	}
	return &renderedPage{
		head:     a.b[:at:at],
		tail:     a.b[at+idLength:],
		length:   []string{strconv.Itoa(len(a.b))},
		paged:    v.Paged,
		older:    v.Older,
		messages: slices.Clone(v.Messages),
	}
}
