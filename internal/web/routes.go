package web

import "net/http"

// addBoardRoutes registers every route the board function serves. The mux
// answers other methods on /board with 405 and an Allow header.
func addBoardRoutes(mux *http.ServeMux, cfg BoardConfig, r *responder) {
	mux.Handle("GET /board", handleBoardGet(cfg, r))
	mux.Handle("POST /board", handleBoardPost(cfg, r))
	mux.Handle("GET /{path...}", handleNotFound(r))
}
