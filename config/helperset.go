package config

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// HealthSettings returns the down-after and transaction time-out of the
// helper set helpers (in any order): interfaces that send to the same
// helpers share one upstream health, so these come from the fallback
// scopes of the entries with that helper set, which validation makes
// agree; with no such scope, the defaults.
func (c *Config) HealthSettings(helpers []netip.Addr) (downAfter int, timeout time.Duration) {
	for i := range c.Interfaces {
		in := &c.Interfaces[i]
		if in.Fallback != nil && sameSet(in.Helpers, helpers) {
			return in.Fallback.DownAfter, in.Fallback.TransactionTimeout
		}
	}
	return DefaultDownAfter, DefaultTransactionTimeout
}

// checkHelperSets rejects two entries with fallback scopes that share a
// helper set but differ in down-after or transaction-timeout: they share
// one health tracker, which cannot follow both.
func checkHelperSets(ins []Interface, errs *errList) {
	for i := range ins {
		a := &ins[i]
		if a.Fallback == nil {
			continue
		}
		for j := range i {
			b := &ins[j]
			if b.Fallback == nil || !sameSet(a.Helpers, b.Helpers) {
				continue
			}
			if a.Fallback.DownAfter != b.Fallback.DownAfter || a.Fallback.TransactionTimeout != b.Fallback.TransactionTimeout {
				errs.addf(fmt.Sprintf("interface %q: ", a.Name),
					"fallback: down-after %d and transaction-timeout %s differ from interface %q's (%d, %s), which sends to the same helpers: one health decides for both, so give them the same values",
					a.Fallback.DownAfter, a.Fallback.TransactionTimeout, b.Name, b.Fallback.DownAfter, b.Fallback.TransactionTimeout)
			}
			break
		}
	}
}

// sameSet reports whether a and b hold the same addresses.
func sameSet(a, b []netip.Addr) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.SortFunc(x, netip.Addr.Compare)
	slices.SortFunc(y, netip.Addr.Compare)
	return slices.Equal(x, y)
}
