package loadtest

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	for _, tc := range []struct {
		stat string
		want time.Duration
	}{
		// utime 23 and stime 78 ticks: 1.01 s.
		{"5771 (bash) S 5770 5771 5771 0 -1 4194560 14827 1672632 0 1071 23 78 14798 8380 20 0 1 0 88", 1010 * time.Millisecond},
		// A command name with spaces and a parenthesis.
		{"42 (my (odd) prog) R 1 42 42 0 -1 0 0 0 0 0 250 50 0 0 20 0 1 0 88", 3 * time.Second},
	} {
		got, err := parseStatCPU(tc.stat)
		if err != nil || got != tc.want {
			t.Errorf("parseStatCPU(%q) = %v, %v; want %v, nil", tc.stat, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "42 prog R 1", "42 (prog) R 1 2 3", "42 (prog) R 1 42 42 0 -1 0 0 0 0 0 x 50 0"} {
		if got, err := parseStatCPU(bad); err == nil {
			t.Errorf("parseStatCPU(%q) = %v, nil; want an error", bad, got)
		}
	}
	if _, err := processCPU(os.Getpid()); err != nil {
		t.Errorf("processCPU of this test: %v", err)
	}
}
