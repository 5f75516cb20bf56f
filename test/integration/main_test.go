package integration

import (
	"fmt"
	"os"
	"testing"

	"github.com/iphelper/iphelper/test/lab"
)

// build is what TestMain learned before the scenarios run; it is written once,
// before m.Run, and only read afterwards.
var build struct {
	relay    lab.RelayKind
	relayErr error
	bin      string // the iphelper binary, when relay is lab.Iphelper
	binErr   error
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	build.relay, build.relayErr = lab.RelayKindFromEnv()
	if os.Geteuid() == 0 {
		if err := lab.RemoveStale(func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }); err != nil {
			fmt.Fprintf(os.Stderr, "removing stale lab namespaces: %v\n", err)
		}
	}
	if build.relayErr == nil && build.relay == lab.Iphelper {
		dir, err := os.MkdirTemp("", "iphelper-integration-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "%v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		build.bin, build.binErr = lab.BuildIphelper(dir)
	}
	return m.Run()
}
