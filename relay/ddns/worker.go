package ddns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/iphelper/iphelper/relay/trace"
)

// Run sends the queued updates until ctx ends: the first op due, one step
// at a time, each step's outcome deciding the next (RFC 4703 §5), failures
// retried after a doubling delay. The state is stored after every change.
func (u *Updater) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		u.persist()
		o, wait := u.next()
		if o != nil {
			u.run(ctx, o)
			continue
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			u.persist()
			return
		case <-u.wake:
		case <-timer.C:
		}
	}
}

// next returns the first due op (ops of one address run in queue order) or
// how long until one is due.
func (u *Updater) next() (*op, time.Duration) {
	now := u.clock.Now()
	u.mu.Lock()
	defer u.mu.Unlock()
	wait := time.Hour
	blocked := make(map[string]bool)
	for _, o := range u.ops {
		k := o.Reg.Addr.String()
		if blocked[k] {
			continue
		}
		if !o.Next.After(now) {
			return o, 0
		}
		blocked[k] = true
		wait = min(wait, o.Next.Sub(now))
	}
	return nil, wait
}

// run makes one attempt at o's current step and applies its outcome.
func (u *Updater) run(ctx context.Context, o *op) {
	zone := u.cfg.ForwardZone
	if o.Step == stepAddPTR || o.Step == stepRemovePTR {
		zone = u.cfg.ReverseZone
	}
	rcode, err := u.send(ctx, o.Reg.message(o.Step, zone))
	next, reason := advance(o.Step, rcode, err)
	u.trace(o, zone, reason)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.dirty = true
	zs := u.stats.zone(zone)
	switch {
	case reason == ReasonConflict:
		u.stats.Conflicts++
		zs.Failed[reason]++
		u.log.Warn("name held by another client: left alone", "fqdn", o.Reg.FQDN, "addr", o.Reg.Addr)
		u.finish(o, false)
	case reason != "":
		o.Attempts++
		zs.Failed[reason]++
		u.stats.Failed[reason]++
		if o.Attempts >= u.cfg.MaxAttempts {
			u.stats.Failed[ReasonGaveUp]++
			u.log.Error("dynamic DNS update given up", "fqdn", o.Reg.FQDN, "addr", o.Reg.Addr, "add", o.Add, "reason", reason, "err", err)
			u.finish(o, false)
			return
		}
		d := min(u.cfg.Backoff<<min(o.Attempts-1, 20), u.cfg.MaxBackoff)
		o.Next = u.clock.Now().Add(d)
		u.log.Warn("dynamic DNS update failed; will retry", "fqdn", o.Reg.FQDN, "addr", o.Reg.Addr, "zone", zone, "reason", reason, "err", err, "retry-in", d)
	default:
		zs.Done++
		o.Attempts, o.Step = 0, next
		if next == stepAddPTR && !o.Reg.Reverse || next == stepRemovePTR && !o.Reg.Reverse {
			o.Step = stepDone
		}
		if o.Step == stepDone {
			u.finish(o, true)
		}
	}
}

// trace emits the step o just sent and its result.
func (u *Updater) trace(o *op, zone, reason string) {
	if !u.cfg.Tracer.Enabled() {
		return
	}
	if reason == "" {
		reason = "success"
	}
	u.cfg.Tracer.EmitDNSUpdate(u.cfg.Iface, trace.DNSStep{Name: o.Reg.FQDN, Zone: zone, Step: stepName(o.Step), Addr: o.Reg.Addr, Add: o.Add}, reason)
}

// stepName names an update step as traces show it.
func stepName(step int) string {
	if step < 0 || step >= len(stepNames) {
		return "unknown"
	}
	return stepNames[step]
}

// finish takes o out of the queue; u.mu is held.
func (u *Updater) finish(o *op, ok bool) {
	for i, p := range u.ops {
		if p == o {
			u.ops = append(u.ops[:i], u.ops[i+1:]...)
			break
		}
	}
	if ok {
		u.stats.Done++
		u.log.Info("dynamic DNS records updated", "fqdn", o.Reg.FQDN, "addr", o.Reg.Addr, "add", o.Add)
	}
}

// The failure reasons counted (Status.Failed).
const (
	ReasonConflict = "conflict" // the name belongs to another client
	ReasonTimeout  = "timeout"  // no answer
	ReasonNetwork  = "network"  // the update could not be sent
	ReasonTSIG     = "tsig"     // the answer's signature did not verify
	ReasonGaveUp   = "gave_up"  // retried too often
)

// advance maps one step's answer to the next step, or to a failure reason.
func advance(step, rcode int, err error) (int, string) {
	if err != nil {
		return step, errReason(err)
	}
	ok := rcode == dns.RcodeSuccess
	gone := rcode == dns.RcodeNXRrset || rcode == dns.RcodeNameError
	switch {
	case step == stepAddNew && ok, step == stepAddMine && ok:
		return stepAddPTR, ""
	case step == stepAddNew && rcode == dns.RcodeYXDomain:
		return stepAddMine, ""
	case step == stepAddMine && rcode == dns.RcodeNXRrset:
		return step, ReasonConflict
	case step == stepAddPTR && ok, step == stepRemovePTR && (ok || gone):
		return stepDone, ""
	case step == stepRemoveA && ok:
		return stepRemoveDHCID, ""
	case step == stepRemoveA && gone: // not ours (or gone): the PTR is still ours to check
		return stepRemovePTR, ""
	case step == stepRemoveDHCID && (ok || gone || rcode == dns.RcodeYXRrset):
		return stepRemovePTR, ""
	}
	return step, strings.ToLower(strings.ReplaceAll(dns.RcodeToString[rcode], " ", "_"))
}

// errReason classifies a send error.
func errReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, dns.ErrSig), errors.Is(err, dns.ErrSecret), errors.Is(err, dns.ErrTime):
		return ReasonTSIG
	case errors.As(err, &ne) && ne.Timeout():
		return ReasonTimeout
	}
	return ReasonNetwork
}

// send signs m with the key and sends it to the server; rcode is the
// answer's.
func (u *Updater) send(ctx context.Context, m *dns.Msg) (int, error) {
	m.SetTsig(u.cfg.Key.Name, u.cfg.Key.Algorithm, 300, u.clock.Now().Unix())
	r, _, err := u.client.ExchangeContext(ctx, m, u.cfg.Server.String())
	if err != nil {
		if r != nil && r.Rcode != dns.RcodeSuccess {
			return r.Rcode, nil // an unsigned error answer (e.g. NOTAUTH for a bad key)
		}
		return 0, err
	}
	return r.Rcode, nil
}

// persist stores the state when it changed; a failure is logged and the
// state stays dirty, to be stored again.
func (u *Updater) persist() {
	if err := u.Persist(); err != nil {
		u.log.Error("failed to store the dynamic DNS queue", "err", err)
	}
}

// Persist stores the registrations and the queue when they changed since
// the last store, and returns once they are durable. The fallback worker
// calls it after Ack and before it commits the leases of the ACKs, so
// that no committed ACK's add is lost in a crash; a state that did not
// change (a renewal) costs no write. Safe for concurrent use: the stores
// are made in the order of their snapshots.
func (u *Updater) Persist() error {
	u.persistMu.Lock()
	defer u.persistMu.Unlock()
	u.mu.Lock()
	if !u.dirty {
		u.mu.Unlock()
		return nil
	}
	d := durable{Regs: make([]Reg, 0, len(u.regs)), Ops: make([]op, 0, len(u.ops))}
	for _, r := range u.regs {
		d.Regs = append(d.Regs, r)
	}
	for _, o := range u.ops {
		d.Ops = append(d.Ops, *o)
	}
	u.dirty = false
	u.mu.Unlock()
	data, err := json.Marshal(d)
	if err == nil {
		err = u.store.PutMeta(u.metaKey(), data)
	}
	if err != nil {
		u.mu.Lock()
		u.dirty = true
		u.mu.Unlock()
		return fmt.Errorf("failed to store the dynamic DNS state of %q: %w", u.cfg.Iface, err)
	}
	return nil
}
