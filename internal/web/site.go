package web

import "net/http"

// NewSite serves the board handler at /board and the pages handler at
// every other path: the routing template.yaml gives the two Lambda
// functions, so localdev answers exactly as the deployed site does.
func NewSite(boardHandler, pagesHandler http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/board", boardHandler)
	mux.Handle("/", pagesHandler)
	// secure again around the mux, for the answers the mux gives itself
	// (a CONNECT, a path it cleans and redirects).
	return secure(mux)
}
