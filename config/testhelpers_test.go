package config

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testHostname is the host name every test build sees.
const testHostname = "relay1"

// parseTest is ParseWithFlags with a fixed host name.
func parseTest(data string, f Flags) (*Config, error) {
	raw, err := decodeFile([]byte(data))
	if err != nil {
		return nil, err
	}
	return build(raw, f, func() (string, error) { return testHostname, nil })
}

// effectiveRoundTrip prints cfg's effective configuration and parses it
// back without flags: what check-config prints must load as the same
// configuration.
func effectiveRoundTrip(t testing.TB, cfg *Config) *Config {
	t.Helper()
	data, err := cfg.Effective()
	if err != nil {
		t.Fatalf("Effective: %v", err)
	}
	back, err := parseTest(string(data), Flags{})
	if err != nil {
		t.Fatalf("parse of the effective config: %v\n%s", err, data)
	}
	return back
}

// cmpOpts compare netip.Addr and netip.AddrPort values by value.
func cmpOpts() cmp.Options {
	return cmp.Options{
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }),
	}
}

// mustTemplate compiles a template or fails the test.
func mustTemplate(t *testing.T, s string) Template {
	t.Helper()
	tmpl, err := ParseTemplate(s)
	if err != nil {
		t.Fatalf("ParseTemplate(%q): %v", s, err)
	}
	return tmpl
}

// addrs parses addresses or panics (test data only).
func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

// defaultInterface is an entry with every key at its built-in default.
func defaultInterface(t *testing.T, name string, helpers ...string) Interface {
	t.Helper()
	return Interface{
		Name:    name,
		Helpers: addrs(helpers...),
		Option82: Option82{
			Insert:    true,
			Policy:    PolicyReplace,
			Check:     true,
			CircuitID: mustTemplate(t, "{ifname}"),
			RemoteID:  mustTemplate(t, "{hostname}"),
		},
		RateLimit:    defaultRateLimit(),
		VerifyCHAddr: true,
	}
}

// defaultConfig is a Config with the built-in globals and ifs.
func defaultConfig(ifs ...Interface) *Config {
	return &Config{
		Interfaces:    ifs,
		MaxHops:       4,
		MaxPacketSize: 1472,
		Hostname:      testHostname,
		LeaseDB:       "/var/lib/iphelper/leases.db",
		PollRate:      DefaultPollRate,
		Log:           Log{Level: "info", Format: "text"},
	}
}

// ptrTo returns a pointer to v, for Flags literals.
func ptrTo[T any](v T) *T { return &v }

// defaultRateLimit is the built-in rate limits.
func defaultRateLimit() RateLimit {
	return RateLimit{InterfaceRate: 2000, InterfaceBurst: 4000, ClientRate: 10, ClientBurst: 20, MaxClients: 65536}
}
