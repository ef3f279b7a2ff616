package web

import (
	"net"
	"net/http"
	"strings"
)

// LoopbackHostsOnly returns middleware for a server that listens on a
// loopback address, as localdev does by default: it answers only requests
// whose Host names loopback (localhost, 127.0.0.1, [::1], with any port)
// and refuses the rest with 421 Misdirected Request and a sentence.
//
// Without it, a web page on another site could point its own DNS name at
// 127.0.0.1 (DNS rebinding) and read or post to the board from the
// visitor's browser, as a page of the same origin; that request carries
// the other site's name in its Host.
func LoopbackHostsOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "" || loopbackHost(r.Host) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h["Content-Security-Policy"] = cspValue
		h["X-Content-Type-Options"] = nosniffValue
		h["Referrer-Policy"] = sameOriginValue
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusMisdirectedRequest)
		w.Write([]byte(loopbackRefusal))
	})
}

// loopbackRefusal is the answer to a request for another name. It does
// not repeat the name: nothing the client sent is reflected.
const loopbackRefusal = "This server listens only on this machine, so it answers only requests addressed to localhost, 127.0.0.1 or [::1]; " +
	"this one named another host, as a web page on another site would to reach it. " +
	"Open http://localhost with the server's port, or start localdev with -addr 0.0.0.0:8080 to serve every name.\n"

// loopbackHost reports whether a Host header names this machine's
// loopback interface: localhost, or a loopback IP address.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
