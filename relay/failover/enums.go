package failover

import "fmt"

// Mode is how a failover scope shares its clients and addresses between the
// two nodes (docs/failover.md, "Modes").
type Mode uint8

// The modes.
const (
	// ModeSplit: each node serves from its own range; no connection.
	ModeSplit Mode = iota
	// ModeHotStandby: the primary serves; the secondary keeps a copy.
	ModeHotStandby
	// ModeLoadSharing: both serve, each the clients the RFC 3074 hash gives it.
	ModeLoadSharing
)

var modeNames = [...]string{"split", "hot-standby", "load-sharing"}

// String returns the mode's configuration name.
func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("mode(%d)", m)
}

// ParseMode parses a mode's configuration name.
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if s == n {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown failover mode %q (want split, hot-standby or load-sharing)", s)
}

// Role is a node's role in the pair; both nodes are configured alike, each
// with its own role.
type Role uint8

// The roles.
const (
	Primary Role = iota
	Secondary
)

var roleNames = [...]string{"primary", "secondary"}

// String returns the role's configuration name.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("role(%d)", r)
}

// Other returns the partner's role.
func (r Role) Other() Role {
	if r == Primary {
		return Secondary
	}
	return Primary
}

// ParseRole parses a role's configuration name.
func ParseRole(s string) (Role, error) {
	for i, n := range roleNames {
		if s == n {
			return Role(i), nil
		}
	}
	return 0, fmt.Errorf("unknown failover role %q (want primary or secondary)", s)
}

// State is a node's failover state (docs/failover.md, "The states"), named
// as in the DHCP failover protocol draft.
type State uint8

// The states.
const (
	// Startup: just started with data; serves nobody until contact or
	// startup-delay.
	Startup State = iota
	// Normal: connected and resynchronised; grants wait for the partner's ack.
	Normal
	// CommInterrupted: no contact; serves every client under rule 2.
	CommInterrupted
	// PartnerDown: the partner is known to be down; owns every address once
	// MCLT has passed.
	PartnerDown
	// Recover: the lease store was new or lost; waits for the partner's data.
	Recover
	// RecoverWait: the partner's data is stored; waits MCLT since Recover
	// began (rule 3).
	RecoverWait
	// Shutdown: the node is stopping and serves nobody. A node announces it
	// to its partner (which then enters PartnerDown) and stores it, so that
	// its next start knows the partner may be in PartnerDown.
	Shutdown
)

var stateNames = [...]string{"STARTUP", "NORMAL", "COMMUNICATIONS-INTERRUPTED",
	"PARTNER-DOWN", "RECOVER", "RECOVER-WAIT", "SHUTDOWN"}

// String returns the draft's name of the state.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", s)
}

// ParseState parses a state's name as String writes it.
func ParseState(s string) (State, error) {
	for i, n := range stateNames {
		if s == n {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("unknown failover state %q", s)
}
