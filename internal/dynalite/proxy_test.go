package dynalite_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"tinyboard/internal/dynalite"
)

// answering starts a server that answers every request with body.
func answering(tb testing.TB, body string) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func TestProxyFailsOnCue(t *testing.T) {
	first, second := answering(t, "first"), answering(t, "second")
	client := &http.Client{
		Timeout: 500 * time.Millisecond,
		// A new connection each time, as if after the proxy dropped them.
		Transport: &http.Transport{DisableKeepAlives: true},
	}
	get := func(t *testing.T, px *dynalite.Proxy) (string, error) {
		t.Helper()
		res, err := client.Get(px.URL())
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return string(b), err
	}
	answers := func(t *testing.T, px *dynalite.Proxy, want string) {
		t.Helper()
		if got, err := get(t, px); got != want || err != nil {
			t.Errorf("GET through the proxy: got %q, %v; want %q, nil", got, err, want)
		}
	}

	var addr string
	t.Run("cues", func(t *testing.T) {
		px := dynalite.NewProxy(t, first.URL)
		addr = px.Addr()
		answers(t, px, "first")

		px.Down()
		if _, err := get(t, px); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("GET while down: got %v, want connection refused", err)
		}

		px.Silent(t)
		if _, err := get(t, px); !isTimeout(err) {
			t.Errorf("GET while silent: got %v, want a timeout", err)
		}

		px.SendTo(t, second.Listener.Addr().String())
		answers(t, px, "second")

		px.Down()
		px.Healthy(t) // reopens the port
		answers(t, px, "first")
	})
	if addr == "" {
		return
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("the proxy still accepts connections on %s after its test ended, want it stopped", addr)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
