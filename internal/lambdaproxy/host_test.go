package lambdaproxy_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"tinyboard/internal/lambdaproxy"
)

// Under sam local an HTTP API event's domainName is always "localhost",
// while its Host header is the address the browser asked for
// (samcli/local/events/api_event.py, RequestContextV2.to_dict): the
// handler must see the latter, as net/http would give it.
func TestHostComesFromTheHostHeader(t *testing.T) {
	var host string
	var headerHost []string
	h := lambdaproxy.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, headerHost = r.Host, r.Header.Values("Host")
		io.WriteString(w, "ok")
	}), slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		name, event, want string
	}{
		{"sam local", `{"version": "2.0", "rawPath": "/", "headers": {"Host": "127.0.0.1:3000"},
			"requestContext": {"domainName": "localhost", "http": {"method": "GET", "path": "/"}}}`, "127.0.0.1:3000"},
		{"HTTP API", `{"version": "2.0", "rawPath": "/", "headers": {"host": "r3pmxmplak.execute-api.us-east-2.amazonaws.com"},
			"requestContext": {"domainName": "r3pmxmplak.execute-api.us-east-2.amazonaws.com", "http": {"method": "GET", "path": "/"}}}`,
			"r3pmxmplak.execute-api.us-east-2.amazonaws.com"},
		{"no Host header", `{"version": "2.0", "rawPath": "/",
			"requestContext": {"domainName": "example.org", "http": {"method": "GET", "path": "/"}}}`, "example.org"},
	} {
		out, err := h.Invoke(t.Context(), []byte(tc.event))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var res struct{ StatusCode int }
		if json.Unmarshal(out, &res) != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: got %s, want a 200", tc.name, out)
		}
		if host != tc.want || len(headerHost) != 0 {
			t.Errorf("%s: r.Host %q with Host headers %q, want %q and none left among the headers", tc.name, host, headerHost, tc.want)
		}
	}
}
