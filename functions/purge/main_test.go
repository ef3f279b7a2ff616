package main

import (
	"maps"
	"slices"
	"testing"

	"tinyboard/internal/lambdaenv"
	"tinyboard/internal/samtemplate"
)

func TestTemplateSetsExactlyTheEnvironmentThePurgeReads(t *testing.T) {
	read := map[string]bool{}
	env := map[string]string{"BOARD_TABLE": "tinyboard", lambdaenv.RegionVar: "eu-west-1", lambdaenv.AccessKeyVar: "ASIAEXAMPLE", lambdaenv.SecretKeyVar: "secret"}
	getenv := func(name string) string {
		read[name] = true
		return env[name]
	}
	if _, err := lambdaenv.OpenStore(getenv, 0); err != nil {
		t.Fatal(err)
	}
	// Lambda sets the SDK's variables, not the template.
	for _, name := range lambdaenv.SDKVars {
		delete(read, name)
	}
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if set, want := tpl.Environment("PurgeFunction"), slices.Sorted(maps.Keys(read)); !slices.Equal(set, want) {
		t.Errorf("template.yaml sets %q for PurgeFunction, want exactly what the purge reads: %q", set, want)
	}
}
