package integration

import (
	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/test/lab"
)

// cmpDiff is cmp.Diff with the lab's netip comparer.
func cmpDiff(want, got any) string {
	return cmp.Diff(want, got, lab.CmpNetip())
}
