package config

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckSubnet(t *testing.T) {
	with := func(edit func(*Fallback)) *Fallback {
		f := defaultFallback("203.0.113.100-203.0.113.120")
		edit(f)
		return f
	}
	const p25 = "203.0.113.1/25"
	tests := []struct {
		name   string
		f      *Fallback
		prefix string
		want   string // "" for no error
	}{
		{name: "fits", f: defaultFallback("203.0.113.100-203.0.113.120"), prefix: p25},
		{
			name: "everything fits",
			f: with(func(f *Fallback) {
				f.Pools = append(f.Pools, mustRange("203.0.113.2-203.0.113.9"), mustRange("203.0.113.126"))
				f.Exclude = []Range{mustRange("203.0.113.0-203.0.113.1")}
				f.Reservations = []Reservation{{MAC: mustMAC("02:00:00:00:00:99"), Addr: addrs("203.0.113.50")[0]}}
				f.Router = addrs("203.0.113.1")
				f.DNS = addrs("198.51.100.53")
			}),
			prefix: p25,
		},
		{name: "the interface address is not the network's first", f: defaultFallback("203.0.113.1-203.0.113.50"), prefix: "203.0.113.100/25"},
		{
			name:   "pool outside",
			f:      defaultFallback("203.0.113.100-203.0.113.130"),
			prefix: p25,
			want:   "fallback.pools[0]: 203.0.113.100-203.0.113.130 is not inside 203.0.113.0/25",
		},
		{
			name:   "pool holds the network address",
			f:      defaultFallback("203.0.113.128-203.0.113.130"),
			prefix: "203.0.113.129/25",
			want:   "fallback.pools[0]: 203.0.113.128-203.0.113.130 holds the network address 203.0.113.128",
		},
		{
			name:   "pool holds the broadcast address",
			f:      defaultFallback("203.0.113.100-203.0.113.127"),
			prefix: p25,
			want:   "fallback.pools[0]: 203.0.113.100-203.0.113.127 holds the broadcast address 203.0.113.127",
		},
		{
			name:   "pool holds our own address",
			f:      defaultFallback("203.0.113.100-203.0.113.120"),
			prefix: "203.0.113.110/25",
			want:   "fallback.pools[0]: 203.0.113.100-203.0.113.120 holds the interface's own address 203.0.113.110",
		},
		{
			name: "every problem, one per line",
			f: with(func(f *Fallback) {
				f.Pools = append(f.Pools, mustRange("198.51.100.10-198.51.100.20"))
				f.Exclude = []Range{mustRange("203.0.113.120-203.0.113.130")}
				f.Reservations = []Reservation{
					{ClientID: []byte("ab"), Addr: addrs("203.0.113.50")[0]},
					{ClientID: []byte("cd"), Addr: addrs("203.0.113.1")[0]},
				}
				f.Router = addrs("198.51.100.1")
			}),
			prefix: p25,
			want: "fallback.pools[1]: 198.51.100.10-198.51.100.20 is not inside 203.0.113.0/25\n" +
				"fallback.exclude[0]: 203.0.113.120-203.0.113.130 is not inside 203.0.113.0/25\n" +
				"fallback.reservations[1]: address: 203.0.113.1 holds the interface's own address 203.0.113.1\n" +
				"fallback.router[0]: 198.51.100.1 is not inside 203.0.113.0/25",
		},
		{name: "too small", f: defaultFallback("203.0.113.2"), prefix: "203.0.113.1/31", want: "fallback: subnet 203.0.113.1/31 has no room for a pool"},
		{name: "IPv6", f: defaultFallback("203.0.113.2"), prefix: "2001:db8::1/64", want: "fallback: subnet 2001:db8::1/64 is not an IPv4 prefix"},
		{name: "invalid", f: defaultFallback("203.0.113.2"), want: "fallback: subnet invalid Prefix is not an IPv4 prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p netip.Prefix
			if tt.prefix != "" {
				p = netip.MustParsePrefix(tt.prefix)
			}
			err := tt.f.CheckSubnet(p)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}
