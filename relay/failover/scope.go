package failover

// Scope is one fallback scope's failover settings, alike on both nodes. Its
// pool is the ordered list of its dynamic addresses; ownership is by index in
// that list (docs/failover.md, "Who owns a free address").
type Scope struct {
	// Mode is the scope's failover mode.
	Mode Mode
	// Split is, in load-sharing, the percent (0–100) of the clients and of
	// the addresses that belong to the primary.
	Split uint8
	// StandbyShare is, in hot-standby, the percent (0–100) of the addresses
	// that the secondary owns.
	StandbyShare uint8
}

// OwnerAt returns the owner of the index-th of size dynamic addresses.
//
// The secondary's share (StandbyShare in hot-standby, 100 − Split in
// load-sharing) is k = ⌊size × share / 100⌋ addresses, spread evenly: index
// i is the secondary's when ⌊(i+1)·k/size⌋ > ⌊i·k/size⌋ (every size/k-th
// address, the last of each stride). Small pools: a share above 0 gives the
// secondary at least one address and a share below 100 leaves the primary at
// least one, as long as the pool has two; a pool of one address belongs to
// the primary unless the secondary's share is 100. So hot-standby's default
// 10% gives the secondary one address of any pool of 2–19. An index outside
// [0, size) and split mode (where each node's pool is its own range) return
// Primary.
func (s Scope) OwnerAt(index, size int) Role {
	if index < 0 || index >= size {
		return Primary
	}
	k := secondaryCount(s.secondaryShare(), size)
	if k == 0 {
		return Primary
	}
	if (index+1)*k/size > index*k/size {
		return Secondary
	}
	return Primary
}

// secondaryShare is the secondary's percent of the addresses.
func (s Scope) secondaryShare() int {
	switch s.Mode {
	case ModeHotStandby:
		return min(int(s.StandbyShare), 100)
	case ModeLoadSharing:
		return 100 - min(int(s.Split), 100)
	}
	return 0
}

// secondaryCount is how many of size addresses a share gives the secondary.
func secondaryCount(share, size int) int {
	k := size * share / 100
	if size >= 2 && share > 0 && k == 0 {
		k = 1
	}
	if size >= 2 && share < 100 && k == size {
		k = size - 1
	}
	return k
}

// Assigned returns the node that answers a client in NORMAL: the primary in
// hot-standby; in load-sharing, the primary when the client's ClientHash is
// below Split percent of 256 (⌊Split × 256 / 100⌋, the hash buckets of
// ISC dhcpd's split; 50 gives buckets 0–127), else the secondary. Split
// mode answers every client on both nodes and returns the primary.
func (s Scope) Assigned(key []byte) Role {
	if s.Mode != ModeLoadSharing {
		return Primary
	}
	if int(ClientHash(key)) < min(int(s.Split), 100)*256/100 {
		return Primary
	}
	return Secondary
}

// ServesClient reports whether the node of the given role, in state st,
// answers the client with this key (docs/failover.md, the states table):
// in split mode always; in NORMAL the client's Assigned node; in
// COMMUNICATIONS-INTERRUPTED and PARTNER-DOWN every client; in the other
// states nobody. In COMMUNICATIONS-INTERRUPTED the caller answers a client
// assigned to the partner only once its secs reach secs-threshold
// (ServesClientSecs), which is also the evidence for automatic
// PARTNER-DOWN.
func (s Scope) ServesClient(role Role, st State, key []byte) bool {
	if s.Mode == ModeSplit {
		return true
	}
	switch st {
	case Normal:
		return s.Assigned(key) == role
	case CommInterrupted, PartnerDown:
		return true
	}
	return false
}

// ServesClientSecs is ServesClient with the client's secs field: in
// COMMUNICATIONS-INTERRUPTED a client assigned to the partner is answered
// only when secs ≥ threshold, so that a partner that is alive and answers
// its clients keeps them (their secs stay low), and a client that the
// partner leaves unanswered is answered here and counted
// (Machine.Unanswered). In every other case it is ServesClient.
func (s Scope) ServesClientSecs(role Role, st State, key []byte, secs, threshold uint16) bool {
	if s.Mode != ModeSplit && st == CommInterrupted && s.Assigned(key) != role {
		return secs >= threshold
	}
	return s.ServesClient(role, st, key)
}
