package dynamostore_test

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"tinyboard/internal/board"
	"tinyboard/internal/dynalite"
	"tinyboard/internal/dynamostore"
	"tinyboard/internal/samtemplate"
)

func loadTemplate(tb testing.TB) *samtemplate.Template {
	tb.Helper()
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return tpl
}

// plain turns v into the JSON-shaped values a template holds, leaving out
// nulls, so SDK structs and template YAML can be compared.
func plain(tb testing.TB, v any) any {
	tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		tb.Fatal(err)
	}
	var prune func(any) any
	prune = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if e == nil {
					delete(v, k)
				} else {
					v[k] = prune(e)
				}
			}
		case []any:
			for i := range v {
				v[i] = prune(v[i])
			}
		}
		return v
	}
	return prune(out)
}

func TestTemplateDeclaresTheStoresTable(t *testing.T) {
	table := loadTemplate(t).Resources["BoardTable"]
	if table.Type != "AWS::DynamoDB::Table" {
		t.Fatalf("BoardTable is a %q, want AWS::DynamoDB::Table", table.Type)
	}
	def := dynamostore.TableDefinition("any")
	props := table.Properties
	for name, want := range map[string]any{
		"AttributeDefinitions":  def.AttributeDefinitions,
		"KeySchema":             def.KeySchema,
		"LocalSecondaryIndexes": def.LocalSecondaryIndexes,
		"BillingMode":           def.BillingMode,
		"TimeToLiveSpecification": map[string]any{
			"AttributeName": dynamostore.TTLAttribute, "Enabled": true,
		},
		"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
	} {
		if got, want := plain(t, props[name]), plain(t, want); !reflect.DeepEqual(got, want) {
			t.Errorf("BoardTable %s = %v, want %v (what dynamostore uses)", name, got, want)
		}
	}
	if table.DeletionPolicy != "Retain" || table.UpdateReplacePolicy != "Retain" {
		t.Errorf("BoardTable DeletionPolicy %q, UpdateReplacePolicy %q; want both Retain", table.DeletionPolicy, table.UpdateReplacePolicy)
	}
}

// TestRolesAllowExactlyWhatTheStoreCalls runs every operation the board
// and the purge perform against dynalite, records the DynamoDB API calls
// they make, and holds each function's role to exactly those.
func TestRolesAllowExactlyWhatTheStoreCalls(t *testing.T) {
	endpoint := dynalite.Start(t)
	m := newMeter()
	st := newStore(t, endpoint, dynamostore.Config{}, m.option)
	ctx := testCtx(t)

	used := func() []string {
		calls, _, _, _ := m.read()
		m.reset()
		var actions []string
		for op := range maps.Keys(calls) {
			actions = append(actions, "dynamodb:"+op)
		}
		slices.Sort(actions)
		return actions
	}
	m.reset()
	id := board.NewID(time.Now())
	for range 2 { // the second save is a retry of the first
		if _, err := st.Save(ctx, id, "hello"); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if _, err := st.Save(ctx, board.NewID(time.Now()), "more"); err != nil {
			t.Fatal(err)
		}
	}
	p, err := st.Page(ctx, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Page(ctx, p.Older, 2); err != nil {
		t.Fatal(err)
	}
	if err := st.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	boardUses := used()
	if _, err := st.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	purgeUses := used()

	tpl := loadTemplate(t)
	for fn, want := range map[string][]string{"BoardFunction": boardUses, "PurgeFunction": purgeUses} {
		got, resources := tpl.Actions(fn)
		if !slices.Equal(got, want) {
			t.Errorf("%s's role allows %q, want exactly the calls the store makes: %q", fn, got, want)
		}
		wantResources := []any{
			map[string]any{"Fn::GetAtt": []any{"BoardTable", "Arn"}},
			map[string]any{"Fn::Sub": "${BoardTable.Arn}/index/*"},
		}
		if !reflect.DeepEqual(resources, wantResources) {
			t.Errorf("%s's role applies to %v, want only the board table and its indexes %v", fn, resources, wantResources)
		}
	}
}
