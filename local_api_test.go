package tinyboard_test

// Tests of how `make local-api` runs sam local, short of running it (that
// needs the SAM CLI and Docker): the commands it would give sam on each
// kind of host, the bootstraps those commands would build, and the
// sam local settings in samconfig.toml.

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/BurntSushi/toml"

	"tinyboard/internal/testenv"
)

// makeDryRun returns the commands `make -n target vars...` would run, one
// per line, with continued lines joined.
func makeDryRun(tb testing.TB, target string, vars ...string) []string {
	tb.Helper()
	makePath := testenv.LookPath(tb, "make", "make local-api is what these tests read")
	cmd := exec.Command(makePath, append([]string{"-n", "--no-print-directory", target}, vars...)...)
	cmd.Env = plainEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("make -n %s %s: %v\n%s", target, strings.Join(vars, " "), err, out)
	}
	joined := strings.ReplaceAll(string(out), "\\\n", " ")
	var lines []string
	for line := range strings.SplitSeq(joined, "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// plainEnv is the test's environment without what an outer make (make
// test) passes down to the makes these tests run, and without names.
func plainEnv(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(append(names, "MAKEFLAGS", "MFLAGS", "MAKELEVEL"), name) {
			env = append(env, kv)
		}
	}
	return env
}

var (
	elfMu     sync.Mutex
	elfBuilds = map[string]elf.Machine{}
)

// bootstrapMachine builds the board's bootstrap with `make
// build-BoardFunction`, the target sam build calls, in an environment
// holding env (sam build hands its own environment to make), and returns
// the ELF machine the bootstrap is for.
func bootstrapMachine(tb testing.TB, env ...string) elf.Machine {
	tb.Helper()
	key := strings.Join(env, " ")
	elfMu.Lock()
	defer elfMu.Unlock()
	if m, ok := elfBuilds[key]; ok {
		return m
	}
	dir := tb.TempDir()
	cmd := exec.Command("make", "build-BoardFunction", "ARTIFACTS_DIR="+dir)
	cmd.Env = append(plainEnv("GOARCH"), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("make build-BoardFunction with %q: %v\n%s", env, err, out)
	}
	f, err := elf.Open(filepath.Join(dir, "bootstrap"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	elfBuilds[key] = f.Machine
	return f.Machine
}

func TestLocalAPIRunsTheHostsArchitecture(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Lambda binaries; skipped with -short")
	}
	tpl := loadTemplate(t)
	param, _ := tpl.Params["Architecture"].(map[string]any)
	allowed, _ := param["AllowedValues"].([]any)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	hosts := []struct {
		uname   string // what uname -m says on the host
		arch    string // the Lambda architecture sam local must run
		goarch  string
		machine elf.Machine
	}{
		{"x86_64", "x86_64", "amd64", elf.EM_X86_64},  // Linux and Intel Macs
		{"amd64", "x86_64", "amd64", elf.EM_X86_64},   // the BSDs
		{"aarch64", "arm64", "arm64", elf.EM_AARCH64}, // Linux on arm64 (Graviton, Raspberry Pi)
		{"arm64", "arm64", "arm64", elf.EM_AARCH64},   // Apple silicon
	}
	for _, h := range hosts {
		t.Run(h.uname, func(t *testing.T) {
			cmds := makeDryRun(t, "local-api", "HOST_ARCH="+h.uname)
			wantBuild := "GOARCH=" + h.goarch + " sam build --build-dir .aws-sam/local --parameter-overrides Architecture=" + h.arch
			wantStart := "sam local start-api --template .aws-sam/local/template.yaml --config-file " +
				filepath.Join(wd, "samconfig.toml") + " --parameter-overrides Architecture=" + h.arch
			if !slices.Equal(cmds, []string{wantBuild, wantStart}) {
				t.Fatalf("make local-api on a %s host runs\n%s\nwant\n%s\n%s", h.uname, strings.Join(cmds, "\n"), wantBuild, wantStart)
			}
			if !slices.Contains(allowed, any(h.arch)) {
				t.Errorf("Architecture=%s is not among the template's AllowedValues %v", h.arch, allowed)
			}
			env, _, _ := strings.Cut(cmds[0], " sam build")
			if got := bootstrapMachine(t, strings.Fields(env)...); got != h.machine {
				t.Errorf("sam build on a %s host builds a bootstrap for %v, want %v", h.uname, got, h.machine)
			}
		})
	}

	t.Run("unknown host", func(t *testing.T) {
		out, err := exec.Command("make", "-n", "local-api", "HOST_ARCH=sparc64").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "sparc64") {
			t.Errorf("make local-api on a sparc64 host: got %v\n%s\nwant a failure naming sparc64", err, out)
		}
	})

	t.Run("deploy stays arm64", func(t *testing.T) {
		for _, cmd := range makeDryRun(t, "deploy") {
			if strings.Contains(cmd, "Architecture=") || strings.Contains(cmd, "GOARCH=") {
				t.Errorf("make deploy runs %q, want the template's default architecture", cmd)
			}
		}
		if param["Default"] != "arm64" {
			t.Errorf("Architecture defaults to %v, want arm64 for deploys", param["Default"])
		}
		if got := bootstrapMachine(t); got != elf.EM_AARCH64 {
			t.Errorf("sam build without settings builds a bootstrap for %v, want %v", got, elf.EM_AARCH64)
		}
	})
}

func TestSamconfigRunsLocalAPIWarm(t *testing.T) {
	var cfg struct {
		Default struct {
			LocalStartAPI struct {
				Parameters struct {
					EnvVars        string   `toml:"env_vars"`
					AddHost        []string `toml:"add_host"`
					WarmContainers string   `toml:"warm_containers"`
				} `toml:"parameters"`
			} `toml:"local_start_api"`
		} `toml:"default"`
	}
	md, err := toml.DecodeFile("samconfig.toml", &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		for _, key := range undecoded {
			if strings.HasPrefix(key.String(), "default.local_start_api") {
				t.Errorf("samconfig.toml sets %s, which this test does not know", key)
			}
		}
	}
	p := cfg.Default.LocalStartAPI.Parameters
	if p.WarmContainers != "EAGER" {
		t.Errorf("local_start_api warm_containers = %q, want EAGER: without it SAM starts a container per request", p.WarmContainers)
	}
	if _, err := os.Stat(p.EnvVars); err != nil {
		t.Errorf("local_start_api env_vars = %q: %v", p.EnvVars, err)
	}
	if !slices.Contains(p.AddHost, "host.docker.internal:host-gateway") {
		t.Errorf("local_start_api add_host = %q, want host.docker.internal:host-gateway, so Linux containers reach dynalite", p.AddHost)
	}
}
