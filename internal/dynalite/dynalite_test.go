package dynalite_test

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"tinyboard/internal/dynalite"
)

func TestStartServesThenStops(t *testing.T) {
	var endpoint string
	t.Run("running", func(t *testing.T) {
		endpoint = dynalite.Start(t)
		if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
			t.Errorf("endpoint = %q, want one on 127.0.0.1", endpoint)
		}
		req, err := http.NewRequest("POST", endpoint, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
		req.Header.Set("X-Amz-Date", "20260101T000000Z")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("ListTables answered %s, want 200 OK", resp.Status)
		}
	})
	if endpoint == "" {
		return // skipped
	}
	addr := strings.TrimPrefix(endpoint, "http://")
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("dynalite still accepts connections on %s after its test ended, want it stopped", addr)
	}
}
