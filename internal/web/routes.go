package web

import (
	"html/template"
	"net/http"
)

// addBoardRoutes registers every route the board function serves. The mux
// answers other methods on /board with 405 and an Allow header.
func addBoardRoutes(mux *http.ServeMux, cfg BoardConfig, r *responder) {
	mux.Handle("GET /board", handleBoardGet(cfg, r))
	mux.Handle("POST /board", handleBoardPost(cfg, r))
	mux.Handle("GET /{path...}", handleNotFound(r))
}

// addPagesRoutes registers every route the static function serves.
func addPagesRoutes(mux *http.ServeMux, rs *responder, tmpl *template.Template, files map[string]*file) {
	mux.Handle("GET /{$}", handleIndex(rs, tmpl))
	mux.Handle("GET /index.html", handleIndex(rs, tmpl))
	mux.Handle("GET /hello", files["hello"])
	mux.Handle("GET /request", handleRequest(rs, tmpl))
	mux.Handle("GET /{path...}", handleFile(rs, files))
}
