package trace

import "net/netip"

// Start begins the event of one packet for the relay's hot paths: it
// returns nil, at the cost of one atomic load, when nobody traces, and
// otherwise a new Event holding dir, from (the helper a reply came from;
// the zero Addr for a request) and msg's header fields. Call it before the
// relay edits msg, so that giaddr shows as received, and finish the event
// with EmitRelayed, EmitDelivered, EmitFallback, EmitSilent or EmitDropped,
// which do nothing for a nil event. The Emit calls leave e as it was: one
// packet may be finished more than once (a request relayed to one helper
// and dropped for another), each call emitting one event.
func (t *Tracer) Start(dir Direction, from netip.Addr, msg []byte) *Event {
	if !t.Enabled() {
		return nil
	}
	e := &Event{Time: t.now(), Dir: dir, From: from}
	e.SetMessage(msg)
	return e
}

// StartUDP is Start for a UDP broadcast to a forwarded port: it begins the
// event of a datagram from src to port dstPort, or returns nil while
// nobody traces.
func (t *Tracer) StartUDP(src netip.AddrPort, dstPort uint16) *Event {
	if !t.Enabled() {
		return nil
	}
	return &Event{Time: t.now(), Dir: In, UDPPort: dstPort, UDPSrc: src}
}

// EmitRelayed finishes e as a request of iface relayed to helpers (the
// slice is kept: it must not be modified afterwards).
func (t *Tracer) EmitRelayed(e *Event, iface string, helpers []netip.AddrPort) {
	if e == nil {
		return
	}
	ev := *e
	ev.Interface, ev.Action, ev.Helpers = iface, Relayed, helpers
	t.Emit(ev)
}

// EmitDelivered finishes e as a reply delivered on iface to the IP
// destination to, by broadcast or not.
func (t *Tracer) EmitDelivered(e *Event, iface string, to netip.Addr, broadcast bool) {
	if e == nil {
		return
	}
	ev := *e
	ev.Interface, ev.Action, ev.To, ev.Broadcast = iface, Delivered, to, broadcast
	t.Emit(ev)
}

// EmitFallback finishes e as a request of iface handed to the fallback
// server instead of the helpers (a lease of its own). The server's answer,
// or its silence, is an event of its own.
func (t *Tracer) EmitFallback(e *Event, iface string) {
	if e == nil {
		return
	}
	ev := *e
	ev.Interface, ev.Action = iface, Fallback
	t.Emit(ev)
}

// EmitSilent finishes e as a request of iface that the fallback server
// decided not to answer, for outcome (a fallback.Outcome name).
func (t *Tracer) EmitSilent(e *Event, iface, outcome string) {
	if e == nil {
		return
	}
	ev := *e
	ev.Interface, ev.Action, ev.Reason = iface, Silent, outcome
	t.Emit(ev)
}

// EmitDropped finishes e as a packet of iface (empty if none) dropped for
// reason, a relay.Reason name.
func (t *Tracer) EmitDropped(e *Event, iface, reason string) {
	if e == nil {
		return
	}
	ev := *e
	ev.Interface, ev.Action, ev.Reason = iface, Dropped, reason
	t.Emit(ev)
}

// EmitDroppedSend finishes e as one send of a request of iface, to the
// helper to, dropped for reason (the other helpers' sends are events of
// their own). It allocates, and only when e is not nil.
func (t *Tracer) EmitDroppedSend(e *Event, iface, reason string, to netip.AddrPort) {
	if e == nil {
		return
	}
	ev := *e
	ev.Interface, ev.Action, ev.Reason, ev.Helpers = iface, Dropped, reason, []netip.AddrPort{to}
	t.Emit(ev)
}

// EmitDNSUpdate emits a dynamic DNS update step of iface's fallback scope
// and its result ("success" or the failure's reason).
func (t *Tracer) EmitDNSUpdate(iface string, step DNSStep, result string) {
	if !t.Enabled() {
		return
	}
	t.Emit(Event{Interface: iface, Dir: Out, Action: DNSUpdate, DNS: step, Reason: result})
}
