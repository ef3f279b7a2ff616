package main

import (
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"tinyboard/internal/lambdaenv"
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
	env := &recordingEnv{values: lambdaEnv("BOARD_TABLE", "tinyboard"), read: map[string]bool{}}
	if _, err := newHandler(env.getenv, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	// Lambda sets the SDK's variables, not the template.
	for _, name := range lambdaenv.SDKVars {
		delete(env.read, name)
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
	env := lambdaEnv()
	_, err := newHandler(func(name string) string { return env[name] }, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "BOARD_TABLE") {
		t.Errorf("newHandler without BOARD_TABLE: got %v, want an error naming BOARD_TABLE", err)
	}
}

func TestBoardNeedsLambdasCredentials(t *testing.T) {
	for _, name := range []string{lambdaenv.RegionVar, lambdaenv.AccessKeyVar, lambdaenv.SecretKeyVar} {
		env := lambdaEnv("BOARD_TABLE", "tinyboard")
		delete(env, name)
		_, err := newHandler(func(name string) string { return env[name] }, slog.New(slog.DiscardHandler))
		if err == nil || !strings.Contains(err.Error(), name+" is not set") || !strings.Contains(err.Error(), "Lambda sets") {
			t.Errorf("newHandler without %s: got %v, want an error naming %s and saying Lambda sets it", name, err, name)
		}
	}
}

// lambdaEnv is what Lambda sets for a function, with extra name, value
// pairs.
func lambdaEnv(extra ...string) map[string]string {
	env := map[string]string{
		lambdaenv.RegionVar:       "eu-west-1",
		lambdaenv.AccessKeyVar:    "ASIAEXAMPLE",
		lambdaenv.SecretKeyVar:    "secret",
		lambdaenv.SessionTokenVar: "token",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}
