package web

import (
	"fmt"
	"strconv"
)

// ConfigFromEnv reads the board's settings from the environment, as
// localdev and the board function both do: CLEAR_TOKEN, PAGE_SIZE and
// MESSAGE_MAX_CHARS. The store and logger are left for the caller.
func ConfigFromEnv(getenv func(string) string) (BoardConfig, error) {
	cfg := BoardConfig{ClearToken: getenv("CLEAR_TOKEN")}
	for _, setting := range []struct {
		name string
		dst  *int
	}{{"PAGE_SIZE", &cfg.PageSize}, {"MESSAGE_MAX_CHARS", &cfg.MaxChars}} {
		v := getenv(setting.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return cfg, fmt.Errorf("%s=%q: want a whole number from 1 to 100000", setting.name, v)
		}
		*setting.dst = n
	}
	return cfg, nil
}
