package lab

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// LeaseEventKind is what a lease event on the wire says.
type LeaseEventKind string

// The events the oracle reads.
const (
	// EventAck is a server's DHCPACK binding Addr to Chaddr for Lease.
	EventAck LeaseEventKind = "ACK"
	// EventNak is a server's DHCPNAK to Chaddr: the client stops using its
	// address.
	EventNak LeaseEventKind = "NAK"
	// EventRelease is the client's DHCPRELEASE of Addr (its ciaddr).
	EventRelease LeaseEventKind = "RELEASE"
	// EventDecline is the client's DHCPDECLINE of Addr (option 50): it found
	// the address in use and does not use it.
	EventDecline LeaseEventKind = "DECLINE"
)

// LeaseEvent is one lease-relevant DHCP message seen on the client segment.
type LeaseEvent struct {
	Kind LeaseEventKind
	// Time is when the capture saw the message.
	Time time.Time
	// Server is the server identifier (option 54) of a reply, or the one a
	// RELEASE names; invalid when absent.
	Server netip.Addr
	// Addr is yiaddr of an ACK, ciaddr of a RELEASE, option 50 of a DECLINE;
	// invalid for a NAK.
	Addr netip.Addr
	// Chaddr is the client's hardware address, as text.
	Chaddr string
	// Lease is an ACK's lease time (option 51).
	Lease time.Duration
	// XID is the transaction id.
	XID dhcpv4.TransactionID
}

// String renders the event for messages.
func (e LeaseEvent) String() string {
	return fmt.Sprintf("%s %s %s chaddr %s addr %s lease %s server %s",
		e.Time.Format("15:04:05.000"), e.Kind, e.XID, e.Chaddr, e.Addr, e.Lease, e.Server)
}

// LeaseEvents extracts the lease events from captured packets (ACKs that
// bind an address, NAKs, RELEASEs and DECLINEs), in capture order. A frame
// captured twice (a bridge sees a frame once per pass) counts once: events
// with the same kind, transaction, client and address within a millisecond
// are one.
func LeaseEvents(pkts []Packet) []LeaseEvent {
	var out []LeaseEvent
	for _, p := range pkts {
		e, ok := leaseEvent(p)
		if !ok {
			continue
		}
		if n := len(out); n > 0 && sameEvent(out[n-1], e) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// leaseEvent reads one packet as a lease event.
func leaseEvent(p Packet) (LeaseEvent, bool) {
	d := p.DHCP
	if d == nil {
		return LeaseEvent{}, false
	}
	e := LeaseEvent{Time: p.Time, Chaddr: d.ClientHWAddr.String(), XID: d.TransactionID}
	if sid := d.ServerIdentifier(); sid != nil {
		e.Server, _ = netip.AddrFromSlice(sid.To4())
	}
	switch d.MessageType() {
	case dhcpv4.MessageTypeAck:
		e.Kind, e.Addr = EventAck, addrOf(d.YourIPAddr)
		e.Lease = d.IPAddressLeaseTime(0)
		if !e.Addr.IsValid() || e.Addr.IsUnspecified() || e.Lease <= 0 {
			return LeaseEvent{}, false // DHCPINFORM's ACK binds nothing
		}
	case dhcpv4.MessageTypeNak:
		e.Kind = EventNak
	case dhcpv4.MessageTypeRelease:
		e.Kind, e.Addr = EventRelease, addrOf(d.ClientIPAddr)
	case dhcpv4.MessageTypeDecline:
		e.Kind, e.Addr = EventDecline, addrOf(d.RequestedIPAddress())
	default:
		return LeaseEvent{}, false
	}
	return e, true
}

// addrOf converts a net.IP to an IPv4 netip.Addr (invalid when it is not one).
func addrOf(ip []byte) netip.Addr {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}
	}
	return a.Unmap()
}

// sameEvent reports whether b repeats a (one frame captured twice).
func sameEvent(a, b LeaseEvent) bool {
	return a.Kind == b.Kind && a.XID == b.XID && a.Chaddr == b.Chaddr && a.Addr == b.Addr &&
		a.Server == b.Server && b.Time.Sub(a.Time) < time.Millisecond
}

// Oracle judges a run by what the clients were told: every ACK makes its
// client hold the address from the ACK's capture time for the lease time;
// a later ACK to the same client for the same address, while it holds it,
// replaces the end (a renewal, longer or shorter); an ACK of another
// address leaves the first held until its end (a client that moved without
// a RELEASE may still use it); a RELEASE or DECLINE of
// the address by the client, or a NAK to the client, ends what it holds.
// Two different clients holding one address at the same instant is a
// duplicate address. It is pure: build it from a capture (LeaseEvents) or
// from a list written by hand.
type Oracle struct {
	events []LeaseEvent
}

// NewOracle returns an oracle over events, which it sorts by time (a
// stable sort: events at one instant keep their order).
func NewOracle(events []LeaseEvent) *Oracle {
	ev := slices.Clone(events)
	slices.SortStableFunc(ev, func(a, b LeaseEvent) int { return a.Time.Compare(b.Time) })
	return &Oracle{events: ev}
}

// Events are the oracle's events, by time.
func (o *Oracle) Events() []LeaseEvent { return slices.Clone(o.events) }

// Interval is one address held by one client: [Start, End).
type Interval struct {
	Addr   netip.Addr
	Chaddr string
	Start  time.Time
	End    time.Time
	// Server is the server identifier of the ACK that last set End.
	Server netip.Addr
}

// String renders the interval for messages.
func (iv Interval) String() string {
	return fmt.Sprintf("%s held by %s from %s to %s (server %s)", iv.Addr, iv.Chaddr,
		iv.Start.Format("15:04:05.000"), iv.End.Format("15:04:05.000"), iv.Server)
}

// Intervals are the lease intervals the events give, ordered by address,
// then start, then client.
func (o *Oracle) Intervals() []Interval {
	var done []Interval
	open := map[string][]Interval{} // by chaddr: what each client holds
	for _, e := range o.events {
		held := open[e.Chaddr]
		switch e.Kind {
		case EventAck:
			held = ack(held, e, &done)
		case EventNak:
			done = append(done, cutAll(held, e.Time)...)
			held = nil
		case EventRelease, EventDecline:
			held = cut(held, e, &done)
		}
		open[e.Chaddr] = held
	}
	for _, held := range open {
		done = append(done, held...)
	}
	slices.SortFunc(done, func(a, b Interval) int {
		return cmp.Or(a.Addr.Compare(b.Addr), a.Start.Compare(b.Start), cmp.Compare(a.Chaddr, b.Chaddr))
	})
	return done
}

// ack applies an ACK to what its client holds: a renewal of a held address
// replaces its end; otherwise a new interval starts. Intervals that ended
// before the ACK move to done.
func ack(held []Interval, e LeaseEvent, done *[]Interval) []Interval {
	var keep []Interval
	renewed := false
	for _, iv := range held {
		switch {
		case !iv.End.After(e.Time):
			*done = append(*done, iv)
		case iv.Addr == e.Addr:
			iv.End, iv.Server, renewed = e.Time.Add(e.Lease), e.Server, true
			keep = append(keep, iv)
		default:
			keep = append(keep, iv)
		}
	}
	if !renewed {
		keep = append(keep, Interval{Addr: e.Addr, Chaddr: e.Chaddr, Start: e.Time, End: e.Time.Add(e.Lease), Server: e.Server})
	}
	return keep
}

// cut ends the held interval of the event's address at the event's time.
func cut(held []Interval, e LeaseEvent, done *[]Interval) []Interval {
	var keep []Interval
	for _, iv := range held {
		if iv.Addr == e.Addr {
			*done = append(*done, cutAll([]Interval{iv}, e.Time)...)
			continue
		}
		keep = append(keep, iv)
	}
	return keep
}

// cutAll ends every interval at t at the latest.
func cutAll(ivs []Interval, t time.Time) []Interval {
	out := make([]Interval, 0, len(ivs))
	for _, iv := range ivs {
		if iv.End.After(t) {
			iv.End = t
		}
		out = append(out, iv)
	}
	return out
}

// Overlap is two clients holding one address at once.
type Overlap struct {
	First, Second Interval
}

// String renders the overlap for messages.
func (ov Overlap) String() string {
	return fmt.Sprintf("duplicate address %s: %s; %s", ov.First.Addr, ov.First, ov.Second)
}

// Overlaps returns every pair of intervals of different clients on one
// address that share an instant ([a, b) and [b, c) touch and do not
// overlap). None is the failover's first promise.
func (o *Oracle) Overlaps() []Overlap {
	var out []Overlap
	ivs := o.Intervals()
	for i, a := range ivs {
		for _, b := range ivs[i+1:] {
			if b.Addr != a.Addr {
				break
			}
			if b.Chaddr != a.Chaddr && a.Start.Before(b.End) && b.Start.Before(a.End) {
				out = append(out, Overlap{First: a, Second: b})
			}
		}
	}
	return out
}

// AddressOf returns the address chaddr holds at instant at (the most
// recently acknowledged one if it holds several), and whether it holds one.
func (o *Oracle) AddressOf(chaddr string, at time.Time) (netip.Addr, bool) {
	var best Interval
	for _, iv := range o.Intervals() {
		if iv.Chaddr == chaddr && !at.Before(iv.Start) && at.Before(iv.End) && !iv.Start.Before(best.Start) {
			best = iv
		}
	}
	return best.Addr, best.Addr.IsValid()
}

// FirstAck returns the first ACK at or after from that match accepts.
func (o *Oracle) FirstAck(from time.Time, match func(LeaseEvent) bool) (LeaseEvent, bool) {
	for _, e := range o.events {
		if e.Kind == EventAck && !e.Time.Before(from) && match(e) {
			return e, true
		}
	}
	return LeaseEvent{}, false
}

// Oracle reads the capture so far into an oracle.
func (c *Capture) Oracle() *Oracle {
	c.l.t.Helper()
	return NewOracle(LeaseEvents(c.Packets()))
}
