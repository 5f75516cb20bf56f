package relay

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/ratelimit"
	"github.com/iphelper/iphelper/relay/trace"
)

// The forwarded-UDP path: a UDP broadcast to one of the interface's
// forwarded ports (IOS `ip forward-protocol udp`), read on the same
// packet socket as DHCP, is sent to each helper of its port with the
// client's source address and port, TTL decremented
// (docs/packet-paths.md, "Forwarded UDP broadcasts"; the checks:
// docs/trust-model.md, "Forwarded UDP broadcasts").

// RawIPConn is what the relay needs of the socket forwarded broadcasts
// leave on: *iface.RawIPConn, or a test's fake.
type RawIPConn interface {
	// WriteIP sends a whole IPv4 packet to dst.
	WriteIP(pkt []byte, dst netip.Addr) error
	Close() error
}

var _ RawIPConn = (*iface.RawIPConn)(nil)

// fwdPort is one forwarded UDP port of an interface.
type fwdPort struct {
	port    uint16
	targets []netip.AddrPort // the port's helpers, with the port
	c       *portCounters
}

// udpForward is an interface's forwarded ports, ascending.
type udpForward struct {
	ports []fwdPort
}

// lookup returns the forwarded port p, or nil.
func (f *udpForward) lookup(p uint16) *fwdPort {
	if f == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(f.ports, p, func(fp fwdPort, p uint16) int { return int(fp.port) - int(p) })
	if !ok {
		return nil
	}
	return &f.ports[i]
}

// buildForward is the forwarded ports of ifc, with their counters in c;
// nil when it forwards none.
func buildForward(ifc *config.Interface, c *ifaceCounters) *udpForward {
	if len(ifc.ForwardPorts) == 0 {
		return nil
	}
	f := &udpForward{ports: make([]fwdPort, 0, len(ifc.ForwardPorts))}
	for _, p := range ifc.ForwardPorts {
		fp := fwdPort{port: p, c: c.port(p)}
		for _, h := range ifc.ForwardHelpers(p) {
			fp.targets = append(fp.targets, netip.AddrPortFrom(h, p))
		}
		f.ports = append(f.ports, fp)
	}
	return f
}

// forwardPorts is the ports the interface's packet socket must receive
// besides DHCP.
func (s *ifState) forwardPorts() []uint16 {
	if s.cfg == nil {
		return nil
	}
	return s.cfg.ForwardPorts
}

// admitForward runs the checks of a forwarded broadcast that do not depend
// on its helper (docs/trust-model.md, "Forwarded UDP broadcasts"): its port
// is forwarded here, it is a broadcast (limited, or the ingress subnet's
// directed one), its source is a host of the ingress subnet that is not
// ours, and it has a hop left. It returns the port, or the drop reason.
func admitForward(st *ifState, rt *routes, dg iface.Datagram) (*fwdPort, Reason, bool) {
	fp := st.fwd.lookup(dg.DstPort)
	if fp == nil {
		return nil, ReasonUDPPortNotForwarded, false
	}
	if local, unicast := st.isLocalDst(dg.Dst); !local || unicast {
		return fp, ReasonNotForUs, false
	}
	if !st.isHostOfSubnet(dg.Src) || rt.isOurs(dg.Src) {
		return fp, ReasonUDPForgedSource, false
	}
	if dg.TTL <= 1 {
		return fp, ReasonUDPTTLExpired, false
	}
	return fp, 0, true
}

// isHostOfSubnet reports whether a is a host address of one of the
// interface's subnets: inside the prefix, and neither its network nor its
// broadcast address.
func (s *ifState) isHostOfSubnet(a netip.Addr) bool {
	for _, p := range s.link.Addrs {
		m := p.Masked()
		if m.Contains(a) && a != m.Addr() && a != subnetBroadcast(p) {
			return true
		}
	}
	return false
}

// onIngress reports whether a forwarded broadcast to a would go back out
// of the interface it came in on: a is on one of its subnets (a host, the
// subnet's broadcast) or the limited broadcast.
func (s *ifState) onIngress(a netip.Addr) bool {
	if a == ipBroadcast {
		return true
	}
	for _, p := range s.link.Addrs {
		if p.Masked().Contains(a) {
			return true
		}
	}
	return false
}

// fwdTarget is how one copy of a forwarded broadcast leaves.
type fwdTarget struct {
	out    *ifState // set: a link-layer broadcast on out's link (a directed broadcast it allows)
	reason Reason   // set with drop
	drop   bool
}

// routeForward decides how a forwarded broadcast from st reaches the
// helper h: never back out of st's link; a directed broadcast of one of
// the appliance's subnets only as a link-layer broadcast on a served
// interface that allows it (directed-broadcast); anything else by the
// kernel's routing.
func routeForward(st *ifState, rt *routes, h netip.Addr) fwdTarget {
	if st.onIngress(h) {
		return fwdTarget{reason: ReasonUDPLoop, drop: true}
	}
	if rt == nil || !rt.localBcast[h] {
		return fwdTarget{}
	}
	out := rt.bcast[h]
	if out == nil || !out.cfg.DirectedBroadcast {
		return fwdTarget{reason: ReasonUDPDirectedBroadcast, drop: true}
	}
	return fwdTarget{out: out}
}

// forwardUDP runs the forwarded-UDP path on a datagram read on st's
// interface: the checks, then one copy per helper, rebuilt in place in
// frame (the read buffer, whose headers it overwrites) and sent at once.
func (a *agent) forwardUDP(st *ifState, frame []byte, dg iface.Datagram, ev *trace.Event) {
	r, c := a.r, st.counters
	rt := r.routes.Load()
	fp, reason, ok := admitForward(st, rt, dg)
	if fp != nil {
		fp.c.received.Add(1)
	}
	if !ok {
		if fp != nil {
			fp.c.dropped.Add(1)
		}
		r.drop(c, ev, reason, st.name, nil)
		return
	}
	out, h, ok := rebuildInPlace(frame, dg)
	if !ok {
		fp.c.dropped.Add(1)
		r.drop(c, ev, ReasonFrame, st.name, nil)
		return
	}
	sent := 0
	for _, t := range fp.targets {
		if r.sendForward(st, rt, out, h, t, ev) {
			sent++
		}
	}
	if sent == 0 {
		fp.c.dropped.Add(1)
		return
	}
	fp.c.forwarded.Add(1)
	c.udpForwarded.Add(1)
	r.tracer.EmitRelayed(ev, st.name, fp.targets)
}

// sendForward sends one copy of a forwarded broadcast to t, rebuilt in out
// from the header h, and reports whether it left. A copy that may not
// leave, or whose send fails, is dropped for its own reason.
func (r *Relay) sendForward(st *ifState, rt *routes, out []byte, h iface.UDP4Header, t netip.AddrPort, ev *trace.Event) bool {
	route := routeForward(st, rt, t.Addr())
	if route.drop {
		r.dropSend(st.counters, ev, route.reason, st.name, t, nil)
		return false
	}
	h.Dst = t.Addr()
	h.DstMAC, h.SrcMAC = macBroadcast[:], macBroadcast[:] // only a link-layer broadcast's Ethernet header is sent
	if route.out != nil && len(route.out.link.MAC) == 6 {
		h.SrcMAC = route.out.link.MAC
	}
	f, err := iface.BuildUDP4(out, h, out[iface.FrameHeaderLen:])
	if err != nil {
		r.dropSend(st.counters, ev, ReasonSendFailed, st.name, t, err)
		return false
	}
	if route.out != nil {
		err = r.broadcastOn(route.out, f)
	} else if raw := r.rawIP.Load(); raw != nil {
		err = (*raw).WriteIP(f[14:], h.Dst) // from the IPv4 header: the kernel routes it
	} else {
		err = errNoRawSocket
	}
	if err != nil {
		r.dropSend(st.counters, ev, ReasonSendFailed, st.name, t, err)
		return false
	}
	return true
}

// errNoRawSocket: the raw IPv4 socket could not be opened (logged when
// it failed).
var errNoRawSocket = errors.New("no raw IPv4 socket to forward on")

// broadcastOn writes a forwarded broadcast's frame on out's packet socket.
func (r *Relay) broadcastOn(out *ifState, frame []byte) error {
	if out.agent == nil {
		return errNoConn
	}
	b := out.agent.conn.Load()
	if b == nil {
		return errNoConn
	}
	return b.c.WriteFrame(frame, macBroadcast[:])
}

// rebuildInPlace prepares frame, holding dg, for the forwarded copies:
// it returns the part of frame whose last bytes are dg's payload and
// whose first iface.FrameHeaderLen bytes the copies' headers are written
// to, and the header fields every copy keeps: the client's source address
// and ports, TOS and IPv4 identification, and the TTL less one.
func rebuildInPlace(frame []byte, dg iface.Datagram) ([]byte, iface.UDP4Header, bool) {
	ipOff := 14
	if dg.VLANTagged {
		ipOff += 4
	}
	payloadOff := ipOff + dg.IPHeaderLen + 8
	start := payloadOff - iface.FrameHeaderLen
	if start < 0 || payloadOff+len(dg.Payload) > len(frame) || ipOff+6 > len(frame) {
		return nil, iface.UDP4Header{}, false
	}
	h := iface.UDP4Header{
		Src: dg.Src, TOS: dg.TOS, TTL: dg.TTL - 1,
		ID:      binary.BigEndian.Uint16(frame[ipOff+4 : ipOff+6]),
		SrcPort: dg.SrcPort, DstPort: dg.DstPort,
	}
	return frame[start : payloadOff+len(dg.Payload)], h, true
}

// openRawIP opens the raw IPv4 socket when a served interface first
// forwards a UDP port; it stays open until Run ends. A failure is logged
// once per cause, and the forwarded broadcasts are dropped as send_failed
// until a later reconcile opens it.
func (r *Relay) openRawIP(states []*ifState) {
	if r.rawIP.Load() != nil || !slices.ContainsFunc(states, func(s *ifState) bool { return s.fwd != nil }) {
		return
	}
	c, err := iface.ListenRawIP()
	if err != nil {
		if r.rawIPErr == nil || r.rawIPErr.Error() != err.Error() {
			r.log.Error("cannot forward UDP broadcasts", "err", err)
		}
		r.rawIPErr = err
		return
	}
	r.rawIPErr = nil
	var rc RawIPConn = c
	r.rawIP.Store(&rc)
}

// limiterFor returns the rate limiter of frame: a forwarded port's
// broadcasts have buckets of their own, with the interface's limits, so
// that a flood of them cannot take DHCP's share, and DHCP pays nothing on
// an interface that forwards no port.
func (a *agent) limiterFor(st *ifState, frame []byte) *ratelimit.Interface {
	if st.fwd != nil {
		if p, ok := iface.PeekUDPDstPort(frame); ok && p != dhcpServerPort {
			return a.udpLimiter.Load()
		}
	}
	return a.limiter.Load()
}
