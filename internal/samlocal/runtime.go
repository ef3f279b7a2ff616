package samlocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"tinyboard/internal/samtemplate"
)

// Mode is how a Runtime keeps its emulators, as SAM keeps its containers.
type Mode int

const (
	// PerRequest starts a fresh emulator for every invocation and stops it
	// after the answer: SAM's default, without --warm-containers.
	// (samcli/local/lambdafn/runtime.py, LambdaRuntime.invoke and _on_invoke_done)
	PerRequest Mode = iota
	// WarmLazy keeps one emulator per function, started at its first
	// invocation (--warm-containers LAZY).
	// (runtime.py, WarmLambdaRuntime)
	WarmLazy
	// WarmEager keeps one emulator per function, all started with the
	// Runtime (--warm-containers EAGER).
	WarmEager
)

// Function is one function of the template, built.
type Function struct {
	Bootstrap string
	Env       []string
}

// Runtime invokes the template's functions through emulators, in one of
// SAM's modes. It is an Invoker.
type Runtime struct {
	rie       string
	functions map[string]Function
	mode      Mode
	output    io.Writer

	mu   sync.Mutex
	warm map[string]*warm
}

// warm is a function's emulator in a warm mode. Its lock lets one
// invocation at a time through, as the container's semaphore does.
// (samcli/local/docker/container.py, Container.wait_for_http_response)
type warm struct {
	mu sync.Mutex
	em *Emulator
}

var _ Invoker = (*Runtime)(nil)

// NewRuntime returns a Runtime for functions, run by the aws-lambda-rie
// binary rie, writing every emulator's output to output. In WarmEager
// mode it starts every function's emulator before it returns.
func NewRuntime(ctx context.Context, rie string, functions map[string]Function, mode Mode, output io.Writer) (*Runtime, error) {
	if output == nil {
		output = io.Discard
	}
	r := &Runtime{rie: rie, functions: functions, mode: mode, output: output, warm: make(map[string]*warm)}
	if mode == WarmEager {
		for name := range functions {
			if _, err := r.emulator(ctx, name); err != nil {
				r.Close()
				return nil, err
			}
		}
	}
	return r, nil
}

func (r *Runtime) config(name string) (Config, error) {
	fn, ok := r.functions[name]
	if !ok {
		return Config{}, fmt.Errorf("samlocal: no function %q", name)
	}
	return Config{RIE: r.rie, Bootstrap: fn.Bootstrap, Env: fn.Env, Output: r.output}, nil
}

// emulator returns name's warm emulator, starting it if need be.
func (r *Runtime) emulator(ctx context.Context, name string) (*warm, error) {
	r.mu.Lock()
	w, ok := r.warm[name]
	if !ok {
		w = new(warm)
		r.warm[name] = w
	}
	r.mu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.em == nil {
		cfg, err := r.config(name)
		if err != nil {
			return nil, err
		}
		if w.em, err = Start(ctx, cfg); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Invoke invokes the function name with event.
func (r *Runtime) Invoke(ctx context.Context, name string, event []byte) ([]byte, error) {
	if r.mode == PerRequest {
		cfg, err := r.config(name)
		if err != nil {
			return nil, err
		}
		em, err := Start(ctx, cfg)
		if err != nil {
			return nil, err
		}
		defer em.Close()
		return em.Invoke(ctx, event)
	}
	w, err := r.emulator(ctx, name)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.em.Invoke(ctx, event)
}

// Close stops every warm emulator.
func (r *Runtime) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, w := range r.warm {
		w.mu.Lock()
		if w.em != nil {
			w.em.Close()
			w.em = nil
		}
		w.mu.Unlock()
	}
	return nil
}

var (
	rieOnce sync.Once
	riePath string
	rieErr  error
)

// Binary returns the path of aws-lambda-rie at the version go.mod pins
// as a tool, built (once, and cached by the go command) with `go tool -n`.
func Binary(tb testing.TB) string {
	tb.Helper()
	rieOnce.Do(func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			rieErr = fmt.Errorf("the go command is not on PATH: %w", err)
			return
		}
		out, err := exec.Command(goCmd, "tool", "-n", "aws-lambda-rie").Output()
		if err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				err = fmt.Errorf("%w: %s", err, exit.Stderr)
			}
			rieErr = fmt.Errorf("go tool -n aws-lambda-rie: %w", err)
			return
		}
		riePath = strings.TrimSpace(string(out))
	})
	if rieErr != nil {
		tb.Fatal(rieErr)
	}
	return riePath
}

// Routes returns the HTTP API routes the template's functions declare:
// an HttpApi event with a Path routes that path (any method: the
// template uses ANY), one without routes DefaultRoute.
// (samcli/lib/providers/api_collector.py and sam_api_provider.py read the
// same events.)
func Routes(tpl *samtemplate.Template) []Route {
	var routes []Route
	for _, fn := range tpl.Functions() {
		evs, _ := tpl.Resources[fn].Properties["Events"].(map[string]any)
		for _, ev := range evs {
			e, _ := ev.(map[string]any)
			if e["Type"] != "HttpApi" {
				continue
			}
			props, _ := e["Properties"].(map[string]any)
			path, _ := props["Path"].(string)
			if path == "" {
				path = DefaultRoute
			}
			routes = append(routes, Route{Path: path, Function: fn})
		}
	}
	slices.SortFunc(routes, func(a, b Route) int { return strings.Compare(a.Path, b.Path) })
	return routes
}

// imageEnv is what the provided.al2023 image sets before SAM adds its
// own: the bootstrap sees these too.
var imageEnv = []string{
	"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	"LANG=en_US.UTF-8",
	"TZ=:UTC",
	"LAMBDA_TASK_ROOT=/var/task",
	"LAMBDA_RUNTIME_DIR=/var/runtime",
}

// Env returns the environment SAM gives function's container: the
// image's, the AWS variables with SAM's placeholder credentials, then the
// variables the template declares for the function, each from overrides
// (the --env-vars file's entry for the function) when it is there, else
// from the template, where a Ref to a parameter is its default and any
// other intrinsic function is "".
// (samcli/local/lambdafn/env_vars.py, EnvironmentVariables.resolve,
// _get_aws_variables and _stringify_value)
func Env(tpl *samtemplate.Template, function string, overrides map[string]string) []string {
	props := tpl.Resources[function].Properties
	global, _ := tpl.Globals["Function"].(map[string]any)
	setting := func(key, def string) string {
		v, ok := props[key]
		if !ok {
			v, ok = global[key]
		}
		if !ok {
			return def
		}
		return stringify(tpl, v)
	}
	env := slices.Clone(imageEnv)
	env = append(env,
		"AWS_SAM_LOCAL=true",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+setting("MemorySize", "128"),
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+setting("Timeout", "3"),
		"AWS_LAMBDA_FUNCTION_HANDLER="+setting("Handler", ""),
		"AWS_LAMBDA_FUNCTION_NAME="+function,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME=aws/lambda/"+function,
		"AWS_LAMBDA_LOG_STREAM_NAME=$LATEST",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=defaultkey",
		"AWS_SECRET_ACCESS_KEY=defaultsecret",
		"AWS_ACCOUNT_ID=123456789012",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
	)
	for _, name := range tpl.Environment(function) {
		value, ok := overrides[name]
		if !ok {
			vars := props["Environment"].(map[string]any)["Variables"].(map[string]any)
			value = stringify(tpl, vars[name])
		}
		env = append(env, name+"="+value)
	}
	return env
}

// stringify turns a template value into an environment variable's value.
func stringify(tpl *samtemplate.Template, v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		if v {
			return "true"
		}
		return "false"
	case string:
		return v
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok && len(v) == 1 {
			if p, ok := tpl.Params[ref].(map[string]any); ok {
				return stringify(tpl, p["Default"])
			}
		}
		return ""
	case []any:
		return ""
	}
	return fmt.Sprint(v)
}
