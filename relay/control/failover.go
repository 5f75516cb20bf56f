package control

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"time"

	"github.com/iphelper/iphelper/relay/status"
)

// partnerDownTimeout bounds how long `failover partner-down` waits for the
// pair to take the command.
const partnerDownTimeout = 5 * time.Second

// Failover is the failover pair's state (`show failover`,
// docs/failover.md): this node's role and state, the partner's, the
// connection, each scope in failover, the last transitions and the
// counters.
type Failover struct {
	Name string `json:"name,omitempty"`
	Role string `json:"role"` // "primary" or "secondary"
	// State is this node's state ("NORMAL", "COMMUNICATIONS-INTERRUPTED",
	// …) and Since when it was entered.
	State string    `json:"state"`
	Since time.Time `json:"since,omitzero"`
	// PartnerState is the partner's last announced state; omitted before
	// any.
	PartnerState string `json:"partner_state,omitempty"`
	// Connected says the authenticated connection is up; LastContact is
	// the partner's last message, omitted when none came since the start.
	Connected   bool           `json:"connected"`
	LastContact time.Time      `json:"last_contact,omitzero"`
	Listen      netip.AddrPort `json:"listen,omitzero"`
	Peer        netip.AddrPort `json:"peer,omitzero"`
	MCLTSeconds float64        `json:"mclt_seconds"`
	// PartnerDownSince is when PARTNER-DOWN was entered; omitted outside it.
	PartnerDownSince time.Time `json:"partner_down_since,omitzero"`
	// PendingUpdates are the lease updates sent and not yet acknowledged.
	PendingUpdates int                  `json:"pending_updates"`
	Scopes         []FailoverScope      `json:"scopes"`
	Transitions    []FailoverTransition `json:"transitions"` // oldest first
	// Counters are the pair's and its connection's counts by name
	// (updates_sent, updates_acked, auth_failed, transitions, …), zero
	// ones included.
	Counters map[string]uint64 `json:"counters"`
}

// FailoverScope is one fallback scope in the pair.
type FailoverScope struct {
	Interface string       `json:"interface,omitempty"` // empty while the scope is not served
	Subnet    netip.Prefix `json:"subnet"`
	Mode      string       `json:"mode"` // "split", "hot-standby", "load-sharing"
	// Mismatch says the partner's scope of the subnet is configured
	// differently: the scope is not served in failover.
	Mismatch bool `json:"mismatch"`
	// PartnerMissing says the partner did not name the scope when it
	// connected: it does not serve it, or not yet, and refuses its updates.
	PartnerMissing bool `json:"partner_missing"`
	// Owned and PartnerOwned count the dynamic addresses each node may
	// allocate in NORMAL.
	Owned        int `json:"owned"`
	PartnerOwned int `json:"partner_owned"`
}

// FailoverTransition is one state change of this node, with its reason.
type FailoverTransition struct {
	At     time.Time `json:"at"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason"`
}

// failoverOf converts the pair's status for the wire.
func failoverOf(f *status.Failover) Failover {
	out := Failover{
		Name: f.Name, Role: f.Role, State: f.State, Since: f.Since, PartnerState: f.PartnerState,
		Connected: f.Connected, LastContact: f.LastContact, Listen: f.Listen, Peer: f.Peer,
		MCLTSeconds: f.MCLT.Seconds(), PartnerDownSince: f.PartnerDownSince, PendingUpdates: f.PendingUpdates,
		Scopes: make([]FailoverScope, 0, len(f.Scopes)), Transitions: make([]FailoverTransition, 0, len(f.Transitions)),
		Counters: make(map[string]uint64, len(f.Counters)),
	}
	for _, s := range f.Scopes {
		out.Scopes = append(out.Scopes, FailoverScope{
			Interface: s.Interface, Subnet: s.Subnet, Mode: s.Mode, Mismatch: s.Mismatch, PartnerMissing: s.PartnerMissing, Owned: s.Owned, PartnerOwned: s.PartnerOwned,
		})
	}
	for _, t := range f.Transitions {
		out.Transitions = append(out.Transitions, FailoverTransition{At: t.At, From: t.From, To: t.To, Reason: t.Reason})
	}
	maps.Copy(out.Counters, f.Counters)
	return out
}

// noPair is the answer of a daemon without a failover pair.
func noPair() *Error { return &Error{Code: CodeUnavailable, Message: "no failover pair configured"} }

// showFailover answers `show failover`.
func (s *Server) showFailover() (any, *Error) {
	if s.src.Failover == nil {
		return nil, noPair()
	}
	f := s.src.Failover.FailoverStatus()
	if f == nil {
		return nil, noPair()
	}
	return failoverOf(f), nil
}

// failover answers the failover commands: `failover partner-down`. The
// socket is owner-only, like clear and reload: whoever may open it may
// command the daemon.
func (s *Server) failover(ctx context.Context, req Request) (any, *Error) {
	if req.What != FailoverPartnerDown {
		return nil, &Error{Code: CodeUnknownCommand, Message: fmt.Sprintf("unknown failover command %q, want %s", req.What, FailoverPartnerDown)}
	}
	if s.src.Failover == nil || s.src.Failover.FailoverStatus() == nil {
		return nil, noPair()
	}
	ctx, cancel := context.WithTimeout(ctx, partnerDownTimeout)
	defer cancel()
	if err := s.src.Failover.FailoverPartnerDown(ctx); err != nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return nil, &Error{Code: CodeInternal, Message: fmt.Sprintf("the failover pair did not take partner-down within %v", partnerDownTimeout)}
		case ctx.Err() != nil:
			return nil, &Error{Code: CodeShuttingDown, Message: "the daemon is stopping"}
		}
		return nil, &Error{Code: CodeRefused, Message: err.Error()}
	}
	s.log.Warn("failover partner-down from the control socket: this node now serves every client of the pair")
	return s.showFailover()
}
