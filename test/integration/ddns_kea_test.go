package integration

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/ddns"
	"github.com/iphelper/iphelper/test/lab"
)

// The Kea site of the DDNS reference: a namespace of its own, linked to the
// server namespace (where named runs) by a /30 of the server range, and
// serving a client segment of its own directly, on a bridge the client
// hosts plug into.
var (
	keaSrvSide = netip.MustParsePrefix("198.51.100.129/30") // in the server namespace
	keaUpSide  = netip.MustParsePrefix("198.51.100.130/30")
	keaSegment = netip.MustParsePrefix("203.0.113.129/26")
	keaFirst   = netip.MustParseAddr("203.0.113.160")
	keaLast    = netip.MustParseAddr("203.0.113.175")
)

// keaD2Port is where kea-dhcp-ddns takes kea-dhcp4's name change requests,
// on the Kea namespace's loopback.
const keaD2Port = 53001

// refClient is one client of TestDDNSKeaReference.
type refClient struct {
	side string // "kea" or "iphelper"
	want string // the name it asks for; "" for the generated one
	mac  net.HardwareAddr
	c    *lab.Client
	fqdn string // the registered name, with the final dot
	addr netip.Addr
}

// TestDDNSKeaReference: Kea (kea-dhcp4 with its DHCP-DDNS server, D2)
// registers its clients in the same BIND9 zones as iphelper's fallback, as
// the reference for what the records should look like. On each side one
// dhclient sends an FQDN option asking the server to update, one sends no
// name (the generated one). The test prints both sides' records and checks
// the structure that must be the same: per client one A, one PTR naming the
// A's name, one DHCID at the forward name and the same at the reverse name,
// of the same identifier type and
// digest type on both sides, and each DHCID is the one relay/ddns computes
// for that client and name.
func TestDDNSKeaReference(t *testing.T) {
	d := newDDNSLab(t, "dhclient", "kea-dhcp4", "kea-dhcp-ddns")
	kea := d.startKeaDDNS()
	d.startRelayDDNS(ddnsSecret, 0o600, "")

	var clients []*refClient
	start := func(side, ns, want string) {
		var o lab.ClientOptions
		if want != "" {
			o.Config = []string{fmt.Sprintf(`send fqdn.fqdn "%s.example.test.";`, want), `send fqdn.server-update on;`}
		}
		clients = append(clients, &refClient{side: side, want: want, mac: d.l.MAC(ns, lab.ClientIf),
			c: d.l.StartClientOpts(lab.Dhclient, ns, lab.ClientIf, o)})
	}
	start("kea", kea.host("kcl"), "laptop-kea")
	start("kea", kea.host("kcl2"), "")
	start("iphelper", d.l.AddHost(d.tp, "ihl").NS, "laptop-iph")
	start("iphelper", d.l.AddHost(d.tp, "ihl2").NS, "")
	for _, c := range clients {
		c.addr = c.c.WaitLease(leaseTimeout).Addr
		name := c.want + ".example.test"
		if c.want == "" {
			name = "dhcp-" + strings.ReplaceAll(c.addr.String(), ".", "-") + ".example.test"
		}
		d.waitBoth(name, c.addr)
		if !lab.WaitFor(func() bool { return d.dig(name, "DHCID") != "" }, ddnsWait) {
			t.Errorf("%s: no DHCID", name)
		}
		c.fqdn = name + "."
	}
	zone := append(d.axfr("example.test"), d.axfr("113.0.203.in-addr.arpa")...)
	t.Logf("BIND9's records of comparable clients, Kea's D2 | iphelper's fallback:\n%s",
		sideBySide(zone, [2]*refClient{clients[0], clients[2]}, [2]*refClient{clients[1], clients[3]}))

	idTypes := map[string]string{}
	for _, c := range clients {
		idTypes[c.side] = checkRefClient(t, zone, c)
	}
	if idTypes["kea"] != idTypes["iphelper"] {
		t.Errorf("DHCID identifier types: Kea %s, iphelper %s; want the same for the same kind of client", idTypes["kea"], idTypes["iphelper"])
	}
}

// checkRefClient checks c's records in zone: one A with its address, one
// PTR naming it, one DHCID of the form of RFC 4701 equal to relay/ddns's
// for c, and the same DHCID at the reverse name; it returns the DHCID's identifier type in hex.
func checkRefClient(t *testing.T, zone []zoneRR, c *refClient) string {
	t.Helper()
	a := rrsOf(zone, c.fqdn, "A")
	ptr := rrsOf(zone, ptrName(c.addr)+".", "PTR")
	dhcid := rrsOf(zone, c.fqdn, "DHCID")
	if len(a) != 1 || a[0].rdata != c.addr.String() {
		t.Errorf("%s client %s: A records %v, want one, %s", c.side, c.fqdn, a, c.addr)
	}
	if len(ptr) != 1 || ptr[0].rdata != c.fqdn {
		t.Errorf("%s client %s: PTR records of %s: %v, want one, naming it", c.side, c.fqdn, c.addr, ptr)
	}
	if len(dhcid) != 1 {
		t.Errorf("%s client %s: DHCID records %v, want one", c.side, c.fqdn, dhcid)
		return ""
	}
	if rev := rrsOf(zone, ptrName(c.addr)+".", "DHCID"); len(rev) != 1 || rev[0].rdata != dhcid[0].rdata {
		t.Errorf("%s client %s: DHCID records of %s: %v, want one, the forward name's %s", c.side, c.fqdn, c.addr, rev, dhcid[0].rdata)
	}
	raw, err := base64.StdEncoding.DecodeString(dhcid[0].rdata)
	if err != nil || len(raw) != 35 || raw[2] != 1 {
		t.Errorf("%s client %s: DHCID %q: want 2 octets of identifier type, digest type 1 (SHA-256), 32 octets of digest (err %v)", c.side, c.fqdn, dhcid[0].rdata, err)
		return ""
	}
	// dhclient sends no client identifier: the identifier is htype 1 and chaddr.
	want, err := ddns.DHCID(nil, 1, c.mac, c.fqdn)
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.StdEncoding.EncodeToString(want); got != dhcid[0].rdata {
		t.Errorf("%s client %s (%s): DHCID %s, relay/ddns computes %s", c.side, c.fqdn, c.mac, dhcid[0].rdata, got)
	}
	return fmt.Sprintf("%02x%02x", raw[0], raw[1])
}

// keaSite is the namespace where kea-dhcp4 and kea-dhcp-ddns run.
type keaSite struct {
	d  *ddnsLab
	ns string
}

// host plugs a client host (a namespace for role) into the Kea segment's
// bridge and returns its namespace.
func (k keaSite) host(role string) string {
	k.d.t.Helper()
	ns := k.d.l.NS(role)
	port := "p" + role
	k.d.l.Veth(ns, lab.ClientIf, k.ns, port)
	k.d.l.Exec(k.ns, "ip", "link", "set", port, "master", lab.SwitchBridge)
	return ns
}

// startKeaDDNS builds the Kea site and starts kea-dhcp-ddns and kea-dhcp4
// there: D2 sends the updates to named with the lab's key, kea-dhcp4
// serves the Kea segment and sends its name change requests to D2.
func (d *ddnsLab) startKeaDDNS() keaSite {
	d.t.Helper()
	k := keaSite{d: d, ns: d.l.NS("kea")}
	d.l.Veth(k.ns, "kup0", d.srv.NS, "kea0")
	d.l.Addr(d.srv.NS, "kea0", keaSrvSide.String())
	d.l.Addr(k.ns, "kup0", keaUpSide.String())
	d.l.Route(k.ns, lab.ServerNet.String(), keaSrvSide.Addr().String())
	d.l.Exec(k.ns, "ip", "link", "add", lab.SwitchBridge, "type", "bridge")
	d.l.Up(k.ns, lab.SwitchBridge)
	d.l.Addr(k.ns, lab.SwitchBridge, keaSegment.String())

	dir := filepath.Join(d.l.Dir(), "kea-ddns")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		d.t.Fatal(err)
	}
	env := []string{"KEA_PIDFILE_DIR=" + dir, "KEA_LOCKFILE_DIR=" + dir}
	for _, p := range []struct {
		bin, ready string
		doc        map[string]any
	}{
		{"kea-dhcp-ddns", "DHCP_DDNS_STARTED", keaD2Config(d.srv.Addr)},
		{"kea-dhcp4", "DHCP4_STARTED", keaDHCP4DDNSConfig(d.lease)},
	} {
		conf, err := json.MarshalIndent(p.doc, "", "  ")
		if err != nil {
			d.t.Fatal(err)
		}
		path := filepath.Join(dir, p.bin+".json")
		if err := os.WriteFile(path, conf, 0o600); err != nil {
			d.t.Fatal(err)
		}
		d.l.Exec(k.ns, append(append([]string{"env"}, env...), p.bin, "-t", path)...)
		proc := d.l.StartProc(lab.ProcSpec{NS: k.ns, Name: p.bin, Env: env, Args: []string{p.bin, "-c", path}})
		if !lab.WaitFor(func() bool { return proc.Exited() || strings.Contains(proc.Log(), p.ready) }, ddnsWait) || proc.Exited() {
			d.t.Fatalf("%s did not start:\n%s", p.bin, proc.Log())
		}
	}
	return k
}

// keaLoggers logs name's messages to stderr, where the lab's log file is.
func keaLoggers(name string) []map[string]any {
	return []map[string]any{{"name": name, "output_options": []map[string]any{{"output": "stderr"}}, "severity": "DEBUG", "debuglevel": 40}}
}

// keaD2Config is kea-dhcp-ddns's configuration: requests from kea-dhcp4 on
// the loopback, both zones on named at server, signed with the lab's key.
func keaD2Config(server netip.Addr) map[string]any {
	domain := func(name string) map[string]any {
		return map[string]any{"ddns-domains": []map[string]any{{
			"name": name, "key-name": "ddns-key",
			"dns-servers": []map[string]any{{"ip-address": server.String(), "port": 53}},
		}}}
	}
	return map[string]any{"DhcpDdns": map[string]any{
		"ip-address":         "127.0.0.1",
		"port":               keaD2Port,
		"dns-server-timeout": 1000,
		"tsig-keys":          []map[string]any{{"name": "ddns-key", "algorithm": "HMAC-SHA256", "secret": ddnsSecret}},
		"forward-ddns":       domain("example.test."),
		"reverse-ddns":       domain("113.0.203.in-addr.arpa."),
		"loggers":            keaLoggers("kea-dhcp-ddns"),
	}}
}

// keaDHCP4DDNSConfig is kea-dhcp4's configuration: the Kea segment on the
// bridge (raw sockets: its clients are on the link), the fallback's lease
// time (fbLease when zero), and updates through D2 for every client: a
// client's name qualified with example.test, a generated dhcp-<address>
// name for a client that sends none, the server doing the A even when
// the client asks to do it or asks for no update.
func keaDHCP4DDNSConfig(lease time.Duration) map[string]any {
	if lease == 0 {
		lease = fbLease
	}
	secs := int(lease / time.Second)
	return map[string]any{"Dhcp4": map[string]any{
		"interfaces-config": map[string]any{"interfaces": []string{lab.SwitchBridge}},
		"lease-database":    map[string]any{"type": "memfile", "persist": false},
		"valid-lifetime":    secs,
		"renew-timer":       secs / 2,
		"rebind-timer":      secs * 7 / 8,
		"subnet4": []map[string]any{{
			"id": 1, "subnet": keaSegment.Masked().String(),
			"pools":       []map[string]any{{"pool": keaFirst.String() + " - " + keaLast.String()}},
			"option-data": []map[string]any{{"name": "routers", "data": keaSegment.Addr().String()}},
		}},
		"dhcp-ddns": map[string]any{
			"enable-updates": true, "server-ip": "127.0.0.1", "server-port": keaD2Port,
			"ncr-protocol": "UDP", "ncr-format": "JSON",
		},
		"ddns-send-updates":           true,
		"ddns-qualifying-suffix":      "example.test.",
		"ddns-replace-client-name":    "when-not-present",
		"ddns-generated-prefix":       "dhcp",
		"ddns-override-client-update": true,
		"ddns-override-no-update":     true,
		"loggers":                     keaLoggers("kea-dhcp4"),
	}}
}

// zoneRR is one record of a zone transfer.
type zoneRR struct {
	name, ttl, typ, rdata string
}

func (r zoneRR) String() string { return r.name + " " + r.ttl + " " + r.typ + " " + r.rdata }

// axfr transfers zone from named with the lab's key.
func (d *ddnsLab) axfr(zone string) []zoneRR {
	d.t.Helper()
	out, err := exec.Command("ip", "netns", "exec", d.srv.NS, "dig", "+noall", "+answer", "+nocmd", "+time=2", "+tries=1",
		"-y", "hmac-sha256:ddns-key:"+ddnsSecret, "@"+d.srv.Addr.String(), zone, "AXFR").CombinedOutput()
	if err != nil {
		d.t.Fatalf("dig AXFR %s: %v\n%s", zone, err, out)
	}
	var rrs []zoneRR
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || strings.HasPrefix(f[0], ";") {
			continue
		}
		rrs = append(rrs, zoneRR{name: f[0], ttl: f[1], typ: f[3], rdata: strings.Join(f[4:], " ")})
	}
	if len(rrs) == 0 {
		d.t.Fatalf("dig AXFR %s: no records:\n%s", zone, out)
	}
	return rrs
}

// rrsOf returns zone's records of name and typ.
func rrsOf(zone []zoneRR, name, typ string) []zoneRR {
	var out []zoneRR
	for _, r := range zone {
		if strings.EqualFold(r.name, name) && r.typ == typ {
			out = append(out, r)
		}
	}
	return out
}

// sideBySide renders the records of each pair of comparable clients (Kea's,
// iphelper's) in two columns: every record at the client's name, then
// every record at its address's reverse name.
func sideBySide(zone []zoneRR, pairs ...[2]*refClient) string {
	var left, right []string
	for _, p := range pairs {
		var cols [2][]string
		for i, c := range p {
			for _, name := range []string{c.fqdn, ptrName(c.addr) + "."} {
				for _, r := range zone {
					if strings.EqualFold(r.name, name) {
						cols[i] = append(cols[i], r.String())
					}
				}
			}
		}
		for len(cols[0]) < len(cols[1]) {
			cols[0] = append(cols[0], "")
		}
		for len(cols[1]) < len(cols[0]) {
			cols[1] = append(cols[1], "")
		}
		left, right = append(left, append(cols[0], "")...), append(right, append(cols[1], "")...)
	}
	width := 0
	for _, s := range left {
		width = max(width, len(s))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s | %s\n", width, "Kea (kea-dhcp4 + kea-dhcp-ddns)", "iphelper (fallback)")
	for i := range left {
		fmt.Fprintf(&b, "%-*s | %s\n", width, left[i], right[i])
	}
	return b.String()
}
