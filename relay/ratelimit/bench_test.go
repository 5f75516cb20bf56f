package ratelimit

import (
	"testing"
	"time"
)

// benchConfig lets everything through at the interface, so that the
// benchmarks measure the client table.
var benchConfig = Config{InterfaceRate: 1e9, InterfaceBurst: 1 << 20, ClientRate: 10, ClientBurst: 20, MaxClients: DefaultMaxClients}

func BenchmarkInterfaceAllowKnownMAC(b *testing.B) {
	l := NewInterface(benchConfig, t0)
	for i := range 1000 {
		l.Allow(nthMAC(i), t0)
	}
	now := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Microsecond)
		l.Allow(nthMAC(i%1000), now)
	}
}

func BenchmarkInterfaceAllowNewMACFullTable(b *testing.B) {
	l := NewInterface(benchConfig, t0)
	for i := range DefaultMaxClients {
		l.Allow(nthMAC(i), t0)
	}
	now := t0
	b.ReportAllocs()
	for i := DefaultMaxClients; b.Loop(); i++ {
		now = now.Add(time.Microsecond)
		l.Allow(nthMAC(i), now)
	}
}

func BenchmarkInterfaceAllowInterfaceOnly(b *testing.B) {
	l := NewInterface(Config{InterfaceRate: 1e9, InterfaceBurst: 1 << 20}, t0)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Microsecond)
		l.Allow(macA, now)
	}
}

func BenchmarkHelperAllow(b *testing.B) {
	h := NewHelper(1e9, 1<<20, t0)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Microsecond)
		h.Allow(now)
	}
}

// BenchmarkHelperAllowParallel shares one Helper between GOMAXPROCS
// goroutines, the worst case of interfaces relaying to one helper.
func BenchmarkHelperAllowParallel(b *testing.B) {
	h := NewHelper(1e9, 1<<20, time.Now())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.Allow(time.Now())
		}
	})
}

// BenchmarkInterfaceAllowFlood is a VLAN under a random-MAC flood: each
// iteration a never-seen MAC, nearly all refused by the interface limit,
// and every tenth a known client's request.
func BenchmarkInterfaceAllowFlood(b *testing.B) {
	l := NewInterface(Config{InterfaceRate: 200, InterfaceBurst: 400, ClientRate: 1e6, ClientBurst: 1 << 20}, t0)
	l.Allow(macA, t0)
	now := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Microsecond)
		if i%10 == 0 {
			l.Allow(macA, now)
			continue
		}
		l.Allow(nthMAC(i), now)
	}
}
