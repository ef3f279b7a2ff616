// Tests that hold template.yaml, the Makefile and the README to what the
// code does. None of them can deploy (that needs AWS and Docker); they
// check everything short of that.
package tinyboard_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"tinyboard/internal/memstore"
	"tinyboard/internal/samtemplate"
	"tinyboard/internal/testenv"
	"tinyboard/internal/web"
)

func loadTemplate(tb testing.TB) *samtemplate.Template {
	tb.Helper()
	tpl, err := samtemplate.Load("template.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return tpl
}

func TestTemplateLintsClean(t *testing.T) {
	lint := testenv.LookPath(t, "cfn-lint", "it checks template.yaml")
	out, err := exec.Command(lint, "--", "template.yaml").CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("cfn-lint template.yaml: %v\n%s\nwant no errors and no warnings", err, out)
	}
}

// transformScript turns the SAM template into plain CloudFormation offline,
// with the aws-sam-translator that cfn-lint uses, and prints it as JSON.
const transformScript = `
import json, sys
from cfnlint.decode import decode
from cfnlint.template.transforms._sam import Transform
tpl, problems = decode(sys.argv[1])
if problems:
    sys.exit("decode: " + "; ".join(str(p) for p in problems))
t = Transform(sys.argv[1], tpl, "us-east-1")
problems = t.transform_template()
if problems:
    sys.exit("transform: " + "; ".join(str(p) for p in problems))
print(json.dumps(t._template, default=str))
`

// cloudFormation is the part of the transformed template the tests read.
type cloudFormation struct {
	Resources map[string]struct {
		Type       string
		Properties json.RawMessage
	}
}

func transform(tb testing.TB) cloudFormation {
	tb.Helper()
	python := testenv.LookPath(tb, "python3", "it runs the SAM transform")
	cmd := exec.Command(python, "-c", transformScript, "template.yaml")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "No module named") {
			tb.Log(stderr.String())
			testenv.Missing(tb, "cfn-lint's Python modules are not installed (the SAM transform needs them)", testenv.InstallCfnLint)
		}
		tb.Fatalf("SAM transform failed: %v\n%s", err, stderr.String())
	}
	var cf cloudFormation
	if err := json.Unmarshal(out, &cf); err != nil {
		tb.Fatalf("read transformed template: %v", err)
	}
	return cf
}

// routes reads the HTTP API's routes from the transformed template: the
// OpenAPI path ("$default" included) and method ("ANY" for any) of each,
// and the function its integration invokes.
func routes(tb testing.TB, cf cloudFormation) map[[2]string]string {
	tb.Helper()
	var api struct {
		Body struct {
			Paths map[string]map[string]struct {
				Integration struct {
					URI struct {
						Sub string `json:"Fn::Sub"`
					} `json:"uri"`
					PayloadFormatVersion string `json:"payloadFormatVersion"`
				} `json:"x-amazon-apigateway-integration"`
			} `json:"paths"`
		}
	}
	var found bool
	for _, r := range cf.Resources {
		if r.Type == "AWS::ApiGatewayV2::Api" {
			if found {
				tb.Fatal("the template has two HTTP APIs, want one")
			}
			found = true
			if err := json.Unmarshal(r.Properties, &api); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if !found {
		tb.Fatal("the transformed template has no AWS::ApiGatewayV2::Api")
	}
	fn := regexp.MustCompile(`functions/\$\{(\w+)\.Arn\}/invocations`)
	out := make(map[[2]string]string)
	for path, methods := range api.Body.Paths {
		for method, op := range methods {
			m := fn.FindStringSubmatch(op.Integration.URI.Sub)
			if m == nil {
				tb.Fatalf("route %s %s does not invoke a function of the template: %q", method, path, op.Integration.URI.Sub)
			}
			if op.Integration.PayloadFormatVersion != "2.0" {
				tb.Errorf("route %s %s uses payload %q, want 2.0", method, path, op.Integration.PayloadFormatVersion)
			}
			method = strings.ToUpper(strings.TrimPrefix(method, "x-amazon-apigateway-any-method"))
			if method == "" {
				method = "ANY"
			}
			out[[2]string{path, method}] = m[1]
		}
	}
	return out
}

// route picks the function an HTTP API invokes for a request: a route for
// the exact path and method, else one for the path and any method, else
// $default.
func route(routes map[[2]string]string, method, path string) string {
	for _, key := range [][2]string{{path, method}, {path, "ANY"}, {"$default", "ANY"}} {
		if fn, ok := routes[key]; ok {
			return fn
		}
	}
	return ""
}

func TestEveryRouteReachesTheFunctionThatServesIt(t *testing.T) {
	rt := routes(t, transform(t))
	boardHandler, err := web.NewBoard(web.BoardConfig{Store: memstore.New()})
	if err != nil {
		t.Fatal(err)
	}
	pagesHandler, err := web.NewPages(nil)
	if err != nil {
		t.Fatal(err)
	}
	functions := map[string]http.Handler{"BoardFunction": boardHandler, "StaticFunction": pagesHandler}
	requests := []struct{ method, path, body string }{
		{"GET", "/", ""}, {"HEAD", "/", ""}, {"GET", "/index.html", ""}, {"GET", "/page.html", ""},
		{"GET", "/style.css", ""}, {"GET", "/logo.png", ""}, {"GET", "/favicon.ico", ""},
		{"GET", "/hello", ""}, {"GET", "/request", ""}, {"HEAD", "/hello", ""},
		{"GET", "/board", ""}, {"HEAD", "/board", ""}, {"POST", "/board", "message=hello"},
	}
	for _, r := range requests {
		name := route(rt, r.method, r.path)
		h, ok := functions[name]
		if !ok {
			t.Errorf("%s %s is routed to %q, want BoardFunction or StaticFunction", r.method, r.path, name)
			continue
		}
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
		if r.body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 400 {
			t.Errorf("%s %s goes to %s, which answers %d; want the function that serves it", r.method, r.path, name, rec.Code)
		}
	}
	for key, name := range rt {
		if key[0] == "$default" {
			continue
		}
		rec := httptest.NewRecorder()
		functions[name].ServeHTTP(rec, httptest.NewRequest("GET", key[0], nil))
		if rec.Code == http.StatusNotFound {
			t.Errorf("route %s %s goes to %s, which answers 404 there", key[1], key[0], name)
		}
	}
	if len(rt) != 2 {
		t.Errorf("the API has routes %v, want exactly ANY /board and $default", rt)
	}
}

func TestFunctionsAreBuiltAndRunAsDesigned(t *testing.T) {
	tpl := loadTemplate(t)
	global := tpl.Globals["Function"].(map[string]any)
	want := map[string]any{"Runtime": "provided.al2023", "Architectures": []any{map[string]any{"Ref": "Architecture"}}, "Handler": "bootstrap", "CodeUri": "."}
	if arch, _ := tpl.Params["Architecture"].(map[string]any); arch["Default"] != "arm64" {
		t.Errorf("Architecture parameter = %v, want the deployed default arm64", arch)
	}
	for _, name := range tpl.Functions() {
		props := tpl.Resources[name].Properties
		for key, value := range want {
			got, ok := props[key]
			if !ok {
				got = global[key]
			}
			if !equalJSON(got, value) {
				t.Errorf("%s.%s = %v, want %v", name, key, got, value)
			}
		}
		if bm := tpl.Resources[name].Metadata["BuildMethod"]; bm != "makefile" {
			t.Errorf("%s Metadata.BuildMethod = %v, want makefile", name, bm)
		}
		if _, err := os.Stat(filepath.Join("functions", strings.ToLower(strings.TrimSuffix(name, "Function")), "main.go")); err != nil {
			t.Errorf("%s has no main package under functions/: %v", name, err)
		}
		logging, _ := props["LoggingConfig"].(map[string]any)
		group, _ := logging["LogGroup"].(map[string]any)
		ref, _ := group["Ref"].(string)
		if days := tpl.Resources[ref].Properties["RetentionInDays"]; ref == "" || days == nil {
			t.Errorf("%s logs to %q, want a log group of the template with a retention", name, ref)
		}
	}
}

func TestPublicURLIsThrottled(t *testing.T) {
	tpl := loadTemplate(t)
	api := tpl.Resources["HttpApi"]
	settings, _ := api.Properties["DefaultRouteSettings"].(map[string]any)
	if settings["ThrottlingRateLimit"] == nil || settings["ThrottlingBurstLimit"] == nil {
		t.Errorf("HttpApi DefaultRouteSettings = %v, want a rate and a burst limit", settings)
	}
	param, _ := tpl.Params["ClearToken"].(map[string]any)
	if param["NoEcho"] != true {
		t.Errorf("ClearToken parameter = %v, want NoEcho: true", param)
	}
	if actions, _ := tpl.Actions("StaticFunction"); len(actions) != 0 {
		t.Errorf("StaticFunction may %q, want nothing beyond logs", actions)
	}
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func TestReadmeMakeTargetsExist(t *testing.T) {
	makePath := testenv.LookPath(t, "make", "the README's commands use it")
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, m := range regexp.MustCompile(`(?m)\bmake ([a-z][a-zA-Z-]*)`).FindAllStringSubmatch(string(readme), -1) {
		targets = append(targets, m[1])
	}
	slices.Sort(targets)
	targets = slices.Compact(targets)
	for _, want := range []string{"run", "test", "bench"} {
		if !slices.Contains(targets, want) {
			t.Errorf("README never shows make %s", want)
		}
	}
	for _, target := range targets {
		if out, err := exec.Command(makePath, "-n", target).CombinedOutput(); err != nil {
			t.Errorf("README names make %s, but the Makefile has no such target: %v\n%s", target, err, out)
		}
	}
}

func TestSamBuildTargetLeavesABootstrap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Lambda binary; skipped with -short")
	}
	makePath := testenv.LookPath(t, "make", "SAM's makefile build runs it")
	for _, target := range []string{"build-BoardFunction", "build-StaticFunction", "build-PurgeFunction"} {
		dir := t.TempDir()
		out, err := exec.Command(makePath, target, "ARTIFACTS_DIR="+dir).CombinedOutput()
		if err != nil {
			t.Fatalf("make %s: %v\n%s", target, err, out)
		}
		info, err := os.Stat(filepath.Join(dir, "bootstrap"))
		if err != nil || info.Mode()&0o111 == 0 {
			t.Errorf("make %s left no executable bootstrap in ARTIFACTS_DIR (%v)", target, err)
		}
	}
}

func TestSamLocalEnvFileSetsOnlyWhatTheTemplateDeclares(t *testing.T) {
	tpl := loadTemplate(t)
	data, err := os.ReadFile("infra/env.json")
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]map[string]string
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatalf("infra/env.json: %v", err)
	}
	if _, ok := env["BoardFunction"]["DYNAMODB_ENDPOINT"]; !ok {
		t.Error("infra/env.json does not point BoardFunction at a local DynamoDB (DYNAMODB_ENDPOINT)")
	}
	for fn, vars := range env {
		declared := tpl.Environment(fn)
		if len(declared) == 0 {
			t.Errorf("infra/env.json sets variables for %s, which the template gives none", fn)
		}
		for name := range vars {
			// sam local only overrides variables the template declares.
			if !slices.Contains(declared, name) {
				t.Errorf("infra/env.json sets %s for %s, which template.yaml does not declare, so sam local would ignore it", name, fn)
			}
		}
	}
}
