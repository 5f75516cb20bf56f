package relay

import (
	"context"
	"log/slog"
	"net/netip"

	"github.com/iphelper/iphelper/relay/trace"
)

// drop is the one place a dropped packet is accounted for: it counts the
// drop under reason in c, finishes the packet's trace event ev (nil while
// nobody traces) as dropped for the same reason, and logs it at debug
// level. Counting and tracing in one call keeps `show statistics` and
// `debug packets` telling the same story: every drop counted is traced
// once, with the same reason.
func (r *Relay) drop(c *ifaceCounters, ev *trace.Event, reason Reason, ifname string, err error) {
	c.drops[reason].Add(1)
	r.tracer.EmitDropped(ev, ifname, reason.String())
	r.logDrop(reason, ifname, err)
}

// dropSend is drop for one send of a request, to the helper to: the
// request's other sends go on, and are traced on their own.
func (r *Relay) dropSend(c *ifaceCounters, ev *trace.Event, reason Reason, ifname string, to netip.AddrPort, err error) {
	c.drops[reason].Add(1)
	r.tracer.EmitDroppedSend(ev, ifname, reason.String(), to)
	r.logDrop(reason, ifname, err)
}

func (r *Relay) logDrop(reason Reason, ifname string, err error) {
	if r.log.Enabled(context.Background(), slog.LevelDebug) {
		r.log.Debug("packet dropped", "iface", ifname, "reason", reason.String(), "err", err)
	}
}
