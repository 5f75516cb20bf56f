package deploy

import (
	"fmt"
	"os"
	"testing"

	"github.com/iphelper/iphelper/test/lab"
)

// build is what TestMain prepared; written once before m.Run, then only read.
var build struct {
	// bin is iphelper built from ./cmd/iphelper, in a directory every user
	// may enter, so that an unprivileged user can run it.
	bin string
	err error
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Geteuid() == 0 {
		if err := lab.RemoveStale(func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }); err != nil {
			fmt.Fprintf(os.Stderr, "removing stale lab namespaces: %v\n", err)
		}
	}
	dir, err := os.MkdirTemp("", "iphelper-deploy-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		return 1
	}
	build.bin, build.err = lab.BuildIphelper(dir)
	return m.Run()
}

// iphelperBin returns the binary TestMain built, or fails the test.
func iphelperBin(t *testing.T) string {
	t.Helper()
	if build.err != nil {
		t.Fatalf("%v", build.err)
	}
	return build.bin
}
