package failover

import "time"

// View is a snapshot of one node's failover state: what the lease rules
// (docs/failover.md, "The lease rules") need. Machine.View makes it; it is
// a value, safe to share once made.
type View struct {
	Role             Role
	State            State
	Since            time.Time
	PartnerDownSince time.Time
	RecoverSince     time.Time
	Timers           Timers
	// RenewOnly: the node allocates nothing and bounds every grant as for
	// an address it does not own, because its partner may be in
	// PARTNER-DOWN (the node restarted and has not reached its partner
	// yet, or the partner said it is in PARTNER-DOWN).
	RenewOnly bool
	// PartnerRecovering: the partner is connected and said it is in
	// RECOVER or RECOVER-WAIT, where it answers nobody.
	PartnerRecovering bool
}

// Serves reports whether the node answers any client in its state.
func (v View) Serves() bool {
	switch v.State {
	case Normal, CommInterrupted, PartnerDown:
		return true
	}
	return false
}

// AnswersForPartner reports whether the node answers the clients that the
// mode assigns to its partner as well as its own: in NORMAL while the
// partner recovers (RECOVER, RECOVER-WAIT), since the partner answers
// nobody until it is NORMAL, which takes MCLT. The node still allocates
// only its own addresses, and every grant waits for the partner's
// acknowledgement as in NORMAL.
func (v View) AnswersForPartner() bool {
	return v.State == Normal && v.PartnerRecovering
}

// ownsAll reports whether the node owns every address: PARTNER-DOWN, and
// MCLT has passed since it was entered.
func (v View) ownsAll(now time.Time) bool {
	return v.State == PartnerDown && !now.Before(v.PartnerDownSince.Add(v.Timers.MCLT))
}

// MayAllocate reports whether the node may bind an address whose owner
// (Scope.OwnerAt) is owner to a client that does not hold it (rule 1's
// ownership half; the address must also be free, Reusable). In NORMAL and
// COMMUNICATIONS-INTERRUPTED it owns its own addresses (none while
// RenewOnly); in PARTNER-DOWN its own, and every address once MCLT has
// passed; in the other states none. Pass its result as Grant's owned.
func (v View) MayAllocate(owner Role, now time.Time) bool {
	switch v.State {
	case Normal:
		return owner == v.Role
	case CommInterrupted:
		return owner == v.Role && !v.RenewOnly
	case PartnerDown:
		return owner == v.Role || v.ownsAll(now)
	}
	return false
}

// Reusable reports whether an address whose last lease (of another client)
// ended at expiredAt is free at now (rule 1): in NORMAL from expiredAt +
// 2 × MaxResponseDelay, else from expiredAt + MCLT. expiredAt must be the
// later of the lease's expiry (or release) and the expiry the partner
// acknowledged for it (PartnerExpiry): the partner may renew the client up
// to MCLT beyond what it knows, and a release the partner has not
// acknowledged does not shorten what it knows.
func (v View) Reusable(expiredAt, now time.Time) bool {
	margin := v.Timers.MCLT
	if v.State == Normal {
		margin = 2 * v.Timers.MaxResponseDelay
	}
	return !now.Before(expiredAt.Add(margin))
}

// Grant returns the expiry to give a client that asked for desired (at most
// now + lease-time; the caller bounds it), for an address whose lease the
// partner acknowledged until partnerExpiry (zero for a new binding, which
// the partner does not know), with owned = MayAllocate (rule 2):
//
//   - NORMAL: desired, and needAck: the ACK leaves only after the partner's
//     acknowledgement;
//   - PARTNER-DOWN once MCLT has passed: desired;
//   - COMMUNICATIONS-INTERRUPTED and PARTNER-DOWN before MCLT:
//     min(desired, max(partnerExpiry + MCLT, now + MCLT)) when owned, else
//     min(desired, partnerExpiry + MCLT);
//   - states that serve nobody: now.
//
// An expiry not after now means no grant: the client gets no ACK.
func (v View) Grant(owned bool, desired, partnerExpiry, now time.Time) (expiry time.Time, needAck bool) {
	switch {
	case v.State == Normal:
		return desired, true
	case v.ownsAll(now):
		return desired, false
	case !v.Serves():
		return now, false
	}
	bound := time.Time{}
	if !partnerExpiry.IsZero() {
		bound = partnerExpiry.Add(v.Timers.MCLT)
	}
	if owned {
		if own := now.Add(v.Timers.MCLT); own.After(bound) {
			bound = own
		}
	}
	if desired.Before(bound) {
		return desired, false
	}
	if bound.Before(now) {
		return now, false
	}
	return bound, false
}

// AcceptUpdate reports whether a node acknowledges its partner's binding
// update (BNDUPD) of an address to client, given its own record of that
// address: holder and holderExpiry (zero holder: no record), pending when
// it has itself a grant of that address waiting for the partner's
// acknowledgement (pendingClient). It refuses an update that binds an
// address another client still holds by its own records, or one it is
// binding to another client itself (two grants crossing: both refuse, both
// clients retry). This check, made by the partner before it acknowledges,
// is what keeps NORMAL's grants apart from anything the partner did that
// this node has not heard of yet.
func AcceptUpdate(client, holder string, holderExpiry time.Time, pendingClient string, now time.Time) bool {
	if pendingClient != "" && pendingClient != client {
		return false
	}
	return holder == "" || holder == client || !now.Before(holderExpiry)
}
