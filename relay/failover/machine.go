package failover

import (
	"fmt"
	"time"
)

// Timers are the pair's timers and thresholds (docs/failover.md), alike on
// both nodes.
type Timers struct {
	// MCLT is the Maximum Client Lead Time (rules 1–3).
	MCLT time.Duration
	// MaxResponseDelay: NORMAL without a message from the partner for this
	// long becomes COMMUNICATIONS-INTERRUPTED.
	MaxResponseDelay time.Duration
	// Heartbeat is how often the caller sends a heartbeat (not used here).
	Heartbeat time.Duration
	// StartupDelay: STARTUP without contact for this long leaves STARTUP.
	StartupDelay time.Duration
	// AutoPartnerDown: no contact for this long, with the evidence below,
	// enters PARTNER-DOWN; 0 turns automatic PARTNER-DOWN off.
	AutoPartnerDown time.Duration
	// UnansweredClients is how many distinct unanswered clients make the
	// evidence.
	UnansweredClients int
	// SecsThreshold is the secs from which a client counts as unanswered.
	SecsThreshold uint16
}

// Stored is what the lease store holds of the pair's state.
type Stored struct {
	// State is the last state stored (written on every transition).
	State State
	// Since is when that state was entered. A start resumes no state from
	// it: STARTUP leads to COMMUNICATIONS-INTERRUPTED, renew-only, even
	// from a stored PARTNER-DOWN (docs/failover.md, "The states").
	Since time.Time
	// Fresh is true when the store holds nothing for this pair (first
	// start, or the file was lost): the node starts in RECOVER.
	Fresh bool
}

// Transition is one change of state.
type Transition struct {
	From, To State
	At       time.Time
	// Reason is a short human text, e.g. "no message from the partner for 3s".
	Reason string
}

// Machine is the pair's state machine on one node (docs/failover.md, "The
// states"). It is pure: the caller reports events with their time and
// stores each Transition. It is not safe for concurrent use: one goroutine
// calls it and publishes View snapshots.
type Machine struct {
	role  Role
	t     Timers
	state State
	since time.Time

	stored      Stored    // what the store held at start (Fresh: "both nodes are new")
	started     time.Time // NewMachine's now: contact is measured from it
	pdSince     time.Time // entered PARTNER-DOWN
	recoverFrom time.Time // RECOVER began (rule 3)
	// lostAt: the last time either node may have lost updates it never
	// sent (this node's start, the partner seen recovering).
	lostAt time.Time
	// partnerLostAt: when the partner was last seen starting a recovery.
	partnerLostAt time.Time

	connected    bool
	resynced     bool // ResyncDone seen on this connection
	lastHeard    time.Time
	partner      State
	partnerKnown bool
	// renewOnly: no allocation, only rule-2 renewals, because the partner
	// may be in PARTNER-DOWN and own every address.
	renewOnly  bool
	unanswered map[string]struct{}
}

// NewMachine returns the machine of a node with this role, starting at now
// from what the lease store holds: RECOVER when the store is new for the
// pair (or was in the middle of a recovery, which starts again, rule 3),
// else STARTUP, renew-only until contact. Two nodes that both start in
// RECOVER without both being new (a double loss) wait for each other: no
// rule can make their leases safe.
func NewMachine(role Role, t Timers, stored Stored, now time.Time) *Machine {
	m := &Machine{role: role, t: t, stored: stored, started: now, since: now,
		lostAt: now, unanswered: make(map[string]struct{})}
	switch {
	case stored.Fresh || stored.State == Recover || stored.State == RecoverWait:
		m.state, m.recoverFrom = Recover, now
	default:
		m.state, m.renewOnly = Startup, true
	}
	return m
}

// State returns the current state.
func (m *Machine) State() State { return m.state }

// Since returns when the current state was entered.
func (m *Machine) Since() time.Time { return m.since }

// PartnerDownSince returns when PARTNER-DOWN was entered (zero outside it).
func (m *Machine) PartnerDownSince() time.Time { return m.pdSince }

// RecoverSince returns when RECOVER began (zero when the node did not recover).
func (m *Machine) RecoverSince() time.Time { return m.recoverFrom }

// IsConnected reports whether the connection to the partner is up.
func (m *Machine) IsConnected() bool { return m.connected }

// Partner returns the partner's last announced state, and false before any.
func (m *Machine) Partner() (State, bool) { return m.partner, m.partnerKnown }

// View returns the snapshot the lease rules need.
func (m *Machine) View() View {
	return View{Role: m.role, State: m.state, Since: m.since,
		PartnerDownSince: m.pdSince, RecoverSince: m.recoverFrom,
		Timers: m.t, RenewOnly: m.renewOnly, LostAt: m.lostAt,
		PartnerRecovering: m.connected && m.partnerKnown && (m.partner == Recover || m.partner == RecoverWait)}
}

// move changes state; it always reports a transition.
func (m *Machine) move(now time.Time, to State, reason string) (Transition, bool) {
	tr := Transition{From: m.state, To: to, At: now, Reason: reason}
	m.state, m.since = to, now
	switch to {
	case PartnerDown:
		// A node that was renew-only keeps off its own addresses too
		// until MCLT has passed: its partner may have been in
		// PARTNER-DOWN and bound them, unknown to this node.
		m.pdSince = now
	case Normal:
		// NORMAL's grants wait for the partner's ack; should the
		// connection drop while the partner is still in PARTNER-DOWN,
		// the partner owns every address: renew only.
		m.renewOnly = m.partnerKnown && m.partner == PartnerDown
	}
	if to != PartnerDown {
		m.pdSince = time.Time{}
	}
	return tr, true
}

// Connected reports that the authenticated connection is up and the
// partner's HELLO was seen, with its state and whether its store is new.
// It moves only RECOVER when both nodes are new (a pair's first start) and
// RECOVER-WAIT whose MCLT has passed; the other states wait for ResyncDone.
func (m *Machine) Connected(now time.Time, partner State, partnerFresh bool) (Transition, bool) {
	m.connected, m.resynced = true, false
	m.heard(now)
	m.setPartner(now, partner)
	switch {
	case m.state == Recover && m.stored.Fresh && partnerFresh:
		return m.move(now, Normal, "both nodes are new")
	case m.state == RecoverWait && m.recoveryOver(now):
		return m.move(now, Normal, "connected, and MCLT has passed since RECOVER began")
	}
	return Transition{}, false
}

// Disconnected reports that the connection closed (why: the cause, for the
// reason). NORMAL becomes COMMUNICATIONS-INTERRUPTED.
func (m *Machine) Disconnected(now time.Time, why string) (Transition, bool) {
	m.connected, m.resynced = false, false
	if m.state == Normal {
		return m.move(now, CommInterrupted, "connection lost: "+why)
	}
	return Transition{}, false
}

// Heard reports any message from the partner.
func (m *Machine) Heard(now time.Time) { m.heard(now) }

func (m *Machine) heard(now time.Time) {
	if now.After(m.lastHeard) {
		m.lastHeard = now
	}
	clear(m.unanswered)
}

func (m *Machine) setPartner(now time.Time, s State) {
	if recovering(s) && (!m.partnerKnown || !recovering(m.partner) || s == Recover && m.partner != Recover) {
		// A new recovery of the partner: what it never sent is lost.
		m.partnerLostAt = now
		if now.After(m.lostAt) {
			m.lostAt = now
		}
	}
	m.partner, m.partnerKnown = s, true
	// A partner in PARTNER-DOWN may own every address: allocate nothing
	// until resynchronised (NORMAL).
	if s == PartnerDown && m.state != PartnerDown {
		m.renewOnly = true
	}
}

func recovering(s State) bool { return s == Recover || s == RecoverWait }

// recoveryOver reports whether MCLT has passed since this node began to
// recover and since the partner last began to (both lost what they never
// sent; rule 3).
func (m *Machine) recoveryOver(now time.Time) bool {
	return !now.Before(m.recoverFrom.Add(m.t.MCLT)) &&
		(m.partnerLostAt.IsZero() || !now.Before(m.partnerLostAt.Add(m.t.MCLT)))
}

// PartnerState reports the partner's STATE message. A partner announcing
// SHUTDOWN (it stopped serving before it said so) moves NORMAL and
// COMMUNICATIONS-INTERRUPTED to PARTNER-DOWN.
func (m *Machine) PartnerState(now time.Time, s State) (Transition, bool) {
	m.heard(now)
	m.setPartner(now, s)
	if s == Shutdown {
		return m.PartnerShutdown(now)
	}
	return m.toNormal(now)
}

// PartnerShutdown is PartnerState(now, Shutdown).
func (m *Machine) PartnerShutdown(now time.Time) (Transition, bool) {
	m.partner, m.partnerKnown = Shutdown, true
	if m.state == Normal || m.state == CommInterrupted {
		return m.move(now, PartnerDown, "the partner announced it is shutting down")
	}
	return Transition{}, false
}

// Shutdown moves the node itself to SHUTDOWN: the caller stops serving,
// stores the transition, then announces it to the partner. RECOVER and
// RECOVER-WAIT stay as they are (no transition, nothing to announce): the
// stored state must keep saying that the node's data is incomplete, so
// that its next start recovers again and waits MCLT again (rule 3).
func (m *Machine) Shutdown(now time.Time) (Transition, bool) {
	switch m.state {
	case Shutdown, Recover, RecoverWait:
		return Transition{}, false
	}
	return m.move(now, Shutdown, "shutting down")
}

// ResyncDone reports that resynchronisation is done both ways (UPDDONE
// received and every update sent acknowledged) on a live connection:
// STARTUP, COMMUNICATIONS-INTERRUPTED and PARTNER-DOWN become NORMAL, unless
// the partner is recovering (RECOVER, RECOVER-WAIT): then the node waits for
// the partner's NORMAL (PartnerState). A recovering partner lost the
// updates it never sent, so this node cannot know every lease exactly,
// which NORMAL's short reuse margin (rule 1) assumes; the partner is
// NORMAL only once MCLT has passed since it began to recover, when those
// lost leases have expired (rule 3).
func (m *Machine) ResyncDone(now time.Time) (Transition, bool) {
	if !m.connected {
		return Transition{}, false
	}
	m.resynced = true
	return m.toNormal(now)
}

// toNormal enters NORMAL when resynchronised on a live connection and the
// partner is not recovering. A node that starts (STARTUP) while its partner
// recovers goes to COMMUNICATIONS-INTERRUPTED instead, and allocates: the
// partner answers nobody until its recovery ends (MCLT), and is not in
// PARTNER-DOWN, so the node's own addresses are its own.
func (m *Machine) toNormal(now time.Time) (Transition, bool) {
	if !m.connected || !m.resynced {
		return Transition{}, false
	}
	if m.partnerKnown && (m.partner == Recover || m.partner == RecoverWait) {
		if m.state == Startup {
			m.renewOnly = false
			return m.move(now, CommInterrupted, "resynchronised; NORMAL waits for the partner's recovery")
		}
		return Transition{}, false
	}
	switch m.state {
	case Startup, CommInterrupted, PartnerDown:
		return m.move(now, Normal, "connected and resynchronised both ways")
	}
	return Transition{}, false
}

// RecoveryReceived reports that the partner's whole lease data was received
// and stored: RECOVER becomes RECOVER-WAIT (or NORMAL at once when MCLT has
// already passed since RECOVER began and the connection is up).
func (m *Machine) RecoveryReceived(now time.Time) (Transition, bool) {
	if m.state != Recover {
		return Transition{}, false
	}
	m.stored.Fresh = false
	return m.move(now, RecoverWait, "the partner's lease data received")
}

// OperatorPartnerDown is the operator's statement that the partner is down:
// STARTUP and COMMUNICATIONS-INTERRUPTED become PARTNER-DOWN. Refused
// (ok=false) in NORMAL, where the partner answers, and while recovering.
func (m *Machine) OperatorPartnerDown(now time.Time) (Transition, bool) {
	if m.state == Startup || m.state == CommInterrupted {
		return m.move(now, PartnerDown, "operator: the partner is down")
	}
	return Transition{}, false
}

// Unanswered reports a client, seen at now with secs, that the partner
// leaves unanswered: evidence for automatic PARTNER-DOWN, counted in
// COMMUNICATIONS-INTERRUPTED when secs ≥ SecsThreshold and at least
// 2 × MaxResponseDelay after the last contact (until then the partner may
// still believe it is in NORMAL, where it cannot answer without this
// node's acknowledgement).
//
// The caller reports only a client that a live partner that sees it
// always answers: one the scope assigns to the partner (Scope.Assigned)
// and that holds, by this node's records, an unexpired lease that the
// partner acknowledged on an address the partner owns (Scope.OwnerAt). The
// partner renews such a lease in any serving state without needing a free
// address (rule 2 always lets it extend its own address past now). A new
// client is no evidence: a partner that is alive but has no free address
// leaves it unanswered too, and declaring that partner down would let both
// nodes allocate its addresses.
//
// Evidence is forgotten on any message from the partner; memory is
// bounded by UnansweredClients.
func (m *Machine) Unanswered(now time.Time, client string, secs uint16) {
	if m.state != CommInterrupted || m.t.AutoPartnerDown <= 0 || secs < m.t.SecsThreshold {
		return
	}
	if now.Before(m.lastContact().Add(2 * m.t.MaxResponseDelay)) {
		return
	}
	if len(m.unanswered) < max(m.t.UnansweredClients, 1) {
		m.unanswered[client] = struct{}{}
	}
}

// lastContact is the last message from the partner, or the start.
func (m *Machine) lastContact() time.Time {
	if m.lastHeard.After(m.started) {
		return m.lastHeard
	}
	return m.started
}

// Tick runs the timers: STARTUP's startup-delay, NORMAL's max-response-delay,
// RECOVER-WAIT's MCLT, and automatic PARTNER-DOWN. Call it at least every
// Heartbeat.
func (m *Machine) Tick(now time.Time) (Transition, bool) {
	quiet := now.Sub(m.lastContact())
	switch m.state {
	case Startup:
		if now.Sub(m.started) >= m.t.StartupDelay && !m.connected {
			return m.leaveStartup(now)
		}
	case Normal:
		if quiet >= m.t.MaxResponseDelay {
			return m.move(now, CommInterrupted, fmt.Sprintf("no message from the partner for %v", m.t.MaxResponseDelay))
		}
	case CommInterrupted:
		if m.t.AutoPartnerDown > 0 && !m.connected && quiet >= m.t.AutoPartnerDown &&
			len(m.unanswered) >= max(m.t.UnansweredClients, 1) {
			return m.move(now, PartnerDown, fmt.Sprintf("no contact for %v and %d clients unanswered", m.t.AutoPartnerDown, len(m.unanswered)))
		}
	case RecoverWait:
		if m.connected && m.recoveryOver(now) {
			return m.move(now, Normal, "MCLT has passed since RECOVER began")
		}
	}
	return Transition{}, false
}

// leaveStartup leaves STARTUP after startup-delay without contact for
// COMMUNICATIONS-INTERRUPTED, renew-only until contact, whatever state was
// stored: while this node was down its partner may have entered
// PARTNER-DOWN and taken its addresses, so it must not allocate; and a
// stored PARTNER-DOWN is not resumed, since the partner may have been
// declared down in turn while this node was down (two nodes in
// PARTNER-DOWN both own every address). PARTNER-DOWN takes a new
// operator's word or new evidence.
func (m *Machine) leaveStartup(now time.Time) (Transition, bool) {
	reason := fmt.Sprintf("no contact with the partner for %v after start (renewals only until contact)", m.t.StartupDelay)
	tr, ok := m.move(now, CommInterrupted, reason)
	m.renewOnly = true
	return tr, ok
}
