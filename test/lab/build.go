package lab

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// buildTimeout bounds one build of the iphelper binary.
const buildTimeout = 5 * time.Minute

// BuildIphelper builds ./cmd/iphelper of the module that contains the current
// directory into dir and returns the binary's path. Call it once per test binary
// (TestMain) and hand the path to the scenarios.
func BuildIphelper(dir string) (string, error) {
	return buildCommand(dir, "./cmd/iphelper", "iphelper")
}

// BuildEtcdMember builds ./test/etcdmember, the etcd member the shared
// lease store's scenarios run in each node (Cluster.StartEtcd), into dir.
func BuildEtcdMember(dir string) (string, error) {
	return buildCommand(dir, "./test/etcdmember", "etcdmember")
}

// buildCommand builds the package pkg of the module into dir/name.
func buildCommand(dir, pkg, name string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("failed to find the module root (go env GOMOD): %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == "/dev/null" {
		return "", fmt.Errorf("failed to find the module root: not inside a module")
	}
	bin := filepath.Join(dir, name)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("failed to build %s (go build %s in %s): %w\n%s", name, pkg, cmd.Dir, err, out)
	}
	return bin, nil
}
