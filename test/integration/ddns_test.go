package integration

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/relay/ddns"
	"github.com/iphelper/iphelper/test/lab"
)

// ddnsSecret is the lab's TSIG secret (base64 of 32 bytes); ddnsWrongSecret
// is another one, that named does not know.
const (
	ddnsSecret      = "aXBoZWxwZXItbGFiLXRzaWctc2VjcmV0LTMyYnl0ZXM="
	ddnsWrongSecret = "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZyE="
	ddnsWait        = 15 * time.Second
)

// ddnsLab is a fallback scenario with BIND9 on the server site, primary of
// example.test and 113.0.203.in-addr.arpa, updatable with the lab's key.
type ddnsLab struct {
	*fbLab
	srv   lab.Site
	named *lab.Proc
	conf  string
	lease time.Duration // the fallback's lease time; fbLease when zero
}

func newDDNSLab(t *testing.T, clients ...string) *ddnsLab {
	t.Helper()
	f := newFallback(t, true, append([]string{"named", "dig"}, clients...)...)
	d := &ddnsLab{fbLab: f, srv: f.tp.Servers[0]}
	d.writeNamed()
	d.startNamed()
	return d
}

// writeNamed writes named's config, zones and key under the lab directory.
func (d *ddnsLab) writeNamed() {
	dir := filepath.Join(d.l.Dir(), "named")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		d.t.Fatal(err)
	}
	soa := "$TTL 300\n@ IN SOA ns.example.test. admin.example.test. 1 60 60 600 60\n@ IN NS ns.example.test.\n"
	files := map[string]string{
		"example.test.zone": soa + "ns IN A " + d.srv.Addr.String() + "\n",
		"reverse.zone":      soa,
		"named.conf": fmt.Sprintf(`options {
	directory %[1]q; pid-file "named.pid"; session-keyfile "session.key"; managed-keys-directory %[1]q;
	listen-on port 53 { %[2]s; }; listen-on-v6 { none; }; recursion no; notify no;
	allow-transfer { key "ddns-key"; };
};
controls { };
key "ddns-key" { algorithm hmac-sha256; secret %[3]q; };
zone "example.test" { type primary; file "example.test.zone"; allow-update { key "ddns-key"; }; };
zone "113.0.203.in-addr.arpa" { type primary; file "reverse.zone"; allow-update { key "ddns-key"; }; };
`, dir, d.srv.Addr, ddnsSecret),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			d.t.Fatal(err)
		}
	}
	d.conf = filepath.Join(dir, "named.conf")
}

// startNamed runs named in the foreground in the server namespace and
// waits until it answers.
func (d *ddnsLab) startNamed() {
	d.t.Helper()
	d.named = d.l.Start(d.srv.NS, "named", "-g", "-4", "-c", d.conf)
	if !lab.WaitFor(func() bool { return d.dig("example.test", "SOA") != "" }, ddnsWait) {
		d.t.Fatalf("named did not answer for example.test")
	}
}

// dig asks named for name's records of type typ; "" when none.
func (d *ddnsLab) dig(name, typ string) string {
	out, err := exec.Command("ip", "netns", "exec", d.srv.NS, "dig", "+short", "+time=1", "+tries=1", "@"+d.srv.Addr.String(), name, typ).Output()
	if err != nil {
		return "" // named is not answering
	}
	return strings.TrimSpace(string(out))
}

// waitRecord waits until name's typ records are want ("" for none).
func (d *ddnsLab) waitRecord(name, typ, want string) {
	d.t.Helper()
	if !lab.WaitFor(func() bool { return d.dig(name, typ) == want }, ddnsWait) {
		d.t.Errorf("%s %s: %q, want %q", name, typ, d.dig(name, typ), want)
	}
}

// startRelayDDNS starts iphelper with the fallback scope and a ddns block
// whose key file holds secret with mode perm.
func (d *ddnsLab) startRelayDDNS(secret string, perm os.FileMode, extra string) {
	d.t.Helper()
	key := filepath.Join(d.l.Dir(), "iphelper-ddns.key")
	text := fmt.Sprintf("key \"ddns-key\" {\n\talgorithm hmac-sha256;\n\tsecret %q;\n};\n", secret)
	if err := os.WriteFile(key, []byte(text), perm); err != nil {
		d.t.Fatal(err)
	}
	if err := os.Chmod(key, perm); err != nil {
		d.t.Fatal(err)
	}
	cfg := filepath.Join(d.l.Dir(), "iphelper-ddns.yaml")
	yaml := fmt.Sprintf(`defaults:
  fallback:
    domain: example.test
    ddns:
      forward-zone: example.test
      reverse-zone: 113.0.203.in-addr.arpa
      server: %s
      key-file: %s
      generated-name: "dhcp-{ip-dashes}"
%s`, d.srv.Addr, key, extra)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		d.t.Fatal(err)
	}
	d.startRelay(fbOptions{leaseTime: d.lease, args: []string{"--config", cfg}})
}

// client starts a client of kind on a host of its own on the switch.
func (d *ddnsLab) client(kind lab.ClientKind, name string) *lab.Client {
	h := d.l.AddHost(d.tp, name)
	return d.l.StartClient(kind, h.NS, h.If)
}

// ptrName is addr's reverse name.
func ptrName(addr netip.Addr) string {
	b := addr.As4()
	return fmt.Sprintf("%d.%d.%d.%d.in-addr.arpa", b[3], b[2], b[1], b[0])
}

// TestDDNSRegistersFallbackClients: with the upstream dead, dhclient (no
// name: the generated one) gets a fallback lease, and BIND9 then has its A
// and PTR records, added by TSIG-signed updates; udhcpc with a host name
// gets its name registered, and removed again when it releases.
func TestDDNSRegistersFallbackClients(t *testing.T) {
	d := newDDNSLab(t, "dhclient", "udhcpc")
	d.startRelayDDNS(ddnsSecret, 0o600, "")

	c := d.client(lab.Dhclient, "dh")
	lease := c.WaitLease(leaseTimeout)
	name := "dhcp-" + strings.ReplaceAll(lease.Addr.String(), ".", "-") + ".example.test"
	d.waitRecord(name, "A", lease.Addr.String())
	d.waitRecord(ptrName(lease.Addr), "PTR", name+".")
	c.Proc.Stop()

	// udhcpc sends only a host name: it is sanitized and qualified.
	u := d.client(lab.Udhcpc, "ud")
	_ = u
	d.waitLog("udhcpc's name added", ddnsWait, "dynamic DNS records updated", "add=true", "addr=")

	// A crafted client's lease, released: its records go.
	inj := d.injectorHost("inj")
	a := fakeMAC(0xd1)
	addr, _ := inj.dora(a, lab.XID(0x5d000001))
	gen := "dhcp-" + strings.ReplaceAll(addr.String(), ".", "-") + ".example.test"
	d.waitRecord(gen, "A", addr.String())
	inj.unicast(inj.msg(dhcpv4.MessageTypeRelease, lab.XID(0x5d000002), a, dhcpv4.WithClientIP(addr.AsSlice()),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(d.seg.Gateway.AsSlice()))), addr)
	d.waitRecord(gen, "A", "")
	d.waitRecord(ptrName(addr), "PTR", "")
}

// TestDDNSWrongKeyRefused: updates signed with a key named does not have
// are refused, counted and retried, and no record appears.
func TestDDNSWrongKeyRefused(t *testing.T) {
	d := newDDNSLab(t, "dhclient")
	d.startRelayDDNS(ddnsWrongSecret, 0o600, "")
	c := d.client(lab.Dhclient, "dh")
	lease := c.WaitLease(leaseTimeout)
	d.waitLog("the refused update", ddnsWait, "dynamic DNS update failed; will retry", "reason=")
	name := "dhcp-" + strings.ReplaceAll(lease.Addr.String(), ".", "-") + ".example.test"
	if got := d.dig(name, "A"); got != "" {
		t.Errorf("%s A: %q after an update with the wrong key", name, got)
	}
}

// TestDDNSKeyFileReadableRefused: a key file others may read is not used.
func TestDDNSKeyFileReadableRefused(t *testing.T) {
	d := newDDNSLab(t)
	d.startRelayDDNS(ddnsSecret, 0o644, "")
	d.waitLog("the refused key file", ddnsWait, "dynamic DNS disabled", "readable or writable by group or others")
}

// TestDDNSServerDownThenUp: named is stopped while a client leases; once
// it runs again, the records appear without restarting iphelper.
func TestDDNSServerDownThenUp(t *testing.T) {
	d := newDDNSLab(t, "dhclient")
	d.named.Stop()
	d.startRelayDDNS(ddnsSecret, 0o600, "")
	c := d.client(lab.Dhclient, "dh")
	lease := c.WaitLease(leaseTimeout)
	d.waitLog("the failed update", ddnsWait, "dynamic DNS update failed; will retry")
	d.startNamed()
	name := "dhcp-" + strings.ReplaceAll(lease.Addr.String(), ".", "-") + ".example.test"
	d.waitRecord(name, "A", lease.Addr.String())
	d.waitRecord(ptrName(lease.Addr), "PTR", name+".")
}

// clientOpts starts a client of kind with o on a host of its own.
func (d *ddnsLab) clientOpts(kind lab.ClientKind, name string, o lab.ClientOptions) *lab.Client {
	h := d.l.AddHost(d.tp, name)
	return d.l.StartClientOpts(kind, h.NS, h.If, o)
}

// waitBoth waits until fqdn's A is addr and addr's PTR is fqdn.
func (d *ddnsLab) waitBoth(fqdn string, addr netip.Addr) {
	d.t.Helper()
	d.waitRecord(fqdn, "A", addr.String())
	d.waitRecord(ptrName(addr), "PTR", fqdn+".")
}

// TestDDNSClientNames: each client's own name is registered: dhclient's
// FQDN option (asking the server to update), udhcpc's host name and
// dhcpcd's host name, both qualified with the scope's domain; dhclient's
// RELEASE removes its A and PTR.
func TestDDNSClientNames(t *testing.T) {
	d := newDDNSLab(t, "dhclient", "udhcpc", "dhcpcd")
	d.startRelayDDNS(ddnsSecret, 0o600, "")
	dh := d.clientOpts(lab.Dhclient, "dh", lab.ClientOptions{Config: []string{
		`send fqdn.fqdn "laptop.example.test.";`, `send fqdn.server-update on;`}})
	ud := d.clientOpts(lab.Udhcpc, "ud", lab.ClientOptions{Hostname: "tablet"})
	cd := d.clientOpts(lab.Dhcpcd, "cd", lab.ClientOptions{Config: []string{"hostname phone"}})
	laptop := dh.WaitLease(leaseTimeout).Addr
	d.waitBoth("laptop.example.test", laptop)
	d.waitBoth("tablet.example.test", ud.WaitLease(leaseTimeout).Addr)
	d.waitBoth("phone.example.test", cd.WaitLease(leaseTimeout).Addr)

	dh.Release()
	d.waitRecord("laptop.example.test", "A", "")
	d.waitRecord(ptrName(laptop), "PTR", "")
}

// TestDDNSNameOfAnotherClientLeftAlone: a name whose A record another
// client's DHCID guards is not overwritten: the A stays, the conflict is
// counted, and the address gets no PTR naming it.
func TestDDNSNameOfAnotherClientLeftAlone(t *testing.T) {
	d := newDDNSLab(t, "dhclient", "nsupdate")
	other := "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="
	d.nsupdate("update add laptop.example.test. 300 A 203.0.113.250", "update add laptop.example.test. 300 DHCID "+other)
	d.startRelayDDNS(ddnsSecret, 0o600, "")
	dh := d.clientOpts(lab.Dhclient, "dh", lab.ClientOptions{Config: []string{
		`send fqdn.fqdn "laptop.example.test.";`, `send fqdn.server-update on;`}})
	addr := dh.WaitLease(leaseTimeout).Addr
	d.waitLog("the conflict", ddnsWait, "name held by another client: left alone", "fqdn=laptop.example.test.")
	if got := d.dig("laptop.example.test", "A"); got != "203.0.113.250" {
		t.Errorf("laptop.example.test A: %q, want the other client's 203.0.113.250", got)
	}
	if got := d.dig("laptop.example.test", "DHCID"); got != other {
		t.Errorf("laptop.example.test DHCID: %q, want the other client's %q", got, other)
	}
	if got := d.dig(ptrName(addr), "PTR"); got != "" {
		t.Errorf("%s PTR: %q after a conflict", ptrName(addr), got)
	}
	d.checkShowDDNS(func(s control.DDNSScope) bool {
		return s.Conflicts == 1 && len(s.Zones) == 1 && s.Zones[0].Zone == "example.test" && s.Zones[0].Failed[ddns.ReasonConflict] == 1
	}, "one conflict, in example.test")
}

// checkShowDDNS waits until `show ddns` has one scope for which ok holds.
func (d *ddnsLab) checkShowDDNS(ok func(control.DDNSScope) bool, what string) {
	d.t.Helper()
	ctl, err := control.Dial(d.relay.ControlSocket)
	if err != nil {
		d.t.Fatalf("failed to dial the control socket: %v", err)
	}
	defer ctl.Close()
	var last []control.DDNSScope
	if !lab.WaitFor(func() bool {
		last, err = ctl.DDNS(context.Background())
		return err == nil && len(last) == 1 && ok(last[0])
	}, ddnsWait) {
		d.t.Errorf("show ddns: %+v (err %v), want %s", last, err, what)
	}
}

// TestDDNSPendingSentAfterRestart: a client leases while named is down;
// iphelper is killed (no clean shutdown) before the add could be sent, and
// started again: the stored add is sent once named is back.
func TestDDNSPendingSentAfterRestart(t *testing.T) {
	d := newDDNSLab(t, "dhclient")
	d.named.Stop()
	d.startRelayDDNS(ddnsSecret, 0o600, "")
	c := d.client(lab.Dhclient, "dh")
	lease := c.WaitLease(leaseTimeout)
	d.waitLog("the failed update", ddnsWait, "dynamic DNS update failed; will retry")
	d.relay.Proc.Signal(syscall.SIGKILL)
	d.startNamed()
	d.restartRelay()
	d.waitLog("the stored queue", ddnsWait, "dynamic DNS state loaded", "pending=1")
	name := "dhcp-" + strings.ReplaceAll(lease.Addr.String(), ".", "-") + ".example.test"
	d.waitBoth(name, lease.Addr)
}

// TestDDNSExpiryRemoves (IPHELPER_TEST_FULL=1: a minute's lease): a client
// that stops renewing loses its records once its lease expired.
func TestDDNSExpiryRemoves(t *testing.T) {
	if os.Getenv(fullEnv) == "" {
		t.Skipf("the lease must run out: set %s=1", fullEnv)
	}
	d := newDDNSLab(t, "dhclient")
	d.lease = time.Minute
	d.startRelayDDNS(ddnsSecret, 0o600, "")
	c := d.client(lab.Dhclient, "dh")
	lease := c.WaitLease(leaseTimeout)
	name := "dhcp-" + strings.ReplaceAll(lease.Addr.String(), ".", "-") + ".example.test"
	d.waitBoth(name, lease.Addr)
	c.Proc.Signal(syscall.SIGKILL) // no RELEASE, no renewal
	if !lab.WaitFor(func() bool { return d.dig(name, "A") == "" }, 90*time.Second) {
		t.Errorf("%s A: %q after the lease expired", name, d.dig(name, "A"))
	}
	d.waitRecord(ptrName(lease.Addr), "PTR", "")
}

// nsupdate sends one update of lines to named, signed with the lab's key.
func (d *ddnsLab) nsupdate(lines ...string) {
	d.t.Helper()
	in := "server " + d.srv.Addr.String() + "\n" + strings.Join(lines, "\n") + "\nsend\n"
	cmd := exec.Command("ip", "netns", "exec", d.srv.NS, "nsupdate", "-y", "hmac-sha256:ddns-key:"+ddnsSecret)
	cmd.Stdin = strings.NewReader(in)
	if out, err := cmd.CombinedOutput(); err != nil {
		d.t.Fatalf("nsupdate: %v\n%s", err, out)
	}
}
