package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/config"
)

// fbSettings are the settings of the fallback scope that make iphelper do
// what Kea does, and no more.
type fbSettings struct {
	Interfaces         []string
	Helpers            []string
	LeaseDB            string
	Pools              []string
	LeaseTime          time.Duration
	OfferDelay         time.Duration
	DownAfter          int
	TransactionTimeout time.Duration
	ProbeCount         int
	MaxOffers          int
	ReserveForKnown    int
}

func TestFallbackYAML(t *testing.T) {
	cfg, err := config.ParseWithFlags([]byte(fallbackYAML("/tmp/x/leases.db")), config.Flags{
		Interfaces: []string{relayDown}, HelperAddresses: []string{deadHelper},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got fbSettings
	got.LeaseDB = cfg.LeaseDB
	for _, ifc := range cfg.Interfaces {
		got.Interfaces = append(got.Interfaces, ifc.Name)
		for _, h := range ifc.Helpers {
			got.Helpers = append(got.Helpers, h.String())
		}
		if fb := ifc.Fallback; fb != nil {
			for _, p := range fb.Pools {
				got.Pools = append(got.Pools, p.String())
			}
			got.LeaseTime, got.OfferDelay, got.DownAfter = fb.LeaseTime, fb.OfferDelay, fb.DownAfter
			got.TransactionTimeout, got.ProbeCount = fb.TransactionTimeout, fb.ProbeCount
			got.MaxOffers, got.ReserveForKnown = fb.MaxOffers, fb.ReserveForKnown
		}
	}
	want := fbSettings{
		Interfaces: []string{"down0"}, Helpers: []string{"198.51.100.9"}, LeaseDB: "/tmp/x/leases.db",
		Pools: []string{"203.0.113.10-203.0.113.250"}, LeaseTime: time.Hour, DownAfter: 1,
		TransactionTimeout: 100 * time.Millisecond, MaxOffers: -1, ReserveForKnown: -1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fallback settings (-want +got):\n%s", diff)
	}
}

func TestKeaJSON(t *testing.T) {
	b, err := keaJSON("/tmp/x/leases4.csv")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Dhcp4 struct {
			Interfaces struct {
				Interfaces []string `json:"interfaces"`
				SocketType string   `json:"dhcp-socket-type"`
			} `json:"interfaces-config"`
			LeaseDB struct {
				Type        string `json:"type"`
				Persist     bool   `json:"persist"`
				Name        string `json:"name"`
				LFCInterval int    `json:"lfc-interval"`
			} `json:"lease-database"`
			Valid   int `json:"valid-lifetime"`
			Subnets []struct {
				Subnet string `json:"subnet"`
				Pools  []struct {
					Pool string `json:"pool"`
				} `json:"pools"`
			} `json:"subnet4"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	d := doc.Dhcp4
	got := []any{d.Interfaces.Interfaces, d.Interfaces.SocketType, d.LeaseDB.Type, d.LeaseDB.Persist, d.LeaseDB.Name,
		d.LeaseDB.LFCInterval, d.Valid, d.Subnets[0].Subnet, d.Subnets[0].Pools[0].Pool}
	want := []any{[]string{"eth0"}, "raw", "memfile", true, "/tmp/x/leases4.csv",
		0, 3600, "203.0.113.0/24", "203.0.113.10 - 203.0.113.250"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kea config (-want +got):\n%s", diff)
	}
}

func TestUpstreamDown(t *testing.T) {
	const (
		started = `time=2026-11-30T16:41:20.957Z level=INFO msg="fallback server ready" iface=down0 pools=1 offer_delay=0s` + "\n"
		down    = `time=2026-11-30T16:41:21.206Z level=WARN msg="upstream health changed" helpers=198.51.100.9 from=up to=down reason="1 transaction got no reply within 100ms"` + "\n"
		up      = `time=2026-11-30T16:41:22.206Z level=WARN msg="upstream health changed" helpers=198.51.100.9 from=down to=up reason="upstream replied"` + "\n"
	)
	tests := []struct {
		name string
		log  string
		want bool
	}{
		{name: "not yet", log: started, want: false},
		{name: "down", log: started + down, want: true},
		{name: "down, then up again", log: started + down + up, want: false},
		{name: "up, then down", log: started + up + down, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, upstreamDown(tt.log)); diff != "" {
				t.Errorf("down (-want +got):\n%s", diff)
			}
		})
	}
}
