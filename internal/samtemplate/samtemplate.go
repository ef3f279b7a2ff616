// Package samtemplate reads tinyboard's AWS SAM template (template.yaml),
// so tests can hold the template to what the code does: the routes, the
// table's schema, each function's environment and permissions.
package samtemplate

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is a parsed SAM template. Short-form intrinsic functions are
// read as their long forms: "!Ref X" is {"Ref": "X"}, "!GetAtt A.B" is
// {"Fn::GetAtt": ["A", "B"]}, "!Sub s" is {"Fn::Sub": "s"}.
type Template struct {
	Transform string              `yaml:"Transform"`
	Globals   map[string]any      `yaml:"Globals"`
	Resources map[string]Resource `yaml:"Resources"`
	Outputs   map[string]any      `yaml:"Outputs"`
	Params    map[string]any      `yaml:"Parameters"`
}

// Resource is one entry of Resources.
type Resource struct {
	Type                string         `yaml:"Type"`
	DeletionPolicy      string         `yaml:"DeletionPolicy"`
	UpdateReplacePolicy string         `yaml:"UpdateReplacePolicy"`
	Metadata            map[string]any `yaml:"Metadata"`
	Properties          map[string]any `yaml:"Properties"`
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse parses a template.
func Parse(data []byte) (*Template, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	longForm(&root)
	var t Template
	if err := root.Decode(&t); err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	return &t, nil
}

// longForm rewrites every node tagged with a short-form intrinsic function
// ("!Ref", "!GetAtt", …) into the mapping CloudFormation's long form uses.
func longForm(n *yaml.Node) {
	for _, c := range n.Content {
		longForm(c)
	}
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return
	}
	name := strings.TrimPrefix(n.Tag, "!")
	key := "Fn::" + name
	if name == "Ref" || name == "Condition" {
		key = name
	}
	value := *n
	value.Tag = ""
	if name == "GetAtt" && value.Kind == yaml.ScalarNode {
		resource, attr, _ := strings.Cut(value.Value, ".")
		value = yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: resource},
			{Kind: yaml.ScalarNode, Value: attr},
		}}
	}
	*n = yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: key},
		&value,
	}}
}

// Functions returns the names of the template's AWS::Serverless::Function
// resources, sorted.
func (t *Template) Functions() []string {
	var names []string
	for name, r := range t.Resources {
		if r.Type == "AWS::Serverless::Function" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Environment returns the names of the environment variables the template
// sets for a function, sorted.
func (t *Template) Environment(function string) []string {
	env, _ := t.Resources[function].Properties["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	var names []string
	for name := range vars {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Actions returns every IAM action that a function's inline policy
// statements allow, sorted, with the resources they apply to.
func (t *Template) Actions(function string) (actions []string, resources []any) {
	policies, _ := t.Resources[function].Properties["Policies"].([]any)
	for _, p := range policies {
		doc, _ := p.(map[string]any)
		statements, _ := doc["Statement"].([]any)
		for _, s := range statements {
			st, _ := s.(map[string]any)
			if st["Effect"] != "Allow" {
				continue
			}
			for _, a := range list(st["Action"]) {
				actions = append(actions, fmt.Sprint(a))
			}
			resources = append(resources, list(st["Resource"])...)
		}
	}
	slices.Sort(actions)
	return slices.Compact(actions), resources
}

// list returns v as a list: a lone value becomes a list of one.
func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}
