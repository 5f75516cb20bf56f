package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/iphelper/iphelper/test/lab"
)

// build is what TestMain learned; written once before m.Run.
var build struct {
	relay    lab.RelayKind
	relayErr error
	bin      string // the iphelper binary
	binErr   error
}

// TestMain builds iphelper once (IPHELPER_BIN names a binary to use
// instead) and removes stale lab namespaces.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	build.relay, build.relayErr = lab.RelayKindFromEnv()
	if os.Geteuid() != 0 {
		return m.Run() // the tests skip (or fail in CI) on their own
	}
	if err := lab.RemoveStale(func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }); err != nil {
		fmt.Fprintf(os.Stderr, "removing stale lab namespaces: %v\n", err)
	}
	if build.relayErr != nil || build.relay != lab.Iphelper {
		return m.Run()
	}
	if bin := os.Getenv("IPHELPER_BIN"); bin != "" {
		build.bin = bin
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "iphelper-bench-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	build.bin, build.binErr = lab.BuildIphelper(dir)
	return m.Run()
}
