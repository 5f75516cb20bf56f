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
	// LostAt is the last time either node may have lost updates it never
	// sent to the other: this node's start (it may have forgotten that its
	// partner recovered), or when it saw its partner begin to recover. A
	// lease known from before then, expiring at E, may have been extended
	// up to E + MCLT by the node that lost the update: NORMAL's short
	// reuse margin does not hold for it (ReusableSince).
	LostAt time.Time
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
	return v.PartnerRecovering && (v.State == Normal || v.State == CommInterrupted || v.State == PartnerDown)
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
// RenewOnly); in PARTNER-DOWN its own (none while RenewOnly), and every
// address once MCLT has passed; in the other states none. Pass its result as Grant's owned.
func (v View) MayAllocate(owner Role, now time.Time) bool {
	switch v.State {
	case Normal:
		return owner == v.Role
	case CommInterrupted:
		return owner == v.Role && !v.RenewOnly
	case PartnerDown:
		return owner == v.Role && !v.RenewOnly || v.ownsAll(now)
	}
	return false
}

// Reusable reports whether an address whose last lease (of another client)
// ended at expiredAt is free at now (rule 1), when the node does not know
// since when it knew that lease: from expiredAt + MCLT in every state.
// ReusableSince allows NORMAL's shorter margin. expiredAt must be the later
// of the lease's expiry (or release) and the expiry the partner
// acknowledged for it (PartnerExpiry): the partner may renew the client up
// to MCLT beyond what it knows, and a release the partner has not
// acknowledged does not shorten what it knows.
func (v View) Reusable(expiredAt, now time.Time) bool {
	return !now.Before(expiredAt.Add(v.Timers.MCLT))
}

// ReusableSince is Reusable for a lease this node has known since
// knownSince (when it first recorded this client on this address): in
// NORMAL, when knownSince is not before LostAt, from expiredAt +
// 2 × MaxResponseDelay (every change of the lease since it was known was
// acknowledged, and reconnection resynchronises before NORMAL; the margin
// covers a partner that noticed a broken connection before this node did);
// otherwise from expiredAt + MCLT. A lease known from before LostAt may have
// been extended, by up to MCLT, in an update that a node lost with its
// store before it could send it.
func (v View) ReusableSince(expiredAt, knownSince, now time.Time) bool {
	margin := v.Timers.MCLT
	if v.State == Normal && !knownSince.IsZero() && !knownSince.Before(v.LostAt) {
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
//   - COMMUNICATIONS-INTERRUPTED and PARTNER-DOWN:
//     min(desired, max(partnerExpiry + MCLT, now + MCLT)) when owned, else
//     min(desired, partnerExpiry + MCLT);
//   - states that serve nobody: now.
//
// PARTNER-DOWN keeps the MCLT bound even once it owns every address: a
// node that loses its store recovers from its partner and waits only MCLT
// (rule 3), so no lease it granted without the partner's acknowledgement
// may run longer than MCLT beyond what the partner knows.
//
// An expiry not after now means no grant: the client gets no ACK.
func (v View) Grant(owned bool, desired, partnerExpiry, now time.Time) (expiry time.Time, needAck bool) {
	switch {
	case v.State == Normal:
		return desired, true
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
