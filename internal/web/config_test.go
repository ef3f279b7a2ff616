package web_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"tinyboard/internal/samtemplate"
	"tinyboard/internal/web"
)

// TestSettingsBoundsMatchTheTemplate holds template.yaml's parameters to
// the settings the code accepts: each parameter's MinValue and MaxValue are
// accepted from the environment, and one past either is refused, so a
// deployment can set nothing the board would refuse to start with, and
// the board accepts nothing a deployment cannot set.
func TestSettingsBoundsMatchTheTemplate(t *testing.T) {
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	read := func(env string, value int) error {
		getenv := func(name string) string {
			if name == env {
				return strconv.Itoa(value)
			}
			return ""
		}
		if env == "MESSAGE_RETENTION_DAYS" {
			_, err := web.RetentionFromEnv(getenv)
			return err
		}
		_, err := web.ConfigFromEnv(getenv)
		return err
	}
	for _, setting := range []struct{ param, env string }{
		{"PageSize", "PAGE_SIZE"},
		{"MessageMaxChars", "MESSAGE_MAX_CHARS"},
		{"MessageRetentionDays", "MESSAGE_RETENTION_DAYS"},
	} {
		t.Run(setting.env, func(t *testing.T) {
			param, ok := tpl.Params[setting.param].(map[string]any)
			if !ok {
				t.Fatalf("template.yaml has no parameter %s", setting.param)
			}
			lo, hi := bound(t, param, "MinValue"), bound(t, param, "MaxValue")
			for _, v := range []int{lo, hi, bound(t, param, "Default")} {
				if err := read(setting.env, v); err != nil {
					t.Errorf("%s=%d, allowed by the template's %s: %v, want it accepted", setting.env, v, setting.param, err)
				}
			}
			for _, v := range []int{lo - 1, hi + 1} {
				if err := read(setting.env, v); err == nil {
					t.Errorf("%s=%d, outside the template's %s (%d to %d): accepted, want an error", setting.env, v, setting.param, lo, hi)
				}
			}
		})
	}
}

// bound returns the whole number param[name] holds.
func bound(tb testing.TB, param map[string]any, name string) int {
	tb.Helper()
	n, err := strconv.Atoi(fmt.Sprint(param[name]))
	if err != nil {
		tb.Fatalf("parameter's %s = %v, want a whole number", name, param[name])
	}
	return n
}

func TestRetentionFromEnv(t *testing.T) {
	for _, tt := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 0, true},
		{"0", 0, true},
		{"30", 30 * 24 * time.Hour, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"a week", 0, false},
	} {
		got, err := web.RetentionFromEnv(func(name string) string {
			if name == "MESSAGE_RETENTION_DAYS" {
				return tt.value
			}
			return ""
		})
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("MESSAGE_RETENTION_DAYS=%q: got %v, %v; want %v and ok=%v", tt.value, got, err, tt.want, tt.ok)
		}
	}
}
