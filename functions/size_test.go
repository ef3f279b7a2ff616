package functions_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tinyboard/internal/testenv"
)

// maxBoardBootstrap is the most the board's arm64 bootstrap may weigh:
// every byte of it is loaded at each cold start.
const maxBoardBootstrap = 10 << 20

// TestBoardBootstrapSize builds the board's bootstrap for linux/arm64,
// the deployed platform, with the Makefile's own target (the one sam
// build calls), and holds it to 10 MiB.
func TestBoardBootstrapSize(t *testing.T) {
	makePath := testenv.LookPath(t, "make", "the size test builds with the Makefile's own target")
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cmd := exec.Command(makePath, "-s", "build-BoardFunction", "ARTIFACTS_DIR="+out, "GOARCH=arm64")
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make build-BoardFunction: %v\n%s", err, msg)
	}
	info, err := os.Stat(filepath.Join(out, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() > maxBoardBootstrap {
		t.Errorf("board bootstrap for arm64: got %d bytes (%.2f MiB), want at most 10 MiB", info.Size(), float64(info.Size())/(1<<20))
	}
	t.Logf("board bootstrap for arm64: %d bytes (%.2f MiB)", info.Size(), float64(info.Size())/(1<<20))
}

// TestBoardLeavesOutSDKConfigLoader holds the board function to the SDK
// configuration it builds from Lambda's environment: the SDK's loader,
// with its credential chain, must not be linked in.
func TestBoardLeavesOutSDKConfigLoader(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", boardPkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", boardPkg, err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "github.com/aws/aws-sdk-go-v2/config",
			strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2/service/sso"),
			strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2/service/sts"),
			strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2/feature/ec2/imds"):
			t.Errorf("the board function imports %s: build its SDK configuration from Lambda's environment (internal/lambdaenv), not with config.LoadDefaultConfig", pkg)
		}
	}
}
