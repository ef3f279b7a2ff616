package main

import (
	"maps"
	"slices"
	"testing"

	"tinyboard/internal/samtemplate"
)

func TestTemplateSetsExactlyTheEnvironmentThePurgeReads(t *testing.T) {
	read := map[string]bool{}
	getenv := func(name string) string {
		read[name] = true
		if name == "BOARD_TABLE" {
			return "tinyboard"
		}
		return ""
	}
	if _, err := newStore(t.Context(), getenv); err != nil {
		t.Fatal(err)
	}
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if set, want := tpl.Environment("PurgeFunction"), slices.Sorted(maps.Keys(read)); !slices.Equal(set, want) {
		t.Errorf("template.yaml sets %q for PurgeFunction, want exactly what the purge reads: %q", set, want)
	}
}
