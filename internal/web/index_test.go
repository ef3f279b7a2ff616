package web_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// curlRE finds the home page's curl example.
var curlRE = regexp.MustCompile(`<pre><code>(curl [^<]*)</code></pre>`)

// TestHomePageCurlNamesThisBoard checks that the home page's curl example
// is the board's real address as the visitor reached the site, ready to
// copy: the Host asked for, https behind a proxy that says so, and quoted
// and escaped when the Host holds anything a shell or HTML would read.
func TestHomePageCurlNamesThisBoard(t *testing.T) {
	site := newSite(t)
	for _, tc := range []struct {
		name, path, host, proto, prefix string
		want                            string
	}{
		{"localdev", "/", "localhost:8080", "", "", "curl -d message=hello http://localhost:8080/board"},
		{"index.html", "/index.html", "127.0.0.1:9000", "", "", "curl -d message=hello http://127.0.0.1:9000/board"},
		{"behind API Gateway", "/", "abc123.execute-api.eu-west-1.amazonaws.com", "https", "", "curl -d message=hello https://abc123.execute-api.eu-west-1.amazonaws.com/board"},
		{"under a REST API stage", "/", "abc123.execute-api.eu-west-1.amazonaws.com", "https", "/Prod", "curl -d message=hello https://abc123.execute-api.eu-west-1.amazonaws.com/Prod/board"},
		{"IPv6, quoted for the shell", "/", "[::1]:8080", "", "", "curl -d message=hello 'http://[::1]:8080/board'"},
		{"hostile host", "/", `x';rm -rf ~;'<script>`, "", "", `curl -d message=hello 'http://x'\'';rm -rf ~;'\''<script>/board'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tc.path, nil)
			req.Host = tc.host
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if tc.prefix != "" {
				req.Header.Set("X-Forwarded-Prefix", tc.prefix)
			}
			rec := httptest.NewRecorder()
			site.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: status %d, want 200", tc.path, rec.Code)
			}
			body := rec.Body.String()
			m := curlRE.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("GET %s: no curl example on the home page:\n%s", tc.path, body)
			}
			if got := html.UnescapeString(m[1]); got != tc.want {
				t.Errorf("GET %s (Host %s): curl example %q, want %q", tc.path, tc.host, got, tc.want)
			}
			if strings.Contains(body, "<script>") || strings.Contains(body, "board-address") {
				t.Errorf("GET %s: the page shows a placeholder or unescaped markup:\n%s", tc.path, m[0])
			}
			if vary := rec.Header().Get("Vary"); !strings.Contains(vary, "Host") {
				t.Errorf("GET %s: Vary %q, want it to name Host, which the page depends on", tc.path, vary)
			}
		})
	}
}
