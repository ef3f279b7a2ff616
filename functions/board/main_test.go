package main

import (
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"

	"tinyboard/internal/samtemplate"
)

// recordingEnv is an environment that remembers which variables were read.
type recordingEnv struct {
	mu     sync.Mutex
	values map[string]string
	read   map[string]bool
}

func (e *recordingEnv) getenv(name string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.read[name] = true
	return e.values[name]
}

func TestTemplateSetsExactlyTheEnvironmentTheBoardReads(t *testing.T) {
	env := &recordingEnv{values: map[string]string{"BOARD_TABLE": "tinyboard"}, read: map[string]bool{}}
	if _, err := newHandler(t.Context(), env.getenv, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	read := slices.Sorted(maps.Keys(env.read))
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if set := tpl.Environment("BoardFunction"); !slices.Equal(set, read) {
		t.Errorf("template.yaml sets %q for BoardFunction, want exactly what the board reads: %q", set, read)
	}
}

func TestBoardNeedsATable(t *testing.T) {
	if _, err := newHandler(t.Context(), func(string) string { return "" }, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("newHandler without BOARD_TABLE succeeded, want an error naming BOARD_TABLE")
	}
}
