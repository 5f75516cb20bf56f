package peer

import (
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/iphelper/iphelper/relay/failover/wire"
)

var (
	subnet = netip.MustParsePrefix("203.0.113.0/25")
	upd    = wire.BndUpd{Seq: 1, Subnet: subnet, Addr: netip.MustParseAddr("203.0.113.10"),
		MAC: []byte{2, 0, 0, 0, 0, 1}, State: wire.BindBound, Remaining: 600}
	cmpMsg = cmp.Options{cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Prefix{}, netip.Addr{})}
)

func TestPSKConnectsAndCarriesMessages(t *testing.T) {
	a, b := pair(t, pskAuth(t, 1), pskAuth(t, 1), nil)
	wantB := wire.Hello{Version: wire.Version, Role: wire.RoleSecondary, NodeName: "node-secondary"}
	if diff := cmp.Diff(wantB, a.rec.waitUp(t, "primary"), cmpMsg); diff != "" {
		t.Errorf("primary's Up: partner Hello (-want +got):\n%s", diff)
	}
	wantA := wire.Hello{Version: wire.Version, Role: wire.RolePrimary, NodeName: "node-primary"}
	if diff := cmp.Diff(wantA, b.rec.waitUp(t, "secondary"), cmpMsg); diff != "" {
		t.Errorf("secondary's Up: partner Hello (-want +got):\n%s", diff)
	}
	waitFor(t, "live connection on both", func() bool { return a.live.Load() != nil && b.live.Load() != nil })
	if err := a.Send(upd); err != nil {
		t.Fatalf("primary Send: %v", err)
	}
	if diff := cmp.Diff(wire.Message(upd), b.rec.waitMessage(t, "secondary"), cmpMsg); diff != "" {
		t.Errorf("secondary received (-want +got):\n%s", diff)
	}
	ack := wire.BndAck{Seq: 1}
	if err := b.Send(ack); err != nil {
		t.Fatalf("secondary Send: %v", err)
	}
	if diff := cmp.Diff(wire.Message(ack), a.rec.waitMessage(t, "primary"), cmpMsg); diff != "" {
		t.Errorf("primary received (-want +got):\n%s", diff)
	}
	// Heartbeats flow (every 50 ms) and are counted, not delivered.
	waitFor(t, "heartbeats in", func() bool { return a.Counters().MessagesIn >= 3 })
	if c := a.Counters(); c.AuthFailed != 0 || c.Up < 1 {
		t.Errorf("primary counters %+v: want Up ≥ 1 and no AuthFailed", c)
	}
}

func TestPSKWrongKeyRefusedBothSides(t *testing.T) {
	a, b := pair(t, pskAuth(t, 1), pskAuth(t, 2), nil)
	waitFor(t, "AuthFailed on both nodes", func() bool {
		return a.Counters().AuthFailed >= 2 && b.Counters().AuthFailed >= 2
	})
	a.rec.noUp(t, "primary")
	b.rec.noUp(t, "secondary")
}

func TestCertificates(t *testing.T) {
	ca, other := newCA(t, "pair CA"), newCA(t, "another CA")
	tests := []struct {
		name         string
		authA, authB func() Auth
		wantUp       bool
		refusedBy    string // "primary", "secondary", "both"
		refusedCount func(Counters) uint64
	}{
		{name: "same CA", authA: func() Auth { return ca.auth(t, "a", ca) }, authB: func() Auth { return ca.auth(t, "b", ca) }, wantUp: true},
		{name: "partner's certificate from another CA",
			authA:     func() Auth { return ca.auth(t, "a", ca) },
			authB:     func() Auth { return other.auth(t, "b", ca) },
			refusedBy: "primary", refusedCount: func(c Counters) uint64 { return c.AuthFailed }},
		{name: "partner trusts another CA",
			authA:     func() Auth { return ca.auth(t, "a", ca) },
			authB:     func() Auth { return ca.auth(t, "b", other) },
			refusedBy: "secondary", refusedCount: func(c Counters) uint64 { return c.AuthFailed }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := pair(t, tc.authA(), tc.authB(), nil)
			if tc.wantUp {
				a.rec.waitUp(t, "primary")
				b.rec.waitUp(t, "secondary")
				return
			}
			n := a
			if tc.refusedBy == "secondary" {
				n = b
			}
			waitFor(t, "refusal by the "+tc.refusedBy, func() bool { return tc.refusedCount(n.Counters()) >= 2 })
			a.rec.noUp(t, "primary")
			b.rec.noUp(t, "secondary")
		})
	}
}

// TestSameRoleRefused: two primaries with valid certificates meet; each
// refuses the other's Hello.
func TestSameRoleRefused(t *testing.T) {
	ca := newCA(t, "pair CA")
	a, b := pair(t, ca.auth(t, "a", ca), ca.auth(t, "b", ca), func(_, b *Config) { b.Role = wire.RolePrimary })
	waitFor(t, "refusals", func() bool { return a.Counters().Refused >= 1 && b.Counters().Refused >= 1 })
	a.rec.noUp(t, "primary")
	b.rec.noUp(t, "other primary")
}

// lone starts a primary whose partner is the test itself, dialing its
// socket; it returns the socket's path.
func lone(t *testing.T, auth Auth) (*node, string) {
	t.Helper()
	dir := t.TempDir()
	n := &node{rec: newRecorder(), tr: &unixTransport{listen: dir + "/a.sock", dial: dir + "/nobody.sock"}}
	n.Peer = start(t, testConfig(t, wire.RolePrimary, auth, n.tr, n.rec))
	return n, n.tr.listen
}

func dialUnix(t *testing.T, path string) net.Conn {
	t.Helper()
	var c net.Conn
	waitFor(t, "the listener", func() bool {
		var err error
		c, err = net.Dial("unix", path)
		return err == nil
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestHostileClientsRefused(t *testing.T) {
	ca := newCA(t, "pair CA")
	tests := []struct {
		name  string
		auth  func() Auth
		speak func(t *testing.T, c net.Conn)
	}{
		{"plaintext", func() Auth { return pskAuth(t, 1) }, func(t *testing.T, c net.Conn) {
			_, _ = c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
		}},
		{"a frame without TLS", func() Auth { return pskAuth(t, 1) }, func(t *testing.T, c net.Conn) {
			b, _ := wire.Append(nil, wire.Hello{Role: wire.RoleSecondary})
			_, _ = c.Write(b)
		}},
		{"TLS without a client certificate", func() Auth { return ca.auth(t, "a", ca) }, func(t *testing.T, c net.Conn) {
			tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13})
			_ = tc.Handshake() // TLS 1.3: the client finishes before the server checks
			b, _ := wire.Append(nil, wire.Hello{Role: wire.RoleSecondary})
			_, _ = tc.Write(b)
			_ = c.SetReadDeadline(time.Now().Add(wait))
			if _, err := wire.Read(tc, nil); err == nil {
				t.Errorf("the server answered a client without a certificate")
			}
		}},
		{"TLS, then no key proof", func() Auth { return pskAuth(t, 1) }, func(t *testing.T, c net.Conn) {
			tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13})
			if err := tc.Handshake(); err != nil {
				t.Fatalf("TLS handshake: %v", err)
			}
			_, _ = tc.Write(make([]byte, 32))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, path := lone(t, tc.auth())
			tc.speak(t, dialUnix(t, path))
			waitFor(t, "AuthFailed", func() bool { return n.Counters().AuthFailed == 1 })
			n.rec.noUp(t, "primary")
		})
	}
}

// TestVersionMismatch: an authenticated partner whose Hello is of another
// wire version is refused and counted.
func TestVersionMismatch(t *testing.T) {
	ca := newCA(t, "pair CA")
	n, path := lone(t, ca.auth(t, "a", ca))
	cert := ca.leaf(t, "b")
	tc := tls.Client(dialUnix(t, path), &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cert}})
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
	if _, err := tc.Write([]byte("IPHF\x02\x01\x00\x00\x00\x00")); err != nil {
		t.Fatalf("write: %v", err)
	}
	waitFor(t, "VersionMismatch", func() bool { return n.Counters().VersionMismatch == 1 })
	n.rec.noUp(t, "primary")
}

func TestHeartbeatTimeoutCloses(t *testing.T) {
	a, b := pair(t, pskAuth(t, 1), pskAuth(t, 1), func(a, b *Config) {
		a.MaxResponseDelay = 300 * time.Millisecond
		b.Heartbeat = time.Hour // the secondary goes quiet
	})
	a.rec.waitUp(t, "primary")
	b.rec.waitUp(t, "secondary")
	a.rec.waitDownFor(t, "primary", "no message for 300ms")
	if got := a.Counters().Timeouts; got < 1 {
		t.Errorf("Timeouts = %d, want ≥ 1", got)
	}
	b.rec.waitDownFor(t, "secondary", "closed by the partner")
}

func TestSendQueueFull(t *testing.T) {
	gate := make(chan struct{})
	a, b := pair(t, pskAuth(t, 1), pskAuth(t, 1), func(a, b *Config) {
		a.MaxPending = 4
		a.MaxResponseDelay = time.Minute // the stalled writes must not time out
	})
	if err := a.Send(upd); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("Send before any connection = %v, want ErrNotConnected", err)
	}
	b.rec.gate = gate // the secondary stops reading at its first message
	defer close(gate)
	a.rec.waitUp(t, "primary")
	waitFor(t, "live connection", func() bool { return a.live.Load() != nil })
	big := upd
	big.Hostname = strings.Repeat("h", wire.MaxHostname)
	var err error
	for i := 0; i < 1_000_000 && err == nil; i++ {
		err = a.Send(big)
	}
	if !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Send into a stalled connection = %v, want ErrQueueFull", err)
	}
	if got := a.Counters().QueueFull; got != 1 {
		t.Errorf("QueueFull = %d, want 1", got)
	}
	if err := a.Send(wire.BndUpd{}); err == nil || !strings.Contains(err.Error(), "failed to encode BNDUPD") {
		t.Errorf("Send(invalid) = %v, want the encoding error", err)
	}
}

func TestReconnectAfterDrop(t *testing.T) {
	a, b := pair(t, pskAuth(t, 1), pskAuth(t, 1), nil)
	a.rec.waitUp(t, "primary")
	b.rec.waitUp(t, "secondary")
	waitFor(t, "live connection", func() bool { return a.live.Load() != nil })
	a.tr.breakAll()
	a.rec.waitDown(t, "primary")
	b.rec.waitDown(t, "secondary")
	a.rec.waitUp(t, "primary, again")
	b.rec.waitUp(t, "secondary, again")
	waitFor(t, "live connection again", func() bool { return a.live.Load() != nil })
	if err := a.Send(upd); err != nil {
		t.Fatalf("Send after reconnecting: %v", err)
	}
	b.rec.waitMessage(t, "secondary")
}

// TestReplaceRule: which of two authenticated connections both nodes keep.
func TestReplaceRule(t *testing.T) {
	tests := []struct {
		name            string
		live, incoming  bool // dialed by the primary
		wantReplacement bool
	}{
		{"primary's replaces primary's", true, true, true},
		{"primary's replaces secondary's", false, true, true},
		{"secondary's replaces secondary's", false, false, true},
		{"secondary's does not replace primary's", true, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := replaces(&conn{byPrimary: tc.live}, &conn{byPrimary: tc.incoming})
			if got != tc.wantReplacement {
				t.Errorf("replaces = %t, want %t", got, tc.wantReplacement)
			}
		})
	}
}
