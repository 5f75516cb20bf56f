package lab

import (
	"os"
	"strings"
)

// IPBatch runs many ip commands in ns in one go (`ip -n NS -batch FILE`):
// each element of cmds is one command without the leading "ip", such as
// "link add link down0 name down0.7 type macvlan mode bridge". The ip command
// switches to ns itself, so nothing lands in the root namespace. It stops at
// the first command that fails and fails the test.
func (l *Lab) IPBatch(ns string, cmds []string) {
	l.t.Helper()
	for _, c := range cmds {
		if strings.ContainsAny(c, "\n") {
			l.t.Fatalf("failed to run ip batch in %s: command %q has a newline", ns, c)
		}
	}
	file := l.nextName("ip-batch", ".txt")
	if err := os.WriteFile(file, []byte(strings.Join(cmds, "\n")+"\n"), 0o600); err != nil {
		l.t.Fatalf("failed to write ip batch file: %v", err)
	}
	l.ipIn(ns, "-batch", file)
}
