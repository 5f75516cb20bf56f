package integration

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/test/lab"
)

// The fallback scenarios use a split scope on the standard client
// segment 203.0.113.0/25: the lab's upstream pool is hosts 32–47
// (lab.PoolShare), the fallback pool hosts 100–120, so the upstream scope
// excludes the fallback's range.
var (
	fbFirst = netip.MustParseAddr("203.0.113.100")
	fbLast  = netip.MustParseAddr("203.0.113.120")
	fbDNS   = netip.MustParseAddr("198.51.100.53")
)

// Times of the fallback scenarios.
const (
	// fbLease is the fallback's lease time; fbShortLease makes dhclient renew
	// (T1, half the lease) within a scenario.
	fbLease      = 2 * time.Minute
	fbShortLease = time.Minute
	// offerDelay is iphelper's --offer-delay (its default, given explicitly).
	offerDelay = time.Second
	// boundWithin is the fallback's promise: bound within 3 s of the first DISCOVER.
	boundWithin = 3 * time.Second
	// renewTimeout bounds the wait for a renewal at T1 (30 s after binding
	// with fbShortLease), counted from the binding.
	renewTimeout = 45 * time.Second
	// healthTimeout bounds the wait for a change of the upstream health:
	// three unanswered transactions time out 2 s after they were forwarded.
	healthTimeout = 10 * time.Second
	// silenceWindow is how long a request the fallback must not answer is
	// given to be answered anyway.
	silenceWindow = 3 * time.Second
	// outcomeTimeout bounds the wait for the fallback's debug line about a
	// request.
	outcomeTimeout = 5 * time.Second
	// storeLockTimeout bounds the wait for the lease database's lock, which
	// the stopped iphelper has released.
	storeLockTimeout = 2 * time.Second
)

// The log lines iphelper writes when the upstream health changes (required:
// "State changes are logged with the reason"), with the default down-after
// (3) and transaction-timeout (2s).
const (
	logHealthChanged = `msg="upstream health changed"`
	logHealthDown    = `to=down reason="3 transactions in a row, from 3 different clients, got no reply within 2s"`
	logHealthUp      = `to=up reason="upstream replied"`
)

// fbLab is a scenario with iphelper serving a fallback scope on the client
// segment of its topology.
type fbLab struct {
	*scenario
	tp    *lab.Topology
	seg   lab.Segment
	db    string   // the lease database
	args  []string // the fallback flags of `iphelper run`
	relay *lab.Relay
}

// fbOptions are the fallback flags a scenario changes.
type fbOptions struct {
	leaseTime time.Duration // fbLease when zero
	failback  string        // iphelper's default (nak) when empty
	args      []string      // more flags of `iphelper run`
}

// newFallback starts a fallback scenario on the standard lab, or with
// switched on the switched lab (one namespace per client host). tools are
// the peers it needs besides iphelper.
func newFallback(t *testing.T, switched bool, tools ...string) *fbLab {
	t.Helper()
	s := newScenario(t, tools...)
	s.needIphelper("fallback server")
	f := &fbLab{scenario: s}
	if switched {
		f.tp = s.l.Switched()
	} else {
		f.tp = s.l.Standard()
	}
	f.seg = f.tp.Segments[0]
	f.db = filepath.Join(s.l.Dir(), "leases.db")
	return f
}

// startRelay starts iphelper with the fallback scope of the scenarios:
// pool 203.0.113.100-120 on down0, DNS 198.51.100.53, router defaulting to
// the relay's own address, and the options' lease time and failback.
func (f *fbLab) startRelay(o fbOptions) *lab.Relay {
	f.t.Helper()
	lease := o.leaseTime
	if lease == 0 {
		lease = fbLease
	}
	f.args = []string{
		"--fallback-pool", f.seg.RelayIf + "=" + fbFirst.String() + "-" + fbLast.String(),
		"--fallback-dns", fbDNS.String(),
		"--fallback-lease-time", lease.String(),
		"--offer-delay", offerDelay.String(),
		"--lease-db", f.db,
	}
	if o.failback != "" {
		f.args = append(f.args, "--failback", o.failback)
	}
	f.args = append(f.args, o.args...)
	return f.restartRelay()
}

// restartRelay starts iphelper again with the flags of startRelay and the
// same lease database.
func (f *fbLab) restartRelay() *lab.Relay {
	f.t.Helper()
	f.relay = f.scenario.startRelay(f.tp, f.args...)
	return f.relay
}

// storedLeases stops iphelper (which holds the database's lock) and returns
// the records of the client segment's interface in its lease database.
func (f *fbLab) storedLeases() []leasestore.Lease {
	f.t.Helper()
	f.relay.Proc.Stop()
	st, err := leasestore.OpenBolt(f.db, storeLockTimeout)
	if err != nil {
		f.t.Fatalf("%v", err)
	}
	defer st.Close()
	leases, err := st.Load(f.seg.RelayIf)
	if err != nil {
		f.t.Fatalf("%v", err)
	}
	return leases
}

// startKea starts Kea on the server site with the lab's standard config (pool
// hosts 32–47 of the client segment: outside the fallback's range).
func (f *fbLab) startKea() *lab.Server {
	f.t.Helper()
	srv := f.tp.Servers[0]
	return f.l.StartKea(srv.NS, srv.Addr, f.tp.ServerConfig(0))
}

// keaPool returns the bounds of the upstream server's pool on the segment.
func (f *fbLab) keaPool() (netip.Addr, netip.Addr) {
	cfg := f.tp.ServerConfig(0)
	return cfg.Subnets[0].PoolFirst, cfg.Subnets[0].PoolLast
}

// waitOutcome waits for the fallback's debug line about the transaction xid
// ("fallback reply" or "fallback silent") with the outcome, and reports
// whether it came.
func (f *fbLab) waitOutcome(xid dhcpv4.TransactionID, outcome string, timeout time.Duration) bool {
	return lab.WaitFor(func() bool { return f.outcomeLine(xid, outcome) != "" }, timeout)
}

// outcomeLine returns the fallback's debug line about xid with the outcome,
// or "".
func (f *fbLab) outcomeLine(xid dhcpv4.TransactionID, outcome string) string {
	for _, line := range strings.Split(f.relay.Proc.Log(), "\n") {
		if (strings.Contains(line, `msg="fallback reply"`) || strings.Contains(line, `msg="fallback silent"`)) &&
			hasAttr(line, "xid", xid.String()) && hasAttr(line, "outcome", outcome) {
			return line
		}
	}
	return ""
}

// hasAttr reports whether a text log line has the attribute key=value.
func hasAttr(line, key, value string) bool {
	kv := " " + key + "=" + value
	return strings.Contains(line, kv+" ") || strings.HasSuffix(line, kv)
}

// fallbackLines returns the fallback's debug lines about xid.
func (f *fbLab) fallbackLines(xid dhcpv4.TransactionID) []string {
	var out []string
	for _, line := range strings.Split(f.relay.Proc.Log(), "\n") {
		if strings.Contains(line, `msg="fallback `) && hasAttr(line, "xid", xid.String()) {
			out = append(out, line)
		}
	}
	return out
}

// waitLog fails the test unless a line with every one of substrs shows up
// in iphelper's log in time.
func (f *fbLab) waitLog(what string, timeout time.Duration, substrs ...string) {
	f.t.Helper()
	ok := lab.WaitFor(func() bool {
		for _, line := range strings.Split(f.relay.Proc.Log(), "\n") {
			if containsAll(line, substrs) {
				return true
			}
		}
		return false
	}, timeout)
	if !ok {
		f.t.Fatalf("no %s (a line with %q) in iphelper's log within %s; log:\n%s", what, substrs, timeout, f.relay.Proc.Log())
	}
}

// containsAll reports whether s contains every one of substrs.
func containsAll(s string, substrs []string) bool {
	for _, sub := range substrs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// inFallbackPool reports whether a is in the fallback's range.
func inFallbackPool(a netip.Addr) bool {
	return !a.Less(fbFirst) && !fbLast.Less(a)
}

// checkFallbackLease fails the test unless lease is a fallback lease on seg:
// an address of the fallback pool, the relay's address as router and
// server identifier, and leaseTime.
func checkFallbackLease(t *testing.T, lease lab.Lease, seg lab.Segment, leaseTime time.Duration) {
	t.Helper()
	checkLease(t, lease, seg, fbFirst, fbLast, seg.Gateway, leaseTime)
}

// findLease returns the stored record of addr.
func findLease(leases []leasestore.Lease, addr netip.Addr) (leasestore.Lease, bool) {
	i := slices.IndexFunc(leases, func(l leasestore.Lease) bool { return l.Addr == addr })
	if i < 0 {
		return leasestore.Lease{}, false
	}
	return leases[i], true
}

// waitBound waits at most timeout for a bound event of c that match accepts,
// and fails the test with the client's events when none comes.
func waitBound(t *testing.T, c *lab.Client, what string, timeout time.Duration, match func(lab.Lease) bool) lab.Lease {
	t.Helper()
	l, ok := awaitBound(t, c, what, timeout, match)
	if !ok {
		t.FailNow()
	}
	return l
}

// awaitBound is waitBound that marks the test failed and goes on.
func awaitBound(t *testing.T, c *lab.Client, what string, timeout time.Duration, match func(lab.Lease) bool) (lab.Lease, bool) {
	t.Helper()
	var found lab.Lease
	ok := lab.WaitFor(func() bool {
		for _, l := range c.Leases() {
			if l.Bound() && match(l) {
				found = l
				return true
			}
		}
		return false
	}, timeout)
	if !ok {
		t.Errorf("%s: no %s within %s; events %v; log:\n%s", c.Kind, what, timeout.Round(time.Second), c.Leases(), c.Proc.Log())
	}
	return found, ok
}

// linkLocal is IPv4 link-local (RFC 3927), where clients go when no DHCP
// server answers.
var linkLocal = netip.MustParsePrefix("169.254.0.0/16")
