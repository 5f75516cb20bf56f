package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFallbackFlags(t *testing.T) {
	const file = `
defaults:
  helper-addresses: [198.51.100.2]
  fallback: {dns: [198.51.100.54]}
interfaces:
  - name: eth1
    fallback: {pools: [203.0.113.10-203.0.113.20], lease-time: 1h}
  - name: eth2
`
	with := func(f *Fallback, edit func(*Fallback)) *Fallback {
		edit(f)
		return f
	}
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  map[string]*Fallback
	}{
		{
			name: "the README command line",
			flags: Flags{
				Interfaces:      []string{"eth1"},
				HelperAddresses: []string{"198.51.100.2"},
				FallbackPools:   []string{"eth1=203.0.113.100-203.0.113.150"},
			},
			want: map[string]*Fallback{"eth1": defaultFallback("203.0.113.100-203.0.113.150")},
		},
		{
			name: "every flag, a bare pool on two --interfaces",
			flags: Flags{
				Interfaces:        []string{"eth1", "eth3"},
				HelperAddresses:   []string{"198.51.100.2"},
				FallbackPools:     []string{"203.0.113.100-203.0.113.150", "203.0.113.160"},
				FallbackRouter:    ptrTo("203.0.113.1"),
				FallbackDNS:       []string{"198.51.100.53", "198.51.100.54"},
				FallbackDomain:    ptrTo("example.net"),
				FallbackLeaseTime: ptrTo("5m"),
				OfferDelay:        ptrTo("500ms"),
				Failback:          ptrTo("keep"),
			},
			want: func() map[string]*Fallback {
				f := func() *Fallback {
					return with(defaultFallback("203.0.113.100-203.0.113.150", "203.0.113.160"), func(f *Fallback) {
						f.Router = addrs("203.0.113.1")
						f.DNS = addrs("198.51.100.53", "198.51.100.54")
						f.Domain = "example.net"
						f.LeaseTime = 5 * time.Minute
						f.OfferDelay = 500 * time.Millisecond
						f.Failback = FailbackKeep
					})
				}
				return map[string]*Fallback{"eth1": f(), "eth3": f()}
			}(),
		},
		{
			name:  "file only: defaults fill the block, no scope where no pools",
			data:  file,
			flags: Flags{},
			want: map[string]*Fallback{
				"eth1": with(defaultFallback("203.0.113.10-203.0.113.20"), func(f *Fallback) {
					f.LeaseTime = time.Hour
					f.DNS = addrs("198.51.100.54")
				}),
				"eth2": nil,
			},
		},
		{
			name: "a bare pool is for the --interface entries only; option flags create no scope",
			data: file,
			flags: Flags{
				Interfaces:        []string{"eth3"},
				FallbackPools:     []string{"203.0.113.200-203.0.113.210"},
				FallbackLeaseTime: ptrTo("2h"),
				FallbackDNS:       []string{"198.51.100.53"},
			},
			want: map[string]*Fallback{
				// Global flags come after the entry's own block, before
				// the file's defaults.
				"eth1": with(defaultFallback("203.0.113.10-203.0.113.20"), func(f *Fallback) {
					f.LeaseTime = time.Hour
					f.DNS = addrs("198.51.100.53")
				}),
				"eth2": nil,
				"eth3": with(defaultFallback("203.0.113.200-203.0.113.210"), func(f *Fallback) {
					f.LeaseTime = 2 * time.Hour
					f.DNS = addrs("198.51.100.53")
				}),
			},
		},
		{
			name: "named pools replace the file's and enable a file entry",
			data: file,
			flags: Flags{
				FallbackPools: []string{"eth1=203.0.113.30-203.0.113.40", "eth2=203.0.113.130-203.0.113.140", "eth1=203.0.113.50"},
			},
			want: map[string]*Fallback{
				"eth1": with(defaultFallback("203.0.113.30-203.0.113.40", "203.0.113.50"), func(f *Fallback) {
					f.LeaseTime = time.Hour
					f.DNS = addrs("198.51.100.54")
				}),
				"eth2": with(defaultFallback("203.0.113.130-203.0.113.140"), func(f *Fallback) {
					f.DNS = addrs("198.51.100.54")
				}),
			},
		},
		{
			name: "global flags win over the block of an --interface in the file",
			data: file,
			flags: Flags{
				Interfaces:        []string{"eth1"},
				FallbackLeaseTime: ptrTo("2h"),
			},
			want: map[string]*Fallback{
				"eth1": with(defaultFallback("203.0.113.10-203.0.113.20"), func(f *Fallback) {
					f.LeaseTime = 2 * time.Hour
					f.DNS = addrs("198.51.100.54")
				}),
				"eth2": nil,
			},
		},
		{
			name: "a pattern entry",
			data: "interfaces: [{name: 'eth0.*', helper-addresses: [198.51.100.2]}]",
			flags: Flags{
				FallbackPools: []string{"eth0.*=203.0.113.100-203.0.113.150"},
			},
			want: map[string]*Fallback{"eth0.*": defaultFallback("203.0.113.100-203.0.113.150")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseTest(tt.data, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]*Fallback{}
			for _, in := range cfg.Interfaces {
				got[in.Name] = in.Fallback
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
