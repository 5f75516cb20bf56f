package peer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"math/big"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/failover/wire"
)

// wait is how long a test waits for an event that must come.
const wait = 5 * time.Second

// unixTransport connects the nodes of a test over Unix stream sockets in the
// test's directory: kernel-buffered like TCP, and no network involved. It
// remembers its connections so a test can break them.
type unixTransport struct {
	listen, dial string
	mu           sync.Mutex
	conns        []net.Conn
}

func (u *unixTransport) Listen(ctx context.Context) (net.Listener, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "unix", u.listen)
	if err != nil {
		return nil, err
	}
	return recordingListener{l, u}, nil
}

func (u *unixTransport) Dial(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", u.dial)
	if err == nil {
		u.add(c)
	}
	return c, err
}

func (u *unixTransport) add(c net.Conn) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.conns = append(u.conns, c)
}

// breakAll closes every connection the transport made.
func (u *unixTransport) breakAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, c := range u.conns {
		_ = c.Close()
	}
	u.conns = nil
}

type recordingListener struct {
	net.Listener
	u *unixTransport
}

func (l recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.u.add(c)
	}
	return c, err
}

// recorder is a Handler that records the events for the test.
type recorder struct {
	ups   chan wire.Hello
	downs chan string
	msgs  chan wire.Message
	gate  chan struct{} // when not nil, Message waits for it to close
}

func newRecorder() *recorder {
	return &recorder{ups: make(chan wire.Hello, 100), downs: make(chan string, 100), msgs: make(chan wire.Message, 100)}
}

func (r *recorder) Up(h wire.Hello) { r.ups <- h }
func (r *recorder) Down(why string) { r.downs <- why }
func (r *recorder) Message(m wire.Message) {
	if r.gate != nil {
		<-r.gate
	}
	r.msgs <- m
}

func (r *recorder) waitUp(t *testing.T, who string) wire.Hello {
	t.Helper()
	select {
	case h := <-r.ups:
		return h
	case <-time.After(wait):
		t.Fatalf("%s: no Up within %s", who, wait)
	}
	return wire.Hello{}
}

func (r *recorder) waitDown(t *testing.T, who string) string {
	t.Helper()
	select {
	case why := <-r.downs:
		return why
	case <-time.After(wait):
		t.Fatalf("%s: no Down within %s", who, wait)
	}
	return ""
}

func (r *recorder) waitMessage(t *testing.T, who string) wire.Message {
	t.Helper()
	select {
	case m := <-r.msgs:
		return m
	case <-time.After(wait):
		t.Fatalf("%s: no message within %s", who, wait)
	}
	return nil
}

// waitDownFor waits for a Down with reason want, skipping the Downs of the
// connections that lose while both nodes dial at once (replaced, or closed
// by the partner that kept the other).
func (r *recorder) waitDownFor(t *testing.T, who, want string) {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case why := <-r.downs:
			if why == want {
				return
			}
			t.Logf("%s: skipping a Down for %q", who, why)
		case <-deadline:
			t.Fatalf("%s: no Down for %q within %s", who, want, wait)
		}
	}
}

// noUp fails the test if an Up is recorded.
func (r *recorder) noUp(t *testing.T, who string) {
	t.Helper()
	select {
	case h := <-r.ups:
		t.Fatalf("%s: Up with %+v, want none", who, h)
	default:
	}
}

// node is one Peer of a test, running until the test ends.
type node struct {
	*Peer
	rec *recorder
	tr  *unixTransport
}

// testConfig is a configuration with short timers; edit adjusts it.
func testConfig(t *testing.T, role wire.Role, auth Auth, tr Transport, rec *recorder) Config {
	return Config{
		Role: role, Transport: tr, Auth: auth, Handler: rec,
		Hello:     wire.Hello{NodeName: "node-" + role.String()},
		Heartbeat: 50 * time.Millisecond, MaxResponseDelay: 2 * time.Second, HandshakeTimeout: 2 * time.Second,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", role.String()),
	}
}

// pair starts a primary and a secondary over Unix sockets in dir.
func pair(t *testing.T, authA, authB Auth, edit func(a, b *Config)) (a, b *node) {
	t.Helper()
	dir := t.TempDir()
	sa, sb := filepath.Join(dir, "a.sock"), filepath.Join(dir, "b.sock")
	a = &node{rec: newRecorder(), tr: &unixTransport{listen: sa, dial: sb}}
	b = &node{rec: newRecorder(), tr: &unixTransport{listen: sb, dial: sa}}
	ca := testConfig(t, wire.RolePrimary, authA, a.tr, a.rec)
	cb := testConfig(t, wire.RoleSecondary, authB, b.tr, b.rec)
	if edit != nil {
		edit(&ca, &cb)
	}
	a.Peer, b.Peer = start(t, ca), start(t, cb)
	return a, b
}

// start runs a Peer until the test ends, and checks that Run returns.
func start(t *testing.T, cfg Config) *Peer {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(wait):
			t.Errorf("Run did not return within %s of its context's end", wait)
		}
	})
	return p
}

// waitFor polls cond until it holds, failing the test after wait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, wait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func pskAuth(t *testing.T, fill byte) Auth {
	t.Helper()
	key := make([]byte, MinKeyLen)
	for i := range key {
		key[i] = fill
	}
	a, err := PSKAuth(key)
	if err != nil {
		t.Fatalf("PSKAuth: %v", err)
	}
	return a
}

// testCA is a certificate authority of a test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key := genKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// leaf issues a certificate for name.
func (ca *testCA) leaf(t *testing.T, name string) tls.Certificate {
	t.Helper()
	key := genKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func (ca *testCA) auth(t *testing.T, name string, trust *testCA) Auth {
	t.Helper()
	a, err := CertAuth(ca.leaf(t, name), trust.pool)
	if err != nil {
		t.Fatalf("CertAuth: %v", err)
	}
	return a
}

func genKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testWriter sends the Peers' logs to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(string(b))
	return len(b), nil
}
