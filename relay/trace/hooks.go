package trace

import "net/netip"

// Start begins the event of one packet for the relay's hot paths: it
// returns nil, at the cost of one atomic load, when nobody traces, and
// otherwise a new Event holding dir, from (the helper a reply came from;
// the zero Addr for a request) and msg's header fields. Call it before the
// relay edits msg, so that giaddr shows as received, and finish the event
// with EmitRelayed, EmitDelivered or EmitDropped, which do nothing for a
// nil event.
func (t *Tracer) Start(dir Direction, from netip.Addr, msg []byte) *Event {
	if !t.Enabled() {
		return nil
	}
	e := &Event{Time: t.now(), Dir: dir, From: from}
	e.SetMessage(msg)
	return e
}

// EmitRelayed finishes e as a request of iface relayed to helpers (the
// slice is kept: it must not be modified afterwards).
func (t *Tracer) EmitRelayed(e *Event, iface string, helpers []netip.AddrPort) {
	if e == nil {
		return
	}
	e.Interface, e.Action, e.Helpers = iface, Relayed, helpers
	t.Emit(*e)
}

// EmitDelivered finishes e as a reply delivered on iface to the IP
// destination to, by broadcast or not.
func (t *Tracer) EmitDelivered(e *Event, iface string, to netip.Addr, broadcast bool) {
	if e == nil {
		return
	}
	e.Interface, e.Action, e.To, e.Broadcast = iface, Delivered, to, broadcast
	t.Emit(*e)
}

// EmitFallback finishes e as a request of iface that the fallback server
// answers instead of the helpers (a lease of its own).
func (t *Tracer) EmitFallback(e *Event, iface string) {
	if e == nil {
		return
	}
	e.Interface, e.Action = iface, Fallback
	t.Emit(*e)
}

// EmitDropped finishes e as a packet of iface (empty if none) dropped for
// reason, a relay.Reason name.
func (t *Tracer) EmitDropped(e *Event, iface, reason string) {
	if e == nil {
		return
	}
	e.Interface, e.Action, e.Reason = iface, Dropped, reason
	t.Emit(*e)
}
