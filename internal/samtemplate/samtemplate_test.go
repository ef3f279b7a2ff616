package samtemplate_test

import (
	"reflect"
	"testing"

	"tinyboard/internal/samtemplate"
)

func TestParseReadsShortFormsAsLongForms(t *testing.T) {
	tpl, err := samtemplate.Parse([]byte(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          TABLE: !Ref Table
          URL: !Sub "https://${Api}/"
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:Query, dynamodb:GetItem]
              Resource: !GetAtt Table.Arn
            - Effect: Deny
              Action: dynamodb:Scan
              Resource: "*"
`))
	if err != nil {
		t.Fatal(err)
	}
	vars := tpl.Resources["Fn"].Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
	if got, want := vars["TABLE"], map[string]any{"Ref": "Table"}; !reflect.DeepEqual(got, want) {
		t.Errorf("!Ref Table read as %#v, want %#v", got, want)
	}
	if got, want := vars["URL"], map[string]any{"Fn::Sub": "https://${Api}/"}; !reflect.DeepEqual(got, want) {
		t.Errorf("!Sub read as %#v, want %#v", got, want)
	}
	if got, want := tpl.Environment("Fn"), []string{"TABLE", "URL"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Environment = %q, want %q", got, want)
	}
	actions, resources := tpl.Actions("Fn")
	if want := []string{"dynamodb:GetItem", "dynamodb:Query"}; !reflect.DeepEqual(actions, want) {
		t.Errorf("Actions = %q, want %q (Deny statements left out)", actions, want)
	}
	if want := []any{map[string]any{"Fn::GetAtt": []any{"Table", "Arn"}}}; !reflect.DeepEqual(resources, want) {
		t.Errorf("resources = %#v, want %#v", resources, want)
	}
	if got := tpl.Functions(); !reflect.DeepEqual(got, []string{"Fn"}) {
		t.Errorf("Functions = %q, want [Fn]", got)
	}
}
