package web

import (
	"fmt"
	"strconv"
	"time"

	"tinyboard/internal/board"
)

// ConfigFromEnv reads the board's settings from the environment, as
// localdev and the board function both do: CLEAR_TOKEN, PAGE_SIZE (1 to
// board.MaxPageSize) and MESSAGE_MAX_CHARS (1 to board.MaxMessageChars).
// The store and logger are left for the caller.
func ConfigFromEnv(getenv func(string) string) (BoardConfig, error) {
	cfg := BoardConfig{ClearToken: getenv("CLEAR_TOKEN")}
	var err error
	if cfg.PageSize, err = intFromEnv(getenv, "PAGE_SIZE", 1, board.MaxPageSize); err != nil {
		return cfg, err
	}
	if cfg.MaxChars, err = intFromEnv(getenv, "MESSAGE_MAX_CHARS", 1, board.MaxMessageChars); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// RetentionFromEnv reads MESSAGE_RETENTION_DAYS (0 to
// board.MaxRetentionDays), how long a store keeps a message after it was
// posted: unset or 0 keeps messages until they are cleared.
func RetentionFromEnv(getenv func(string) string) (time.Duration, error) {
	days, err := intFromEnv(getenv, "MESSAGE_RETENTION_DAYS", 0, board.MaxRetentionDays)
	return time.Duration(days) * 24 * time.Hour, err
}

// intFromEnv reads the whole number name from the environment, 0 when it
// is unset, and checks it is within lo and hi.
func intFromEnv(getenv func(string) string, name string, lo, hi int) (int, error) {
	v := getenv(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s=%q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}
