package lab

import (
	"fmt"
	"net/netip"
	"time"
)

// ServerKind names a DHCP server implementation the lab can run.
type ServerKind string

// The servers the lab runs.
const (
	Kea     ServerKind = "kea"
	Dhcpd   ServerKind = "dhcpd"
	Dnsmasq ServerKind = "dnsmasq"
)

// ServerConfig is what a lab DHCP server serves, whatever its implementation.
type ServerConfig struct {
	// Interface is the server's interface in its namespace; it listens there
	// for relayed traffic only.
	Interface string
	// Subnets are the subnets the server knows: the client segments it serves
	// through the relay, and its own segment (without a pool), which ISC dhcpd
	// insists on.
	Subnets []Subnet
	// LeaseTime is the lease lifetime (default one hour). Renewal (T1) is at half
	// of it and rebinding (T2) at seven eighths.
	LeaseTime time.Duration
}

// Subnet is one subnet of a server.
type Subnet struct {
	// Prefix is the subnet, e.g. 203.0.113.0/25.
	Prefix netip.Prefix
	// PoolFirst and PoolLast bound the dynamic pool; both zero for none.
	PoolFirst, PoolLast netip.Addr
	// Router is handed out as option 3 when valid.
	Router netip.Addr
	// ServerID, when valid, is the server identifier the server puts in its
	// replies for this subnet, instead of its own address. With the relay's
	// address here the server behaves as if it honoured the RFC 5107
	// server-identifier-override sub-option, which neither Kea 2.2 nor ISC dhcpd
	// 4.4 do: clients then send their renewals to the relay.
	ServerID netip.Addr
	// Reservations are fixed addresses keyed by the relay's circuit-id.
	Reservations []Reservation
}

// Reservation gives Addr to the client whose relayed requests carry CircuitID.
type Reservation struct {
	CircuitID string
	Addr      netip.Addr
}

// Server is a DHCP server the lab started.
type Server struct {
	Kind ServerKind
	// Addr is the server's address, the relay's helper address for it.
	Addr netip.Addr
	// Proc is the server process; its log tells what it did.
	Proc *Proc
	// ConfigPath is the configuration file the lab wrote.
	ConfigPath string
}

// StartServer starts a server of the given kind in ns, listening on addr.
func (l *Lab) StartServer(kind ServerKind, ns string, addr netip.Addr, cfg ServerConfig) *Server {
	l.t.Helper()
	switch kind {
	case Kea:
		return l.StartKea(ns, addr, cfg)
	case Dhcpd:
		return l.StartDhcpd(ns, addr, cfg)
	case Dnsmasq:
		return l.StartDnsmasq(ns, addr, cfg)
	default:
		l.t.Fatalf("unknown DHCP server kind %q", kind)
		return nil
	}
}

func (c ServerConfig) leaseTime() time.Duration {
	if c.LeaseTime <= 0 {
		return time.Hour
	}
	return c.LeaseTime
}

func (c ServerConfig) validate() error {
	if c.Interface == "" {
		return fmt.Errorf("server config: interface is required")
	}
	for i, s := range c.Subnets {
		if !s.Prefix.IsValid() || !s.Prefix.Addr().Is4() {
			return fmt.Errorf("server config: subnets[%d]: prefix %s is not an IPv4 prefix", i, s.Prefix)
		}
		if s.PoolFirst.IsValid() != s.PoolLast.IsValid() {
			return fmt.Errorf("server config: subnets[%d]: pool needs both ends", i)
		}
		if s.PoolFirst.IsValid() && (!s.Prefix.Contains(s.PoolFirst) || !s.Prefix.Contains(s.PoolLast)) {
			return fmt.Errorf("server config: subnets[%d]: pool %s-%s is outside %s", i, s.PoolFirst, s.PoolLast, s.Prefix)
		}
		for j, r := range s.Reservations {
			if r.CircuitID == "" || !s.Prefix.Contains(r.Addr) {
				return fmt.Errorf("server config: subnets[%d]: reservations[%d]: need a circuit-id and an address in %s", i, j, s.Prefix)
			}
		}
	}
	return nil
}

// maskOf is the dotted netmask of a prefix.
func maskOf(p netip.Prefix) netip.Addr {
	bits := p.Bits()
	var m [4]byte
	for i := 0; i < 4; i++ {
		switch {
		case bits >= 8:
			m[i] = 0xff
			bits -= 8
		case bits > 0:
			m[i] = byte(0xff << (8 - bits))
			bits = 0
		}
	}
	return netip.AddrFrom4(m)
}
