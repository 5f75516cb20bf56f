package relay

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/ddns"
	"github.com/iphelper/iphelper/relay/fallback"
	"github.com/iphelper/iphelper/relay/health"
	"github.com/iphelper/iphelper/relay/trace"
	"github.com/iphelper/iphelper/relay/wire"
)

// Bounds of the fallback path: a flood cannot grow memory or delay the
// request path, it is dropped and counted.
const (
	fbQueueLen   = 256  // requests waiting for the fallback worker
	fbPendingMax = 1024 // DISCOVERs waiting for their offer-delay
	fbMsgMax     = 1500 // larger client messages are not served by the fallback
	fbBatchMax   = 64   // answers staged before their leases are committed together
	sweepEvery   = 10 * time.Second
)

// fallbackJob is one client message for the fallback server: a private
// copy, taken before the request path edited the message, in a buffer of
// the worker's pool (see recycle).
type fallbackJob struct {
	buf *[fbMsgMax]byte
	n   int
	st  *ifState
}

// fallbackAnswer is the fallback server's answer to one job, held until
// the leases of its batch are durable.
type fallbackAnswer struct {
	st      *ifState
	req     *dhcpv4.DHCPv4 // the request answered, for the trace of a silent outcome
	reply   *dhcpv4.DHCPv4
	outcome fallback.Outcome
}

// pendingDiscover is a DISCOVER relayed upstream for which the fallback
// answers only if no upstream OFFER passes back within offer-delay.
type pendingDiscover struct {
	job      fallbackJob
	deadline time.Time
}

// fallbackWorker runs the fallback server of one downstream interface: its
// one goroutine serializes the server's decisions (ARP probes and durable
// lease writes included) off the request path.
type fallbackWorker struct {
	r         *Relay
	name      string              // the interface
	frame     [fbMsgMax + 64]byte // the worker's frame buffer for replies (ToBytes output is at most a few hundred bytes)
	log       *slog.Logger
	srv       *fallback.Server
	cfg       atomic.Pointer[config.Fallback]
	in        scopeInput // what the scope was built from; owned by the reconcile goroutine
	jobs      chan fallbackJob
	bufs      sync.Pool
	mu        sync.Mutex
	pending   map[health.Txn]*pendingDiscover
	order     []health.Txn // FIFO: offer-delay is one value, so deadlines are in order
	wake      chan struct{}
	cancel    context.CancelFunc
	done      chan struct{}
	outcomes  sync.Map         // fallback.Outcome → *atomic.Uint64
	batch     []fallbackAnswer // the worker's answers waiting for the batch's commit
	probeSt   *ifState         // set while staged DISCOVERs wait for a probe round: the interface they go out on
	ps        *pairScope       // the scope in the failover pair; nil when not paired (owned by the reconcile goroutine until start)
	ddns      *ddns.Updater    // the scope's dynamic DNS; nil when off
	ddnsDone  chan struct{}    // closed when the updater's goroutine ended
	ddnsStale bool             // a release, decline or sweep may have ended registered leases
	// unsubscribe stops the shared store's feed of the other nodes'
	// leases to srv (docs/cluster.md); nil before start.
	unsubscribe func()
}

func newFallbackWorker(r *Relay, name string, srv *fallback.Server, cfg *config.Fallback) *fallbackWorker {
	f := &fallbackWorker{
		r: r, name: name, log: r.log.With("iface", name, "part", "fallback"), srv: srv,
		jobs: make(chan fallbackJob, fbQueueLen), pending: make(map[health.Txn]*pendingDiscover),
		wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	f.bufs.New = func() any { return new([fbMsgMax]byte) }
	f.cfg.Store(cfg)
	f.ddns = r.newUpdater(name, cfg)
	return f
}

func (f *fallbackWorker) start(ctx context.Context) {
	ctx, f.cancel = context.WithCancel(ctx)
	f.startDDNS(ctx)
	go func() {
		defer close(f.done)
		f.run(ctx)
	}()
}

func (f *fallbackWorker) stop() {
	if f.unsubscribe != nil {
		f.unsubscribe()
	}
	f.cancel()
	<-f.done
	if f.ddnsDone != nil {
		<-f.ddnsDone
	}
}

// copyJob copies a client message for the fallback; ok is false when it is
// too large to be one we serve.
func (f *fallbackWorker) copyJob(st *ifState, msg []byte) (fallbackJob, bool) {
	if len(msg) > fbMsgMax {
		return fallbackJob{}, false
	}
	buf := f.bufs.Get().(*[fbMsgMax]byte)
	return fallbackJob{buf: buf, n: copy(buf[:], msg), st: st}, true
}

// recycle returns a job's buffer to the pool, once the job is answered or
// dropped.
func (f *fallbackWorker) recycle(j fallbackJob) { f.bufs.Put(j.buf) }

// enqueue hands a job to the worker now; a full queue drops it.
func (f *fallbackWorker) enqueue(j fallbackJob) bool {
	select {
	case f.jobs <- j:
		return true
	default:
		f.recycle(j)
		return false
	}
}

// deferDiscover holds a DISCOVER for delay (offer-delay, plus a split
// secondary's secondary-delay). Deadlines stay in FIFO order because every
// DISCOVER of an interface waits one of two delays, and an urgent one
// (delay without offer-delay) is rare enough to wait behind the others.
func (f *fallbackWorker) deferDiscover(k health.Txn, j fallbackJob, now time.Time, delay time.Duration) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, dup := f.pending[k]; dup {
		f.recycle(j) // a retransmission: the first copy still waits
		return true
	}
	if len(f.pending) >= fbPendingMax {
		f.recycle(j)
		return false
	}
	f.pending[k] = &pendingDiscover{job: j, deadline: now.Add(delay)}
	if len(f.order) >= 4*fbPendingMax {
		f.compact() // cancelled entries linger until their deadline: keep the FIFO bounded too
	}
	f.order = append(f.order, k)
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return true
}

// upstreamOffered cancels the pending DISCOVER of a transaction that an
// upstream OFFER answered, or whose client already REQUESTed another
// server's offer.
func (f *fallbackWorker) upstreamOffered(k health.Txn) {
	f.mu.Lock()
	p, ok := f.pending[k]
	delete(f.pending, k)
	f.mu.Unlock()
	if ok {
		f.recycle(p.job)
	}
}

// compact drops from the FIFO the transactions no longer pending (answered
// upstream), keeping the order of the rest. f.mu must be held.
func (f *fallbackWorker) compact() {
	kept := f.order[:0]
	for _, k := range f.order {
		if _, ok := f.pending[k]; ok {
			kept = append(kept, k)
		}
	}
	f.order = kept
}

// due pops the DISCOVERs whose offer-delay has passed and returns the next
// deadline (zero when none waits).
func (f *fallbackWorker) due(now time.Time) ([]fallbackJob, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fallbackJob
	for len(f.order) > 0 {
		k := f.order[0]
		p, ok := f.pending[k]
		if !ok { // answered upstream
			f.order = f.order[1:]
			continue
		}
		if p.deadline.After(now) {
			return out, p.deadline
		}
		f.order = f.order[1:]
		delete(f.pending, k)
		out = append(out, p.job)
	}
	f.order = f.order[:0]
	return out, time.Time{}
}

// run is the worker: jobs, due DISCOVERs and the periodic sweep.
//
// It answers jobs in batches: every job queued while the last batch was
// being written (up to fbBatchMax) is answered, then the leases of the
// whole batch are written in one transaction, then the replies go out. One
// flush to disk serves a burst (group commit) and no ACK leaves before its
// lease is durable. An idle server writes each ACK's lease alone, at once.
// The DISCOVERs of the batch whose addresses need a conflict probe are
// then probed together, in one round, and their OFFERs sent: a storm of
// new clients waits one probe timeout per batch, not one per client.
func (f *fallbackWorker) run(ctx context.Context) {
	sweep := time.NewTicker(f.r.sweepEvery)
	defer sweep.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		jobs, next := f.due(time.Now())
		for _, j := range jobs {
			f.stage(j)
		}
		f.flush()
		f.probe(ctx)
		f.ddnsReconcile()
		wait := time.Hour
		if !next.IsZero() {
			wait = time.Until(next)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case j := <-f.jobs:
			f.stage(j)
			f.drain()
			f.flush()
			f.probe(ctx)
		case <-f.wake:
		case <-timer.C:
		case now := <-sweep.C:
			if n := f.srv.Sweep(now); n > 0 {
				f.log.Debug("reclaimed expired fallback leases", "count", n)
			}
			f.ddnsStale = true
		}
	}
}

// drain stages the jobs already queued, up to a batch's worth, so that
// the ACKs held wait for at most that many answers before their commit.
func (f *fallbackWorker) drain() {
	for range fbBatchMax {
		select {
		case j := <-f.jobs:
			f.stage(j)
		default:
			return
		}
	}
}

// stage answers one client message with the fallback server; an ACK is
// held for flush. A DISCOVER whose address must be probed gets its
// answer from the next probe round instead.
func (f *fallbackWorker) stage(j fallbackJob) {
	defer f.recycle(j)
	req, err := dhcpv4.FromBytes(j.buf[:j.n])
	if err != nil {
		f.r.drop(j.st.counters, f.r.tracer.Start(trace.In, netip.Addr{}, j.buf[:j.n]), ReasonMalformed, j.st.name, err)
		return
	}
	if len(f.batch) >= fbBatchMax {
		f.flush()
	}
	st := j.st
	if cur := st.agent.state.Load(); cur != nil {
		st = cur // the interface may have changed address meanwhile
	}
	// The server logs its decision ("fallback reply" or "fallback silent").
	reply, outcome := f.srv.Stage(req, f.r.upstreamProvenUp(st, f.r.clock.Now()))
	if outcome == fallback.OutcomeProbing {
		f.countOutcome(outcome)
		f.probeSt = st
		return
	}
	f.answer(fallbackAnswer{st: st, req: req, reply: reply, outcome: outcome})
}

// answer sends a reply that needs no durable write (an OFFER, a NAK, an
// INFORM's ACK: nothing the client keeps depends on our disk) and counts
// its outcome at once; an ACK of a lease waits in the batch for the
// commit.
func (f *fallbackWorker) answer(a fallbackAnswer) {
	if a.outcome == fallback.OutcomeAck {
		f.batch = append(f.batch, a)
		return
	}
	f.settle(a)
}

// settle counts an answer's outcome and sends its reply, or traces the
// request as not answered.
func (f *fallbackWorker) settle(a fallbackAnswer) {
	f.ddnsAnswered(a)
	f.countOutcome(a.outcome)
	if a.reply == nil {
		f.traceSilent(a.st, a.req, a.outcome)
		return
	}
	f.send(a.st, a.reply)
}

// traceSilent traces a request the fallback server did not answer, for
// outcome. It costs one atomic load while nobody traces.
func (f *fallbackWorker) traceSilent(st *ifState, req *dhcpv4.DHCPv4, o fallback.Outcome) {
	if req == nil || !f.r.tracer.Enabled() {
		return
	}
	f.r.tracer.EmitSilent(f.r.tracer.Start(trace.In, netip.Addr{}, req.ToBytes()), st.name, o.String())
}

// probe runs the conflict probes of the staged DISCOVERs, one round for
// all of them, and sends their OFFERs. The ACKs held are flushed first, so
// that none waits for the probe.
func (f *fallbackWorker) probe(ctx context.Context) {
	if f.probeSt == nil {
		return
	}
	f.flush()
	for _, a := range f.srv.Probe(ctx) {
		f.answer(fallbackAnswer{st: f.probeSt, req: a.Request, reply: a.Reply, outcome: a.Outcome})
	}
	f.probeSt = nil
	f.flush()
}

// flush commits the leases of the held answers and sends their replies;
// if the commit fails, no ACK of the batch is sent (store_failed).
func (f *fallbackWorker) flush() {
	if len(f.batch) == 0 {
		return
	}
	f.ddnsAcks()
	err := f.srv.Commit()
	var conflict *fallback.StoreConflictError
	if errors.As(err, &conflict) {
		err = nil // the batch is durable but for conflict.Addrs
	}
	unacked := f.replicate(err)
	for _, a := range f.batch {
		switch {
		case a.outcome != fallback.OutcomeAck:
		case err != nil, conflict != nil && conflict.Addrs[ipv4Of(a.reply.YourIPAddr)]:
			a.outcome, a.reply = fallback.OutcomeStoreFailed, nil
		case unacked[ipv4Of(a.reply.YourIPAddr)]:
			a.outcome, a.reply = fallback.OutcomeAckTimeout, nil
		}
		f.settle(a)
	}
	clear(f.batch)
	f.batch = f.batch[:0]
}

// replicate hands the batch's committed changes to the failover pair and
// returns the addresses whose ACK needed the partner's acknowledgement and
// did not get it in time (docs/failover.md, rule 2); nil when the scope is
// not paired or the commit failed.
func (f *fallbackWorker) replicate(commitErr error) map[netip.Addr]bool {
	ups := f.srv.TakeUpdates()
	if f.ps == nil || commitErr != nil || len(ups) == 0 {
		return nil
	}
	acked := f.ps.replicate(ups)
	var unacked map[netip.Addr]bool
	for _, u := range ups {
		if u.NeedAck && !acked[u.Lease.Addr] {
			if unacked == nil {
				unacked = make(map[netip.Addr]bool)
			}
			unacked[u.Lease.Addr] = true
		}
	}
	return unacked
}

// ipv4Of returns ip as a netip.Addr (the zero Addr if it is not IPv4).
func ipv4Of(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip.To4())
	return a
}

// send delivers one fallback reply like a relayed one, and traces it as
// the fallback server's.
func (f *fallbackWorker) send(st *ifState, reply *dhcpv4.DHCPv4) {
	msg := reply.ToBytes()
	p := wire.Packet(msg)
	res := replyResult{st: st, msg: msg, to: decideDelivery(factsOf(p))}
	ev := f.r.tracer.Start(trace.Out, st.addr.Addr(), msg)
	if ev != nil {
		ev.FromFallback = true
	}
	if err := f.r.deliver(res, f.frame[:]); err != nil {
		f.r.drop(st.counters, ev, deliverReason(err), st.name, err)
		return
	}
	f.r.tracer.EmitDelivered(ev, st.name, res.to.dstIP, res.to.kind == deliverBroadcast)
	st.counters.fallbackReplies.Add(1)
	st.counters.byType.add(1, p.MessageType())
	f.r.bindings.ObserveReply(msg, st.name, st.link.VLANID, time.Now())
}

// failbackEvidence is how recent an upstream reply must be for the
// fallback to treat the upstream as back (failback: nak). The tracker
// starts Up and stays Up at a quiet site whose upstream died, because
// renewals of fallback leases are answered here and never time out
// upstream; NAKing on that optimism would cut fallback clients off while
// the upstream is still dead. Without fresh evidence the client is kept.
const failbackEvidence = 5 * time.Minute

// upstreamProvenUp reports whether st's helper set is up and one of its
// helpers replied within failbackEvidence of now.
func (r *Relay) upstreamProvenUp(st *ifState, now time.Time) bool {
	if st.tracker == nil || !st.tracker.Up() {
		return false
	}
	for _, h := range st.helpers {
		if ns := r.helperCounter(st, h.Addr()).lastReply.Load(); ns != 0 && now.Sub(time.Unix(0, ns)) < failbackEvidence {
			return true
		}
	}
	return false
}

// countOutcome counts one answer of the fallback server by its outcome.
func (f *fallbackWorker) countOutcome(o fallback.Outcome) {
	v, _ := f.outcomes.LoadOrStore(o, new(atomic.Uint64))
	v.(*atomic.Uint64).Add(1)
}

// outcomeCounts returns the answers counted so far, by outcome name.
func (f *fallbackWorker) outcomeCounts() map[string]uint64 {
	m := make(map[string]uint64)
	f.outcomes.Range(func(k, v any) bool {
		m[k.(fallback.Outcome).String()] = v.(*atomic.Uint64).Load()
		return true
	})
	return m
}
