package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// getWithHost sends GET target to addr with the Host header host, as a
// browser does for a page whose name resolves to addr.
func getWithHost(tb testing.TB, addr, target, host string) (int, string) {
	tb.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		tb.Fatalf("GET %s (Host %s): %v", target, host, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// TestLoopbackServerRefusesOtherHosts checks the defence against DNS
// rebinding: on a loopback address localdev answers only Host values
// that name loopback, and refuses others with 421 and a sentence saying
// why and what to do; on 0.0.0.0 it serves every Host.
func TestLoopbackServerRefusesOtherHosts(t *testing.T) {
	s := start(t, nil) // 127.0.0.1:0
	addr := strings.TrimSuffix(strings.TrimPrefix(s.URL, "http://"), "/")
	_, port, _ := net.SplitHostPort(addr)
	for _, host := range []string{"localhost:" + port, "127.0.0.1:" + port, "LOCALHOST:" + port, "[::1]:" + port, "localhost", "127.0.0.2:" + port} {
		for _, target := range []string{"/board", "/"} {
			if code, body := getWithHost(t, addr, target, host); code != http.StatusOK {
				t.Errorf("GET %s with Host %s: %d, want 200\n%s", target, host, code, body)
			}
		}
	}
	for _, host := range []string{"attacker.example:" + port, "attacker.example", "127.0.0.1.nip.io:" + port, "localhost.attacker.example:" + port, "0.0.0.0:" + port} {
		for _, target := range []string{"/board", "/", "/request"} {
			code, body := getWithHost(t, addr, target, host)
			if code != http.StatusMisdirectedRequest {
				t.Errorf("GET %s with Host %s: %d, want 421\n%s", target, host, code, body)
				continue
			}
			for _, want := range []string{"localhost", "127.0.0.1", "-addr 0.0.0.0"} {
				if !strings.Contains(body, want) {
					t.Errorf("GET %s with Host %s: %q, want a sentence naming %q", target, host, body, want)
				}
			}
		}
	}

}

// TestOnlyLoopbackListenersCheckHosts checks which listen addresses get
// the Host check: loopback ones; -addr 0.0.0.0:8080 or a LAN address
// serves every Host. (Tests listen on loopback only, so this one looks at
// the decision rather than at a server.)
func TestOnlyLoopbackListenersCheckHosts(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080":   true,
		"[::1]:8080":       true,
		"127.0.0.2:8080":   true,
		"0.0.0.0:8080":     false,
		"[::]:8080":        false,
		"192.168.1.5:8080": false,
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := checksHosts(tcp); got != want {
			t.Errorf("listening on %s: checks Host %v, want %v", addr, got, want)
		}
	}
}
