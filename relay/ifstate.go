package relay

import (
	"fmt"
	"net/netip"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/health"
	"github.com/iphelper/iphelper/relay/option82"
	"github.com/iphelper/iphelper/relay/ratelimit"
)

// dhcpServerPort and dhcpClientPort are the BOOTP ports (RFC 951).
const (
	dhcpServerPort = 67
	dhcpClientPort = 68
)

// ifState is everything the hot paths need to know about one downstream
// interface. It is computed from the link and the configuration whenever
// either changes and swapped in atomically; it is never modified after
// that, so readers need no lock.
type ifState struct {
	name       string
	link       iface.Link
	cfg        *config.Interface
	addr       netip.Prefix                   // the interface's primary IPv4 address; invalid: none yet
	giaddr     netip.Addr                     // what goes into giaddr; invalid: none yet
	helpers    []netip.AddrPort               // helper:67, without those reached through this interface
	helperLims []*ratelimit.Helper            // the helpers' global ceilings, by index in helpers (nil: none)
	helperCtr  map[netip.Addr]*helperCounters // every configured helper's counters, resolved at build time
	isHelper   map[netip.Addr]bool            // every configured helper, for the reply source check
	skipped    int                            // helpers left out because they sit on this interface's subnet

	circuitID []byte    // our circuit-id sub-option value
	remoteID  []byte    // our remote-id sub-option value
	opt82     [2][]byte // our option 82 TLV: [0] for broadcast requests, [1] for unicast (RFC 5010 U flag)

	agent    *agent                         // the agent serving the interface, for the reply path's socket
	tracker  *health.Tracker                // upstream health of the interface's helper set
	members  map[netip.Addr]*health.Tracker // each helper's own health within the set
	latency  *latencyHist                   // the helper set's transaction latencies
	fb       *fallbackWorker                // the fallback server; nil when the interface has none
	fbOff    string                         // why the interface's fallback scope is not served; "" when it is, or it has none
	maxHops  int                            // config.Config.MaxHops, here so the hot path reads no shared config
	maxSize  int                            // config.Config.MaxPacketSize
	fwd      *udpForward                    // the forwarded UDP ports; nil: DHCP only
	srcOOB   []byte                         // IP_PKTINFO asking for giaddr as the source address; nil: let the kernel choose
	counters *ifaceCounters
}

// ready reports whether the interface can relay: it has a link that is up
// and an address to put into giaddr.
func (s *ifState) ready() bool {
	return s.link.Index > 0 && s.link.Up && s.giaddr.IsValid() && s.addr.IsValid()
}

// stateInput is what buildState needs besides the interface's own link.
type stateInput struct {
	cfg      *config.Config
	ifc      *config.Interface
	links    map[string]iface.Link // every link, for source-interface
	counters *ifaceCounters
}

// buildState computes the state of one downstream interface. An error
// means the configuration cannot be applied to this link (for example a
// circuit-id template that expands to more than 255 bytes); the interface
// then is not served and the error is logged.
func buildState(link iface.Link, in stateInput) (*ifState, error) {
	s := &ifState{
		name: link.Name, link: link, cfg: in.ifc, counters: in.counters, isHelper: make(map[netip.Addr]bool),
		maxHops: in.cfg.MaxHops, maxSize: in.cfg.MaxPacketSize,
	}
	if p, ok := link.PrimaryIPv4(); ok {
		s.addr = p
	}
	s.giaddr = s.addr.Addr()
	switch {
	case in.ifc.GIAddr.IsValid():
		s.giaddr = in.ifc.GIAddr
	case in.ifc.SourceInterface != "":
		s.giaddr = netip.Addr{}
		if src, ok := in.links[in.ifc.SourceInterface]; ok {
			if p, ok := src.PrimaryIPv4(); ok {
				s.giaddr = p.Addr()
			}
		}
	}
	if s.giaddr.IsValid() && s.giaddr != s.addr.Addr() {
		s.srcOOB = iface.PktinfoSource(s.giaddr)
	}
	for _, h := range in.ifc.Helpers {
		s.isHelper[h] = true
		if s.addr.IsValid() && s.addr.Masked().Contains(h) {
			s.skipped++ // never send a request back out of the interface it came in on
			continue
		}
		s.helpers = append(s.helpers, netip.AddrPortFrom(h, dhcpServerPort))
	}
	s.fwd = buildForward(in.ifc, in.counters)
	if err := s.buildOption82(in.cfg.Hostname); err != nil {
		return nil, fmt.Errorf("interface %q: %w", link.Name, err)
	}
	return s, nil
}

// buildOption82 precomputes our option 82 so the request path only copies
// bytes.
func (s *ifState) buildOption82(hostname string) error {
	o := s.cfg.Option82
	vars := config.TemplateVars{
		IfName: s.link.Name, IfIndex: s.link.Index, VLAN: s.link.VLANID, Parent: s.link.Parent,
		MAC: s.link.MAC, Addr: s.addr.Addr(), Hostname: hostname,
	}
	var err error
	if s.circuitID, err = o.CircuitID.Expand(vars); err != nil {
		return fmt.Errorf("circuit-id: %w", err)
	}
	if s.remoteID, err = o.RemoteID.Expand(vars); err != nil {
		return fmt.Errorf("remote-id: %w", err)
	}
	var subscriber []byte
	if !o.SubscriberID.IsZero() {
		if subscriber, err = o.SubscriberID.Expand(vars); err != nil {
			return fmt.Errorf("subscriber-id: %w", err)
		}
	}
	for i, unicast := range []bool{false, true} {
		b := option82.NewBuilder(make([]byte, 0, 260))
		b.AddCircuitID(s.circuitID)
		b.AddRemoteID(s.remoteID)
		if o.LinkSelection && s.addr.IsValid() {
			b.AddLinkSelection(s.addr.Masked().Addr())
		}
		if subscriber != nil {
			b.AddSubscriberID(subscriber)
		}
		if o.ServerIDOverride && s.addr.IsValid() {
			b.AddServerIDOverride(s.addr.Addr())
			b.AddFlags(unicast)
		}
		opt, err := b.Bytes()
		if err == nil && len(opt) < 4 {
			err = fmt.Errorf("encoded option is only %d bytes", len(opt))
		}
		if err != nil {
			return fmt.Errorf("option 82: %w", err)
		}
		s.opt82[i] = opt
	}
	return nil
}

// isLocalDst reports whether dst addresses this interface: the limited
// broadcast, the subnet's broadcast, or one of its own addresses. Anything
// else is a unicast to another host that the kernel routes.
func (s *ifState) isLocalDst(dst netip.Addr) (local, unicast bool) {
	if dst == ipBroadcast {
		return true, false
	}
	for _, p := range s.link.Addrs {
		if p.Addr() == dst {
			return true, true
		}
		if dst == subnetBroadcast(p) {
			return true, false
		}
	}
	return false, false
}

// subnetBroadcast is the directed broadcast address of p (the last address
// of the subnet); it is invalid for /31 and /32, which have none.
func subnetBroadcast(p netip.Prefix) netip.Addr {
	if !p.Addr().Is4() || p.Bits() >= 31 {
		return netip.Addr{}
	}
	a := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := (uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// helperCounter returns a helper's counters, resolved when the interface's
// state was built (no lock); a state built elsewhere (tests) looks them up.
func (r *Relay) helperCounter(st *ifState, a netip.Addr) *helperCounters {
	if hc := st.helperCtr[a]; hc != nil {
		return hc
	}
	return r.counters.helper(a)
}
