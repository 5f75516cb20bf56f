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
	// Since is when that state was entered.
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

	stored      Stored    // what the store held at start (STARTUP's fallback)
	started     time.Time // NewMachine's now: contact is measured from it
	pdSince     time.Time // entered PARTNER-DOWN
	recoverFrom time.Time // RECOVER began (rule 3)

	connected    bool
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
// pair (or was in the middle of a recovery, which starts again), else
// STARTUP.
func NewMachine(role Role, t Timers, stored Stored, now time.Time) *Machine {
	m := &Machine{role: role, t: t, stored: stored, started: now, since: now,
		unanswered: make(map[string]struct{})}
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
		Timers: m.t, RenewOnly: m.renewOnly,
		PartnerRecovering: m.connected && m.partnerKnown && (m.partner == Recover || m.partner == RecoverWait)}
}

// move changes state; it always reports a transition.
func (m *Machine) move(now time.Time, to State, reason string) (Transition, bool) {
	tr := Transition{From: m.state, To: to, At: now, Reason: reason}
	m.state, m.since = to, now
	switch to {
	case PartnerDown:
		m.pdSince, m.renewOnly = now, false
	case Normal:
		m.pdSince, m.renewOnly = time.Time{}, false
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
	m.connected = true
	m.heard(now)
	m.setPartner(partner)
	switch {
	case m.state == Recover && m.stored.Fresh && partnerFresh:
		return m.move(now, Normal, "both nodes are new")
	case m.state == RecoverWait && !now.Before(m.recoverFrom.Add(m.t.MCLT)):
		return m.move(now, Normal, "connected, and MCLT has passed since RECOVER began")
	}
	return Transition{}, false
}

// Disconnected reports that the connection closed (why: the cause, for the
// reason). NORMAL becomes COMMUNICATIONS-INTERRUPTED.
func (m *Machine) Disconnected(now time.Time, why string) (Transition, bool) {
	m.connected = false
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

func (m *Machine) setPartner(s State) {
	m.partner, m.partnerKnown = s, true
	// A partner in PARTNER-DOWN may own every address: allocate nothing
	// until resynchronised (NORMAL).
	if s == PartnerDown && m.state != PartnerDown && m.state != Normal {
		m.renewOnly = true
	}
}

// PartnerState reports the partner's STATE message. A partner announcing
// SHUTDOWN (it stopped serving before it said so) moves NORMAL and
// COMMUNICATIONS-INTERRUPTED to PARTNER-DOWN.
func (m *Machine) PartnerState(now time.Time, s State) (Transition, bool) {
	m.heard(now)
	m.setPartner(s)
	if s == Shutdown {
		return m.PartnerShutdown(now)
	}
	return Transition{}, false
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
// stores the transition, then announces it to the partner.
func (m *Machine) Shutdown(now time.Time) (Transition, bool) {
	if m.state == Shutdown {
		return Transition{}, false
	}
	return m.move(now, Shutdown, "shutting down")
}

// ResyncDone reports that resynchronisation is done both ways (UPDDONE
// received and every update sent acknowledged) on a live connection:
// STARTUP, COMMUNICATIONS-INTERRUPTED and PARTNER-DOWN become NORMAL.
func (m *Machine) ResyncDone(now time.Time) (Transition, bool) {
	if !m.connected {
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

// Unanswered reports a client that the partner should answer (the scope's
// Assigned node is the partner) and that retransmitted with secs; counted
// as evidence for automatic PARTNER-DOWN in COMMUNICATIONS-INTERRUPTED when
// secs reaches SecsThreshold. Evidence is forgotten on any message from the
// partner. Memory is bounded by UnansweredClients.
func (m *Machine) Unanswered(now time.Time, client string, secs uint16) {
	if m.state != CommInterrupted || m.t.AutoPartnerDown <= 0 || secs < m.t.SecsThreshold {
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
		if m.connected && !now.Before(m.recoverFrom.Add(m.t.MCLT)) {
			return m.move(now, Normal, "MCLT has passed since RECOVER began")
		}
	}
	return Transition{}, false
}

// leaveStartup returns to the stored state after startup-delay without
// contact: PARTNER-DOWN stays PARTNER-DOWN (since when it was entered);
// anything else becomes COMMUNICATIONS-INTERRUPTED, renew-only until
// contact: while this node was down its partner may have entered
// PARTNER-DOWN and taken its addresses.
func (m *Machine) leaveStartup(now time.Time) (Transition, bool) {
	reason := fmt.Sprintf("no contact with the partner for %v after start", m.t.StartupDelay)
	if m.stored.State == PartnerDown {
		tr, ok := m.move(now, PartnerDown, reason)
		if !m.stored.Since.IsZero() && m.stored.Since.Before(now) {
			m.pdSince = m.stored.Since
		}
		return tr, ok
	}
	tr, ok := m.move(now, CommInterrupted, reason+" (renewals only until contact)")
	m.renewOnly = true
	return tr, ok
}
