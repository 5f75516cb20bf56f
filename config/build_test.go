package config

import (
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMinimal(t *testing.T) {
	const minimal = `
interfaces:
  - name: eth1
    helper-addresses: [198.51.100.2]
`
	got, err := parseTest(minimal, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	want := defaultConfig(defaultInterface(t, "eth1", "198.51.100.2"))
	if diff := cmp.Diff(want, got, cmpOpts()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestReference parses the commented reference config, which is the
// documentation of the file format.
func TestReference(t *testing.T) {
	data, err := os.ReadFile("../deploy/iphelper.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseTest(string(data), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	vlans := defaultInterface(t, "eth0.*", "198.51.100.2")
	vlans.Option82.CircuitID = mustTemplate(t, "vlan{vlan}")
	vlan20 := defaultInterface(t, "eth0.20", "198.51.100.2")
	vlan20.Option82.CircuitID = mustTemplate(t, "vlan{vlan}")
	vlan20.DirectedBroadcast = true
	eth2 := defaultInterface(t, "eth2", "198.51.100.2")
	eth2.GIAddr = addrs("203.0.113.1")[0]
	eth2.Trusted = true
	eth2.Option82.Policy = PolicyKeep
	eth2.Option82.CircuitID = mustTemplate(t, "hex:00:04{vlan16}01:01")
	eth2.Option82.SubscriberID = mustTemplate(t, "building-7")
	eth2.RateLimit.ClientRate, eth2.RateLimit.ClientBurst = 0, 0
	eth1 := defaultInterface(t, "eth1", "198.51.100.2", "198.51.100.3")
	eth1.Fallback = defaultFallback("203.0.113.100-203.0.113.150")
	eth1.Fallback.Exclude = []Range{mustRange("203.0.113.120-203.0.113.125"), mustRange("203.0.113.130")}
	eth1.Fallback.Reservations = []Reservation{
		{MAC: mustMAC("02:00:00:00:00:99"), Addr: addrs("203.0.113.160")[0]},
		{ClientID: []byte{1, 2, 0, 0, 0, 0, 0x98}, Addr: addrs("203.0.113.161")[0]},
	}
	eth1.Fallback.DNS = addrs("198.51.100.53")
	eth1.Fallback.Domain = "example.net"
	eth1.Fallback.Options = []Option{
		{Code: 42, Name: "ntp-servers", Type: OptionAddressList, Value: []string{"198.51.100.123"}, Data: []byte{198, 51, 100, 123}},
		{Code: 150, Name: "tftp-server", Type: OptionAddressList, Value: []string{"198.51.100.69"}, Data: []byte{198, 51, 100, 69}},
		{Code: 66, Name: "tftp-server-name", Type: OptionString, Value: []string{"tftp.example.net"}, Data: []byte("tftp.example.net")},
		{Code: 119, Name: "domain-search", Type: OptionDomainList, Value: []string{"example.net", "corp.example.net"},
			Data: []byte("\x07example\x03net\x00\x04corp\xc0\x00")},
		{Code: 121, Name: "classless-static-routes", Type: OptionRoutes, Value: []string{"198.51.100.0/24 203.0.113.1"},
			Data: []byte{24, 198, 51, 100, 203, 0, 113, 1}},
	}
	eth1.ForwardPorts = []uint16{9, 37, 42, 49, 53, 69, 137}
	eth1.PortHelpers = map[uint16][]netip.Addr{9: addrs("203.0.113.255")}
	want := defaultConfig(
		eth1,
		vlans,
		vlan20,
		eth2,
	)
	if diff := cmp.Diff(want, got, cmpOpts()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLoad(t *testing.T) {
	cfg, err := Load("../deploy/iphelper.yaml")
	if err != nil {
		t.Fatal(err)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Skipf("no host name: %v", err)
	}
	if diff := cmp.Diff(host, cfg.Hostname); diff != "" {
		t.Errorf("Hostname (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		path string
		want string
	}{
		{
			name: "missing",
			path: dir + "/missing.yaml",
			want: "failed to read config file: open " + dir + "/missing.yaml: no such file or directory",
		},
		{
			name: "unknown key",
			path: write("unknown.yaml", "interfaces: []\nhelpers: [198.51.100.2]\n"),
			want: dir + `/unknown.yaml:2:1: unknown key "helpers": valid keys here are defaults, etcd, failover, helper-rate-limit, helper-rate-limit-burst, hostname, interfaces, lease-db, lease-store, log, max-hops, max-packet-size, poll-above` + "\n" +
				"no downstream interfaces: give --interface or interfaces: in the config file",
		},
		{
			name: "too big",
			path: write("big.yaml", "#"+strings.Repeat("x", maxFileSize)),
			want: "config file " + dir + "/big.yaml is larger than 16777216 bytes",
		},
		{
			name: "invalid",
			path: write("invalid.yaml", "max-hops: 0\n"),
			want: dir + "/invalid.yaml:1:11: max-hops: 0 is out of range 1..16\n" +
				"no downstream interfaces: give --interface or interfaces: in the config file",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.path)
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseWithFlagsNoFile(t *testing.T) {
	got, err := ParseWithFlags(nil, Flags{
		Interfaces:      []string{"eth1"},
		HelperAddresses: []string{"198.51.100.2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(defaultInterface(t, "eth1", "198.51.100.2"), got.Interfaces[0], cmpOpts()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGlobals(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  *Config
	}{
		{
			name: "file",
			data: "max-hops: 16\nmax-packet-size: 576\nhostname: r9\nlease-db: /srv/l.db\npoll-above: 20000/s\nlog: {level: debug, format: json}\n",
			want: &Config{MaxHops: 16, MaxPacketSize: 576, Hostname: "r9", LeaseDB: "/srv/l.db", PollRate: 20000, Log: Log{Level: "debug", Format: "json"}},
		},
		{
			name: "flags win",
			data: "max-hops: 16\nmax-packet-size: 576\nlease-db: /srv/l.db\npoll-above: 20000/s\nlog: {level: debug, format: json}\n",
			flags: Flags{
				MaxHops: ptrTo(1), MaxPacketSize: ptrTo(65507),
				LogLevel: ptrTo("error"), LogFormat: ptrTo("text"), LeaseDB: ptrTo("/run/x.db"),
				PollAbove: ptrTo("off"),
			},
			want: &Config{MaxHops: 1, MaxPacketSize: 65507, Hostname: testHostname, LeaseDB: "/run/x.db", Log: Log{Level: "error", Format: "text"}},
		},
		{
			name: "empty hostname is the system's",
			data: "hostname: ''\n",
			want: defaultConfig(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.flags.Interfaces = []string{"eth1"}
			tt.flags.HelperAddresses = []string{"198.51.100.2"}
			got, err := parseTest(tt.data, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			got.Interfaces = nil
			if diff := cmp.Diff(tt.want, got, cmpOpts()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestHostnameError(t *testing.T) {
	raw, err := decodeFile([]byte("interfaces: [{name: eth1, helper-addresses: [198.51.100.2]}]"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = build(raw, Flags{}, func() (string, error) { return "", nil })
	want := "hostname: failed to get the host name (set hostname: in the config file): empty host name"
	if err == nil {
		t.Fatal("no error")
	}
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}
