package lab

import (
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testServerConfig is a client subnet with a pool, a router, an overridden
// server identifier and a reservation, plus the server's own segment.
func testServerConfig() ServerConfig {
	return ServerConfig{
		Interface: "eth0",
		LeaseTime: 20 * time.Second,
		Subnets: []Subnet{
			{
				Prefix:    netip.MustParsePrefix("203.0.113.0/25"),
				PoolFirst: netip.MustParseAddr("203.0.113.32"), PoolLast: netip.MustParseAddr("203.0.113.47"),
				Router:       netip.MustParseAddr("203.0.113.1"),
				ServerID:     netip.MustParseAddr("203.0.113.1"),
				Reservations: []Reservation{{CircuitID: "down0", Addr: netip.MustParseAddr("203.0.113.77")}},
			},
			{Prefix: netip.MustParsePrefix("198.51.100.0/25")},
		},
	}
}

func TestDhcpdConfig(t *testing.T) {
	want := `# written by the iphelper test lab
authoritative;
default-lease-time 20;
max-lease-time 20;
min-lease-time 20;
subnet 203.0.113.0 netmask 255.255.255.128 {
  range 203.0.113.32 203.0.113.47;
  option routers 203.0.113.1;
  server-identifier 203.0.113.1;
}
subnet 198.51.100.0 netmask 255.255.255.128 {
}
host reserved1 {
  host-identifier option agent.circuit-id "down0";
  fixed-address 203.0.113.77;
}
`
	if diff := cmp.Diff(want, dhcpdConfig(testServerConfig())); diff != "" {
		t.Errorf("dhcpd.conf (-want +got):\n%s", diff)
	}
}

func TestDhcpdData(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"text", "down0", `"down0"`},
		{"binary", "a\x00b", "61:00:62"},
		{"quote", `a"b`, "61:22:62"},
		{"one byte", "\x01", `"\x01"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, dhcpdData(tt.in)); diff != "" {
				t.Errorf("dhcpdData (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeaConfig(t *testing.T) {
	b, err := keaConfig(netip.MustParseAddr("198.51.100.2"), testServerConfig())
	if err != nil {
		t.Fatalf("keaConfig: %v", err)
	}
	var doc struct {
		Dhcp4 struct {
			Interfaces struct {
				Interfaces []string `json:"interfaces"`
				SocketType string   `json:"dhcp-socket-type"`
			} `json:"interfaces-config"`
			Valid       int              `json:"valid-lifetime"`
			Renew       int              `json:"renew-timer"`
			Rebind      int              `json:"rebind-timer"`
			Identifiers []string         `json:"host-reservation-identifiers"`
			Subnets     []map[string]any `json:"subnet4"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("kea config is not JSON: %v\n%s", err, b)
	}
	d := doc.Dhcp4
	if diff := cmp.Diff([]string{"eth0/198.51.100.2"}, d.Interfaces.Interfaces); diff != "" || d.Interfaces.SocketType != "udp" {
		t.Errorf("interfaces-config: socket type %q, interfaces (-want +got):\n%s", d.Interfaces.SocketType, diff)
	}
	if d.Valid != 20 || d.Renew != 10 || d.Rebind != 17 {
		t.Errorf("lifetimes valid %d renew %d rebind %d, want 20 10 17", d.Valid, d.Renew, d.Rebind)
	}
	wantSubnets := []map[string]any{
		{
			"id": 1.0, "subnet": "203.0.113.0/25",
			"pools": []any{map[string]any{"pool": "203.0.113.32 - 203.0.113.47"}},
			"option-data": []any{
				map[string]any{"name": "routers", "data": "203.0.113.1"},
				map[string]any{"name": "dhcp-server-identifier", "data": "203.0.113.1"},
			},
			"reservations": []any{map[string]any{"circuit-id": "64:6f:77:6e:30", "ip-address": "203.0.113.77"}},
		},
		{"id": 2.0, "subnet": "198.51.100.0/25"},
	}
	if diff := cmp.Diff(wantSubnets, d.Subnets); diff != "" {
		t.Errorf("subnet4 (-want +got):\n%s", diff)
	}
}

func TestServerConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*ServerConfig)
		want   string
	}{
		{"no interface", func(c *ServerConfig) { c.Interface = "" }, "server config: interface is required"},
		{"half pool", func(c *ServerConfig) { c.Subnets[0].PoolLast = netip.Addr{} }, "server config: subnets[0]: pool needs both ends"},
		{"pool outside", func(c *ServerConfig) { c.Subnets[0].PoolLast = netip.MustParseAddr("203.0.113.200") },
			"server config: subnets[0]: pool 203.0.113.32-203.0.113.200 is outside 203.0.113.0/25"},
		{"reservation outside", func(c *ServerConfig) { c.Subnets[0].Reservations[0].Addr = netip.MustParseAddr("198.51.100.9") },
			"server config: subnets[0]: reservations[0]: need a circuit-id and an address in 203.0.113.0/25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testServerConfig()
			tt.modify(&c)
			if err := c.validate(); err == nil || err.Error() != tt.want {
				t.Errorf("validate error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDnsmasqArgs(t *testing.T) {
	cfg := testServerConfig()
	cfg.LeaseTime = 3 * time.Minute
	cfg.Subnets[0].ServerID, cfg.Subnets[0].Reservations = netip.Addr{}, nil
	want := []string{
		"dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
		"--no-resolv", "--no-hosts", "--no-poll", "--no-ping", "--dhcp-authoritative",
		"--interface=eth0", "--log-dhcp", "--log-facility=-",
		"--dhcp-range=set:s0,203.0.113.32,203.0.113.47,255.255.255.128,180s",
		"--dhcp-option=tag:s0,option:router,203.0.113.1",
	}
	got, err := dnsmasqArgs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dnsmasq arguments (-want +got):\n%s", diff)
	}
}

func TestDnsmasqArgsRefused(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*ServerConfig)
		want string
	}{
		{"server-id", func(c *ServerConfig) { c.Subnets[0].Reservations = nil }, "subnets[0]: the lab's dnsmasq has no server-id nor reservations"},
		{"reservation", func(c *ServerConfig) { c.Subnets[0].ServerID = netip.Addr{} }, "subnets[0]: the lab's dnsmasq has no server-id nor reservations"},
		{"short lease", func(c *ServerConfig) { c.LeaseTime = time.Minute }, "lease time 1m0s: dnsmasq gives at least 2m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testServerConfig()
			cfg.LeaseTime = 3 * time.Minute
			tt.mod(&cfg)
			_, err := dnsmasqArgs(cfg)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
