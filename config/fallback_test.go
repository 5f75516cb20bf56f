package config

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// defaultFallback is a scope with the given pools and every other key at
// its built-in default.
func defaultFallback(pools ...string) *Fallback {
	f := &Fallback{
		Enabled:            true,
		LeaseTime:          10 * time.Minute,
		OfferDelay:         time.Second,
		DownAfter:          3,
		TransactionTimeout: 2 * time.Second,
		ProbeCount:         1,
		ProbeTimeout:       200 * time.Millisecond,
		DeclineQuarantine:  10 * time.Minute,
		OfferHold:          30 * time.Second,
		Failback:           FailbackNAK,
	}
	for _, p := range pools {
		f.Pools = append(f.Pools, mustRange(p))
	}
	return f
}

// mustRange parses a range or panics (test data only).
func mustRange(s string) Range {
	r, err := ParseRange(s)
	if err != nil {
		panic(err)
	}
	return r
}

// mustMAC parses a MAC address or panics (test data only).
func mustMAC(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// fullFallbackYAML is the example of the fallback block, every key set.
const fullFallbackYAML = `
interfaces:
  - name: eth1
    helper-addresses: [198.51.100.2]
    fallback:
      enabled: true
      pools: ["203.0.113.100-203.0.113.150", "203.0.113.170 - 203.0.113.180"]
      exclude: ["203.0.113.120-203.0.113.125", "203.0.113.130"]
      reservations:
        - {mac: "02:00:00:00:00:99", address: 203.0.113.160}
        - {client-id: "hex:01:02:00:00:00:00:98", address: 203.0.113.161}
        - {client-id: "printer-7", address: 203.0.113.162}
      router: [203.0.113.1, 203.0.113.2]
      dns: [198.51.100.53]
      domain: example.net
      lease-time: 1h
      t1: 20m
      t2: 45m
      offer-delay: 1500ms
      down-after: 5
      transaction-timeout: 3s
      probe-count: 2
      probe-timeout: 300ms
      decline-quarantine: 1h
      offer-hold: 1m
      failback: keep
      use-secs: true
      secs-threshold: 10s
`

func TestFallbackParse(t *testing.T) {
	full := &Fallback{
		Enabled: true,
		Pools:   []Range{mustRange("203.0.113.100-203.0.113.150"), mustRange("203.0.113.170-203.0.113.180")},
		Exclude: []Range{mustRange("203.0.113.120-203.0.113.125"), mustRange("203.0.113.130")},
		Reservations: []Reservation{
			{MAC: mustMAC("02:00:00:00:00:99"), Addr: netip.MustParseAddr("203.0.113.160")},
			{ClientID: []byte{1, 2, 0, 0, 0, 0, 0x98}, Addr: netip.MustParseAddr("203.0.113.161")},
			{ClientID: []byte("printer-7"), Addr: netip.MustParseAddr("203.0.113.162")},
		},
		Router:             addrs("203.0.113.1", "203.0.113.2"),
		DNS:                addrs("198.51.100.53"),
		Domain:             "example.net",
		LeaseTime:          time.Hour,
		T1:                 20 * time.Minute,
		T2:                 45 * time.Minute,
		OfferDelay:         1500 * time.Millisecond,
		DownAfter:          5,
		TransactionTimeout: 3 * time.Second,
		ProbeCount:         2,
		ProbeTimeout:       300 * time.Millisecond,
		DeclineQuarantine:  time.Hour,
		OfferHold:          time.Minute,
		Failback:           FailbackKeep,
		UseSecs:            true,
		SecsThreshold:      10 * time.Second,
	}
	tests := []struct {
		name string
		data string
		want []*Fallback // per interface entry
	}{
		{name: "every key", data: fullFallbackYAML, want: []*Fallback{full}},
		{
			name: "pools only: the built-in defaults",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.100-203.0.113.150]}}]",
			want: []*Fallback{defaultFallback("203.0.113.100-203.0.113.150")},
		},
		{
			name: "defaults fill the block key by key, and create no scope",
			data: `
defaults:
  helper-addresses: [198.51.100.2]
  fallback: {lease-time: 30m, dns: [198.51.100.53], failback: keep, router: []}
interfaces:
  - name: eth1
    fallback: {pools: [203.0.113.10-203.0.113.20], failback: nak, dns: []}
  - name: eth2
`,
			want: []*Fallback{
				func() *Fallback {
					f := defaultFallback("203.0.113.10-203.0.113.20")
					f.LeaseTime = 30 * time.Minute
					return f
				}(),
				nil,
			},
		},
		{
			name: "a deactivated scope on a pattern entry",
			data: "interfaces: [{name: 'eth0.*', helper-addresses: [198.51.100.2], fallback: {enabled: false, pools: [203.0.113.5]}}]",
			want: []*Fallback{func() *Fallback {
				f := defaultFallback("203.0.113.5")
				f.Enabled = false
				return f
			}()},
		},
		{
			name: "only t2 set, above the 50% default of t1; probes off",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.5-203.0.113.9], t2: 6m, probe-count: 0, offer-delay: 0s}}]",
			want: []*Fallback{func() *Fallback {
				f := defaultFallback("203.0.113.5-203.0.113.9")
				f.T2, f.ProbeCount, f.OfferDelay = 6*time.Minute, 0, 0
				return f
			}()},
		},
		{
			name: "offer-delay and probes just under 4s; trailing dot in domain",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.5], offer-delay: 2s, probe-count: 5, probe-timeout: 399ms, domain: lab.example.}}]",
			want: []*Fallback{func() *Fallback {
				f := defaultFallback("203.0.113.5")
				f.OfferDelay, f.ProbeCount, f.ProbeTimeout, f.Domain = 2*time.Second, 5, 399*time.Millisecond, "lab.example."
				return f
			}()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseTest(tt.data, Flags{})
			if err != nil {
				t.Fatal(err)
			}
			var got []*Fallback
			for _, in := range cfg.Interfaces {
				got = append(got, in.Fallback)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFallbackEffectiveTimes(t *testing.T) {
	tests := []struct {
		name           string
		f              Fallback
		wantT1, wantT2 time.Duration
	}{
		{name: "defaults", f: Fallback{LeaseTime: 10 * time.Minute}, wantT1: 5 * time.Minute, wantT2: 525 * time.Second},
		{name: "set", f: Fallback{LeaseTime: time.Hour, T1: time.Minute, T2: 2 * time.Minute}, wantT1: time.Minute, wantT2: 2 * time.Minute},
		{name: "odd seconds", f: Fallback{LeaseTime: 61 * time.Second}, wantT1: 30500 * time.Millisecond, wantT2: 53375 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []time.Duration{tt.f.RenewalTime(), tt.f.RebindingTime()}
			if diff := cmp.Diff([]time.Duration{tt.wantT1, tt.wantT2}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
