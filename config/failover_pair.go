package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// CheckPair checks the configurations of the two nodes of a failover pair
// against each other (check-config --partner); nameA and nameB (their
// files) name them in the errors. The error lists every mismatch, one per
// line, with both nodes' values.
//
// Scopes are matched by their addresses, not by interface name: the two
// routers may name the VLAN differently, and a scope's subnet is known only
// at run time, from its interface's address. A failover scope of one node
// matches the other node's scope whose pools or partner-pools share an
// address with its own.
func CheckPair(a, b *Config, nameA, nameB string) error {
	p := pair{a: a, b: b, nameA: nameA, nameB: nameB}
	p.checkBlocks()
	p.checkScopes()
	return errors.Join(p.errs...)
}

// pair is the state of one CheckPair.
type pair struct {
	a, b         *Config
	nameA, nameB string
	errs         []error
}

// mismatch reports that key differs: the first node has va, the second
// vb; why says what they must be.
func (p *pair) mismatch(key string, va, vb any, why string) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s has %v, %s has %v: %s", key, p.nameA, va, p.nameB, vb, why))
}

// checkBlocks checks the failover: blocks against each other.
func (p *pair) checkBlocks() {
	fa, fb := &p.a.Failover, &p.b.Failover
	if fa.Enabled() != fb.Enabled() {
		p.mismatch("failover", blockWord(fa), blockWord(fb), "both nodes need one, or neither (split scopes only)")
		return
	}
	if !fa.Enabled() {
		return
	}
	if fa.Role == fb.Role {
		p.mismatch("failover.role", fa.Role, fb.Role, "one node is primary, the other secondary")
	}
	if fa.Listen != fb.Peer {
		p.mismatch("failover.listen / failover.peer", "listen "+fa.Listen.String(), "peer "+fb.Peer.String(), "each node's peer is where the other listens")
	}
	if fb.Listen != fa.Peer {
		p.mismatch("failover.peer / failover.listen", "peer "+fa.Peer.String(), "listen "+fb.Listen.String(), "each node's peer is where the other listens")
	}
	if fa.UsesKey() != fb.UsesKey() {
		p.mismatch("failover authentication", authWord(fa), authWord(fb), "both nodes authenticate alike")
	}
	if fa.MCLT != fb.MCLT {
		p.mismatch("failover.mclt", fa.MCLT, fb.MCLT, "the lease rules need one MCLT")
	}
	if fa.Split != fb.Split {
		p.mismatch("failover.split", fa.Split, fb.Split, "both nodes must compute the same owners")
	}
	if fa.StandbyShare != fb.StandbyShare {
		p.mismatch("failover.standby-share", fa.StandbyShare, fb.StandbyShare, "both nodes must compute the same owners")
	}
}

// blockWord says whether a node has a failover: block.
func blockWord(f *Failover) string {
	if f.Enabled() {
		return "a failover: block"
	}
	return "none"
}

// authWord says how a node authenticates.
func authWord(f *Failover) string {
	if f.UsesKey() {
		return "key-file"
	}
	return "tls-cert, tls-key and tls-ca"
}

// pairScope is a fallback scope and the interface entry it belongs to.
type pairScope struct {
	name string
	f    *Fallback
}

// scopes returns the fallback scopes of cfg.
func scopes(cfg *Config) []pairScope {
	var out []pairScope
	for i := range cfg.Interfaces {
		if f := cfg.Interfaces[i].Fallback; f != nil {
			out = append(out, pairScope{name: cfg.Interfaces[i].Name, f: f})
		}
	}
	return out
}

// checkScopes matches every failover scope of each node with the other
// node's and compares them.
func (p *pair) checkScopes() {
	sa, sb := scopes(p.a), scopes(p.b)
	matched := map[*Fallback]bool{}
	for _, s := range sa {
		if s.f.FailoverMode == FailoverNone {
			continue
		}
		o, ok := matchScope(s, sb)
		if !ok {
			p.errs = append(p.errs, fmt.Errorf("interface %q (%s): fallback scope in failover-mode %s: %s has no scope that shares an address with its pools or partner-pools (scopes are matched by their addresses)",
				s.name, p.nameA, s.f.FailoverMode, p.nameB))
			continue
		}
		matched[o.f] = true
		p.compareScopes(s, o)
	}
	for _, s := range sb {
		if s.f.FailoverMode == FailoverNone || matched[s.f] {
			continue
		}
		if o, ok := matchScope(s, sa); ok {
			p.compareScopes(o, s) // a scope of a in mode none
			continue
		}
		p.errs = append(p.errs, fmt.Errorf("interface %q (%s): fallback scope in failover-mode %s: %s has no scope that shares an address with its pools or partner-pools (scopes are matched by their addresses)",
			s.name, p.nameB, s.f.FailoverMode, p.nameA))
	}
}

// matchScope returns the first of others whose addresses (pools and
// partner-pools) share one with s's.
func matchScope(s pairScope, others []pairScope) (pairScope, bool) {
	mine := scopeRanges(s.f)
	for _, o := range others {
		for _, r := range scopeRanges(o.f) {
			if _, _, ok := overlapping(mine, r); ok {
				return o, true
			}
		}
	}
	return pairScope{}, false
}

// scopeRanges are the addresses a scope leases or knows the partner
// leases.
func scopeRanges(f *Fallback) []Range {
	return append(slices.Clone(f.Pools), f.PartnerPools...)
}

// compareScopes compares a's scope sa with b's scope sb.
func (p *pair) compareScopes(sa, sb pairScope) {
	key := fmt.Sprintf("interface %q (%s) and interface %q (%s): fallback.", sa.name, p.nameA, sb.name, p.nameB)
	fa, fb := sa.f, sb.f
	if fa.FailoverMode != fb.FailoverMode {
		p.mismatch(key+"failover-mode", fa.FailoverMode, fb.FailoverMode, "both nodes serve a scope in one mode")
		return
	}
	if fa.FailoverMode == FailoverSplit {
		p.sameRanges(key+"partner-pools / pools", "partner-pools", fa.PartnerPools, "pools", fb.Pools, "each node's partner-pools are the other's pools")
		p.sameRanges(key+"pools / partner-pools", "pools", fa.Pools, "partner-pools", fb.PartnerPools, "each node's partner-pools are the other's pools")
		if !p.a.Failover.Enabled() && fa.FailoverRole == fb.FailoverRole {
			p.mismatch(key+"failover-role", fa.FailoverRole, fb.FailoverRole, "one node is primary, the other secondary")
		}
		return
	}
	p.sameRanges(key+"pools", "", fa.Pools, "", fb.Pools, "both nodes lease the same addresses")
	p.sameRanges(key+"exclude", "", fa.Exclude, "", fb.Exclude, "both nodes lease the same addresses")
}

// sameRanges reports a mismatch unless ra and rb hold the same addresses
// (however they are cut into ranges); ka and kb name the keys when they
// differ.
func (p *pair) sameRanges(key, ka string, ra []Range, kb string, rb []Range, why string) {
	ca, cb := canonicalRanges(ra), canonicalRanges(rb)
	if slices.Equal(ca, cb) {
		return
	}
	va, vb := "["+strings.Join(rangeStrings(ra), ", ")+"]", "["+strings.Join(rangeStrings(rb), ", ")+"]"
	if ka != "" {
		va, vb = ka+" "+va, kb+" "+vb
	}
	p.mismatch(key, va, vb, why)
}

// canonicalRanges returns the addresses of rs as sorted ranges, with
// overlapping and adjacent ones merged.
func canonicalRanges(rs []Range) []Range {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(x, y Range) int { return x.Start.Compare(y.Start) })
	var out []Range
	for _, r := range s {
		if n := len(out); n > 0 && adjacentOrOverlapping(out[n-1], r) {
			if out[n-1].End.Less(r.End) {
				out[n-1].End = r.End
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// adjacentOrOverlapping reports whether r, which does not start before
// prev, overlaps prev or starts right after it.
func adjacentOrOverlapping(prev, r Range) bool {
	next := prev.End.Next()
	return r.Start.Compare(prev.End) <= 0 || (next.IsValid() && r.Start == next)
}
