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
	site := secure(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The board's own path, which the mux would only hand on to the
		// board handler (which sets the security headers itself), goes
		// there directly.
		if r.URL.Path == "/board" && r.Method != http.MethodConnect {
			boardHandler.ServeHTTP(w, r)
			return
		}
		site.ServeHTTP(w, r)
	})
}
