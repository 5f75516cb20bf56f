package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/failover"
	"github.com/iphelper/iphelper/relay/failover/peer"
	"github.com/iphelper/iphelper/relay/failover/wire"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/status"
)

// The failover pair (docs/failover.md): one pair goroutine owns the state
// machine and applies what the partner sends; the fallback workers read the
// published View (lock-free) at every decision, hand their committed
// changes to replicate and wait there, bounded by max-ack-delay, for the
// partner's acknowledgements.

const (
	pairTick       = 250 * time.Millisecond // the machine's timers run at least this often
	pairEventsLen  = 1024                   // events waiting for the pair goroutine
	pairApplyBatch = 256                    // partner updates written in one transaction
	pairHistory    = 32                     // transitions kept for show failover
	pairStateKey   = "failover/state"       // the lease store's metadata key of the pair's state
)

// pairEvent is one input of the pair goroutine.
type pairEvent struct {
	up     *wire.Hello // the connection is up, with the partner's Hello
	down   string      // the connection ended, for this reason (when set)
	msg    wire.Message
	client string // unanswered evidence: the client and its secs
	secs   uint16
	// cmd is an operator command ("partner-down"), answered on reply.
	cmd   string
	reply chan error
}

// pair is this appliance's failover relationship with its partner.
type pair struct {
	log   *slog.Logger
	cfg   config.Failover
	role  failover.Role
	store leasestore.Store
	now   func() time.Time
	peer  *peer.Peer
	// events feed the pair goroutine; view is the machine's last View,
	// published for the workers.
	events  chan pairEvent
	quit    chan struct{}   // closed when the pair goroutine stops reading events
	started <-chan struct{} // closed once the relay's first reconcile has attached the scopes
	view    atomic.Pointer[failover.View]
	seq     atomic.Uint64

	mu      sync.Mutex
	scopes  map[netip.Prefix]*pairScope
	pending map[uint64]*pendingUpdate // updates sent, waiting for the partner's BNDACK
	status  pairStatus                // what show failover reads

	// Owned by the pair goroutine.
	m      *failover.Machine
	resync resyncState
	fresh  bool // the store held nothing for the pair at start
}

// resyncState tracks the resynchronisation of one connection.
type resyncState struct {
	active      bool
	gotDone     bool // the partner's UPDDONE came
	outstanding int  // our resync updates not yet acknowledged
}

// pendingUpdate is one update sent to the partner and not yet acknowledged.
type pendingUpdate struct {
	scope  *pairScope
	addr   netip.Addr
	expiry time.Time
	waiter *ackWaiter // the worker waiting for it, nil if none
	resync bool       // part of a resynchronisation
}

// ackWaiter is a worker's wait for the acknowledgements of a batch.
type ackWaiter struct {
	mu    sync.Mutex
	left  int
	acked map[netip.Addr]bool
	done  chan struct{}
}

// settle records one acknowledgement (ok) or its failure.
func (w *ackWaiter) settle(addr netip.Addr, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ok {
		w.acked[addr] = true
	}
	w.left--
	if w.left == 0 {
		close(w.done)
	}
}

// pairStatus is what show failover and the metrics read; guarded by
// pair.mu.
type pairStatus struct {
	connected   bool
	lastContact time.Time
	partner     string
	transitions []failover.Transition
	counts      map[string]uint64
}

// storedPair is the pair's state in the lease store's metadata.
type storedPair struct {
	State string    `json:"state"`
	Since time.Time `json:"since"`
}

// newPair builds the pair of cfg on store; Run starts it.
func newPair(cfg config.Failover, store leasestore.Store, now func() time.Time, started <-chan struct{}, log *slog.Logger) (*pair, error) {
	role := failover.Primary
	if cfg.Role == config.FailoverSecondary {
		role = failover.Secondary
	}
	p := &pair{
		log: log.With("part", "failover"), cfg: cfg, role: role, store: store, now: now,
		events: make(chan pairEvent, pairEventsLen), quit: make(chan struct{}), started: started, scopes: make(map[netip.Prefix]*pairScope),
		pending: make(map[uint64]*pendingUpdate), status: pairStatus{counts: make(map[string]uint64)},
	}
	stored, err := p.loadState()
	if err != nil {
		return nil, err
	}
	p.fresh = stored.Fresh
	p.m = failover.NewMachine(role, p.timers(), stored, now())
	p.publish()
	auth, err := p.auth()
	if err != nil {
		return nil, err
	}
	p.peer, err = peer.New(peer.Config{
		Role: wire.Role(role), Listen: cfg.Listen, Peer: cfg.Peer, Auth: auth,
		Hello: p.hello(), Handler: pairHandler{p}, Heartbeat: cfg.Heartbeat,
		MaxResponseDelay: cfg.MaxResponseDelay, MaxPending: cfg.MaxPendingUpdates, Log: p.log,
	})
	if err != nil {
		return nil, fmt.Errorf("failed to set up the failover connection: %w", err)
	}
	return p, nil
}

// timers converts the configuration's timers.
func (p *pair) timers() failover.Timers {
	return failover.Timers{
		MCLT: p.cfg.MCLT, MaxResponseDelay: p.cfg.MaxResponseDelay, Heartbeat: p.cfg.Heartbeat,
		StartupDelay: p.cfg.StartupDelay, AutoPartnerDown: p.cfg.AutoPartnerDown,
		UnansweredClients: p.cfg.UnansweredClients, SecsThreshold: uint16(p.cfg.SecsThreshold / time.Second),
	}
}

// auth reads the pair's key or certificates.
func (p *pair) auth() (peer.Auth, error) {
	if p.cfg.UsesKey() {
		key, err := peer.LoadKeyFile(p.cfg.KeyFile)
		if err != nil {
			return peer.Auth{}, fmt.Errorf("failed to read the failover key: %w", err)
		}
		return peer.PSKAuth(key)
	}
	return peer.LoadCertAuth(p.cfg.TLSCert, p.cfg.TLSKey, p.cfg.TLSCA)
}

// loadState reads the pair's stored state; Fresh when the store has none
// (a first start, or a lost lease file: RECOVER).
func (p *pair) loadState() (failover.Stored, error) {
	b, err := p.store.GetMeta(pairStateKey)
	if err != nil {
		return failover.Stored{}, fmt.Errorf("failed to read the failover state: %w", err)
	}
	if b == nil {
		return failover.Stored{Fresh: true}, nil
	}
	var sp storedPair
	if err := json.Unmarshal(b, &sp); err != nil {
		p.log.Error("stored failover state unreadable: recovering from the partner", "err", err)
		return failover.Stored{Fresh: true}, nil
	}
	st, err := failover.ParseState(sp.State)
	if err != nil {
		p.log.Error("stored failover state unknown: recovering from the partner", "state", sp.State)
		return failover.Stored{Fresh: true}, nil
	}
	return failover.Stored{State: st, Since: sp.Since}, nil
}

// saveState stores the machine's state.
func (p *pair) saveState() {
	b, _ := json.Marshal(storedPair{State: p.m.State().String(), Since: p.m.Since()})
	if err := p.store.PutMeta(pairStateKey, b); err != nil {
		p.log.Error("failed to store the failover state", "err", err)
	}
}

// publish makes the machine's View the one the workers read.
func (p *pair) publish() {
	v := p.m.View()
	p.view.Store(&v)
}

// hello is this node's Hello: its state, whether it is new, and its scopes.
func (p *pair) hello() wire.Hello {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := wire.Hello{State: uint8(p.m.State()), Fresh: p.fresh, NodeName: p.cfg.Name}
	for _, ps := range p.scopes {
		h.Scopes = append(h.Scopes, ps.info)
	}
	return h
}

// count adds one to a pair counter.
func (p *pair) count(name string) {
	p.mu.Lock()
	p.status.counts[name]++
	p.mu.Unlock()
}

// run is the pair goroutine: it runs the connection and the machine until
// ctx ends, then announces the shutdown to the partner.
func (p *pair) run(ctx context.Context) error {
	pctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The connection waits for the relay's first reconcile, so that the
	// Hello names the scopes this node serves.
	select {
	case <-p.started:
	case <-ctx.Done():
		return nil
	}
	p.peer.SetHello(p.hello())
	peerDone := make(chan error, 1)
	go func() { peerDone <- p.peer.Run(pctx) }()
	if p.m.State() == failover.Recover {
		p.saveState() // a recovery that a restart interrupts starts again
	}
	tick := time.NewTicker(pairTick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			p.shutdown()
			close(p.quit)
			cancel()
			<-peerDone
			return nil
		case err := <-peerDone:
			return fmt.Errorf("failover connection stopped: %w", err)
		case <-tick.C:
			now := p.now()
			if p.connectedNow() {
				// Heartbeats stop at the Peer, which closes a connection
				// quiet for max-response-delay: one that is up was heard.
				p.m.Heard(now)
			}
			p.transition(p.m.Tick(now))
		case e := <-p.events:
			p.handle(e)
		}
	}
}

// shutdown tells the partner this node stops serving, so it can take over
// at once (PARTNER-DOWN), and stores the state.
func (p *pair) shutdown() {
	p.transition(p.m.Shutdown(p.now()))
	if err := p.peer.Send(wire.State{State: uint8(failover.Shutdown), Shutdown: true}); err == nil {
		time.Sleep(100 * time.Millisecond) // let the writer flush it; the connection closes next
	}
}

// transition applies a transition of the machine, if ok: publish, store,
// log, count, tell the partner.
func (p *pair) transition(tr failover.Transition, ok bool) {
	if !ok {
		return
	}
	p.publish()
	p.saveState()
	p.mu.Lock()
	p.status.transitions = append(p.status.transitions, tr)
	if n := len(p.status.transitions); n > pairHistory {
		p.status.transitions = append(p.status.transitions[:0], p.status.transitions[n-pairHistory:]...)
	}
	p.status.counts["transitions"]++
	p.mu.Unlock()
	lvl := slog.LevelInfo
	if tr.From == failover.Normal || tr.To == failover.PartnerDown {
		lvl = slog.LevelWarn
	}
	p.log.Log(context.Background(), lvl, "failover state changed", "from", tr.From, "to", tr.To, "reason", tr.Reason)
	if tr.To == failover.Normal || tr.To == failover.RecoverWait {
		p.fresh = false
	}
	p.peer.SetHello(p.hello())
	if p.m.IsConnected() && tr.To != failover.Shutdown {
		_ = p.peer.Send(wire.State{State: uint8(tr.To)})
	}
}

// handle processes one event.
func (p *pair) handle(e pairEvent) {
	now := p.now()
	switch {
	case e.up != nil:
		p.connected(*e.up, now)
	case e.down != "":
		p.disconnected(e.down, now)
	case e.msg != nil:
		p.message(e.msg, now)
	case e.client != "":
		p.m.Unanswered(now, e.client, e.secs)
	case e.cmd == "partner-down":
		tr, ok := p.m.OperatorPartnerDown(now)
		if !ok {
			e.reply <- fmt.Errorf("partner-down is refused in state %v", p.m.State())
			return
		}
		tr.Reason = "operator: the partner is down"
		p.transition(tr, true)
		e.reply <- nil
	}
}

// connected starts a connection's resynchronisation.
func (p *pair) connected(h wire.Hello, now time.Time) {
	ps := failover.State(h.State)
	p.mu.Lock()
	p.status.connected, p.status.lastContact, p.status.partner = true, now, ps.String()
	p.mu.Unlock()
	p.checkScopes(h)
	p.transition(p.m.Connected(now, ps, h.Fresh))
	p.publish() // the partner's state is in the View even without a transition
	p.resync = resyncState{active: true}
	if p.m.State() == failover.Recover {
		_ = p.peer.Send(wire.UpdReq{All: true})
	}
	p.sendAll(h.Fresh || ps == failover.Recover)
}

// sendAll sends the partner every record it has not acknowledged (all of
// them with all), then UPDDONE.
func (p *pair) sendAll(all bool) {
	now := p.now()
	for _, ps := range p.scopeList() {
		for _, l := range ps.srv().Unsynced(all) {
			if !p.sendUpdate(ps, l, nil, true, now) {
				break
			}
		}
	}
	_ = p.peer.Send(wire.UpdDone{})
	p.resyncProgress(now)
}

// disconnected fails what waits for the partner and tells the machine.
func (p *pair) disconnected(why string, now time.Time) {
	p.mu.Lock()
	p.status.connected = false
	pend := p.pending
	p.pending = make(map[uint64]*pendingUpdate)
	p.mu.Unlock()
	for _, pu := range pend {
		if pu.waiter != nil {
			pu.waiter.settle(pu.addr, false)
		}
	}
	p.resync = resyncState{}
	p.transition(p.m.Disconnected(now, why))
	p.publish()
}

// message processes one message of the partner.
func (p *pair) message(m wire.Message, now time.Time) {
	p.m.Heard(now)
	p.mu.Lock()
	p.status.lastContact = now
	p.mu.Unlock()
	switch m := m.(type) {
	case wire.State:
		st := failover.State(m.State)
		p.mu.Lock()
		p.status.partner = st.String()
		p.mu.Unlock()
		if m.Shutdown {
			p.transition(p.m.PartnerShutdown(now))
			p.publish()
			return
		}
		p.transition(p.m.PartnerState(now, st))
		p.publish() // the partner's state is in the View even without a transition
	case wire.BndUpd:
		p.applyUpdates(m, now)
	case wire.BndAck:
		p.acked(m, now)
	case wire.UpdReq:
		p.sendAll(m.All)
	case wire.UpdDone:
		p.resync.gotDone = true
		if p.m.State() == failover.Recover {
			p.transition(p.m.RecoveryReceived(now))
		}
		p.resyncProgress(now)
	}
}

// resyncProgress ends the resynchronisation once both halves are done.
func (p *pair) resyncProgress(now time.Time) {
	if p.resync.active && p.resync.gotDone && p.resync.outstanding == 0 {
		p.resync.active = false
		p.transition(p.m.ResyncDone(now))
	}
}

// applyUpdates applies the partner's update first and every update queued
// right behind it (up to a batch), scope by scope in one transaction each,
// then acknowledges each. An event that is not an update ends the batch
// and is handled after it.
func (p *pair) applyUpdates(first wire.BndUpd, now time.Time) {
	batch := []wire.BndUpd{first}
	var next *pairEvent
	for len(batch) < pairApplyBatch && next == nil {
		select {
		case e := <-p.events:
			if u, ok := e.msg.(wire.BndUpd); ok {
				p.m.Heard(now)
				batch = append(batch, u)
			} else {
				next = &e
			}
		default:
			goto apply
		}
	}
apply:
	byScope := make(map[*pairScope][]int)
	acks := make([]wire.BndAck, len(batch))
	for i, u := range batch {
		acks[i] = wire.BndAck{Seq: u.Seq}
		ps := p.scope(u.Subnet)
		if ps == nil || ps.srv() == nil || ps.mismatch.Load() || !u.Addr.Is4() || !u.Subnet.Contains(u.Addr) {
			acks[i].Status, acks[i].Reason = 1, "no such failover scope here"
			continue
		}
		byScope[ps] = append(byScope[ps], i)
	}
	for ps, idx := range byScope {
		ls := make([]leasestore.Lease, len(idx))
		for j, i := range idx {
			ls[j] = leaseOf(batch[i], now, p.cfg.MaxResponseDelay)
		}
		taken, err := ps.srv().ApplyPartner(ls)
		for j, i := range idx {
			switch {
			case err != nil:
				acks[i].Status, acks[i].Reason = 2, "store failed"
			case !taken[j]:
				acks[i].Status, acks[i].Reason = 3, "conflicts with a binding here"
				p.count("updates_refused")
			default:
				p.count("updates_received")
			}
		}
		if err != nil {
			p.log.Error("failed to store the partner's lease updates", "err", err)
		}
	}
	for _, a := range acks {
		if err := p.peer.Send(a); err != nil {
			p.count("ack_send_failed")
		}
	}
	if next != nil {
		p.handle(*next)
	}
}

// leaseOf converts the partner's update into a record, its times on this
// node's clock. The expiry is read late by the update's transit, so it is
// at or after the partner's; what the partner knows (PartnerExpiry, which
// bounds this node's renewals) is taken transit earlier, at most maxTransit
// (docs/failover.md, "Between the nodes").
func leaseOf(u wire.BndUpd, now time.Time, maxTransit time.Duration) leasestore.Lease {
	exp := now.Add(time.Duration(u.Remaining) * time.Second)
	l := leasestore.Lease{Addr: u.Addr, ClientID: u.ClientID, MAC: u.MAC, Hostname: u.Hostname,
		Expiry: exp, PartnerExpiry: exp.Add(-maxTransit)}
	switch u.State {
	case wire.BindBound:
		l.State = leasestore.StateBound
	case wire.BindDeclined:
		l.State = leasestore.StateDeclined
	default:
		l.State = leasestore.StateReleased
	}
	return l
}

// acked processes the partner's acknowledgement of one of our updates.
func (p *pair) acked(a wire.BndAck, now time.Time) {
	p.mu.Lock()
	pu := p.pending[a.Seq]
	delete(p.pending, a.Seq)
	p.mu.Unlock()
	if pu == nil {
		p.count("acks_unexpected")
		return
	}
	ok := a.Status == wire.AckOK
	if srv := pu.scope.srv(); ok && srv != nil {
		srv.Acked(pu.addr, pu.expiry)
		p.count("updates_acked")
	} else if !ok {
		p.count("updates_refused_by_partner")
		p.log.Warn("the partner refused a lease update", "addr", pu.addr, "reason", a.Reason)
	}
	if pu.waiter != nil {
		pu.waiter.settle(pu.addr, ok)
	}
	if pu.resync {
		p.resync.outstanding--
		p.resyncProgress(now)
	}
}

// sendUpdate sends one record to the partner and registers it as pending;
// false when the queue is full.
func (p *pair) sendUpdate(ps *pairScope, l leasestore.Lease, w *ackWaiter, resync bool, now time.Time) bool {
	seq := p.seq.Add(1)
	u := wire.BndUpd{Seq: seq, Subnet: ps.subnet, Addr: l.Addr, ClientID: l.ClientID, MAC: l.MAC, Hostname: l.Hostname, State: bindState(l.State)}
	if d := l.Expiry.Sub(now); d > 0 {
		u.Remaining = uint32(min(d/time.Second+1, 1<<32-1)) // rounded up: the partner never thinks it ends earlier
	}
	p.mu.Lock()
	if len(p.pending) >= p.cfg.MaxPendingUpdates {
		p.status.counts["queue_full"]++
		p.mu.Unlock()
		return false
	}
	p.pending[seq] = &pendingUpdate{scope: ps, addr: l.Addr, expiry: l.Expiry, waiter: w, resync: resync}
	p.status.counts["updates_sent"]++
	p.mu.Unlock()
	if err := p.peer.Send(u); err != nil {
		p.mu.Lock()
		delete(p.pending, seq)
		p.status.counts["queue_full"]++
		p.mu.Unlock()
		return false
	}
	if resync {
		p.resync.outstanding++
	}
	return true
}

// bindState is the wire form of a record's state.
func bindState(s leasestore.State) wire.BindState {
	switch s {
	case leasestore.StateBound:
		return wire.BindBound
	case leasestore.StateDeclined:
		return wire.BindDeclined
	}
	return wire.BindReleased
}

// scope returns the failover scope of subnet, nil if none.
func (p *pair) scope(subnet netip.Prefix) *pairScope {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.scopes[subnet]
}

// scopeList returns the failover scopes that have a server.
func (p *pair) scopeList() []*pairScope {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*pairScope, 0, len(p.scopes))
	for _, ps := range p.scopes {
		if ps.srv() != nil {
			out = append(out, ps)
		}
	}
	return out
}

// checkScopes compares the partner's scopes with ours: a scope configured
// differently on the two nodes is served by neither rule set (docs/failover.md).
func (p *pair) checkScopes(h wire.Hello) {
	theirs := make(map[netip.Prefix]wire.ScopeInfo, len(h.Scopes))
	for _, s := range h.Scopes {
		theirs[s.Subnet] = s
	}
	for _, ps := range p.scopeList() {
		t, ok := theirs[ps.subnet]
		// A scope the partner does not announce may only not be served
		// there yet (its interface has no address yet, or appears later):
		// that is reported, not a mismatch. One it announces differently
		// is: the two nodes would compute different owners.
		bad := ok && (t.Mode != ps.info.Mode || t.Hash != ps.info.Hash)
		if bad != ps.mismatch.Load() {
			if bad {
				p.log.Error("failover scope configured differently on the partner: not served in failover until it matches", "subnet", ps.subnet)
			} else {
				p.log.Info("failover scope matches the partner's again", "subnet", ps.subnet)
			}
		}
		if !ok {
			p.log.Warn("the partner does not serve this failover scope (yet): its lease updates are refused there", "subnet", ps.subnet)
		}
		ps.mismatch.Store(bad)
		ps.partnerMissing.Store(!ok)
	}
}

// partnerDown is the operator's command.
func (p *pair) partnerDown(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case p.events <- pairEvent{cmd: "partner-down", reply: reply}:
	case <-p.quit:
		return errors.New("the failover pair is stopping")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errNoPair is returned by the failover commands of a daemon without one.
var errNoPair = errors.New("this appliance has no failover pair configured")

// pairHandler delivers the Peer's events to the pair goroutine; the Peer
// waits while the queue is full, so the connection is not read ahead of
// what the pair can apply.
type pairHandler struct{ p *pair }

func (h pairHandler) Up(hello wire.Hello) { h.p.deliver(pairEvent{up: &hello}) }

func (h pairHandler) Down(reason string) {
	if reason == "" {
		reason = "closed"
	}
	h.p.deliver(pairEvent{down: reason})
}

func (h pairHandler) Message(m wire.Message) { h.p.deliver(pairEvent{msg: m}) }

// deliver queues e for the pair goroutine, unless it has stopped.
func (p *pair) deliver(e pairEvent) {
	select {
	case p.events <- e:
	case <-p.quit:
	}
}

// FailoverStatus returns the failover pair's state; nil without a pair.
func (r *Relay) FailoverStatus() *status.Failover {
	if r.pair == nil {
		return nil
	}
	return r.pair.snapshot()
}

// FailoverPartnerDown is the operator's statement that the partner is down
// (`iphelper failover partner-down`): it moves COMMUNICATIONS-INTERRUPTED
// to PARTNER-DOWN, and is refused in other states.
func (r *Relay) FailoverPartnerDown(ctx context.Context) error {
	if r.pair == nil {
		return errNoPair
	}
	return r.pair.partnerDown(ctx)
}

// snapshot fills the status of show failover.
func (p *pair) snapshot() *status.Failover {
	v := p.view.Load()
	out := &status.Failover{
		Name: p.cfg.Name, Role: p.role.String(), State: v.State.String(), Since: v.Since,
		Listen: p.cfg.Listen, Peer: p.cfg.Peer, MCLT: p.cfg.MCLT, PartnerDownSince: v.PartnerDownSince,
		Counters: make(map[string]uint64),
	}
	c := p.peer.Counters()
	for k, n := range map[string]uint64{
		"auth_failed": c.AuthFailed, "version_mismatch": c.VersionMismatch, "refused": c.Refused,
		"connections_up": c.Up, "disconnects": c.Disconnects, "timeouts": c.Timeouts,
		"messages_in": c.MessagesIn, "messages_out": c.MessagesOut, "send_queue_full": c.QueueFull,
	} {
		out.Counters[k] = n
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out.Connected, out.LastContact, out.PartnerState = p.status.connected, p.status.lastContact, p.status.partner
	out.PendingUpdates = len(p.pending)
	for k, n := range p.status.counts {
		out.Counters[k] = n
	}
	for _, tr := range p.status.transitions {
		out.Transitions = append(out.Transitions, status.FailoverTransition{At: tr.At, From: tr.From.String(), To: tr.To.String(), Reason: tr.Reason})
	}
	for _, ps := range p.scopes {
		fs := status.FailoverScope{Subnet: ps.subnet, Mode: ps.fs.Mode.String(), Mismatch: ps.mismatch.Load(), PartnerMissing: ps.partnerMissing.Load()}
		if srv := ps.srv(); srv != nil {
			fs.Interface = srv.Interface()
			size := srv.PoolSize()
			for i := range size {
				if ps.fs.OwnerAt(i, size) == p.role {
					fs.Owned++
				} else {
					fs.PartnerOwned++
				}
			}
		}
		out.Scopes = append(out.Scopes, fs)
	}
	slices.SortFunc(out.Scopes, func(a, b status.FailoverScope) int { return a.Subnet.Addr().Compare(b.Subnet.Addr()) })
	return out
}

// connectedNow reports whether the authenticated connection is up.
func (p *pair) connectedNow() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status.connected
}
