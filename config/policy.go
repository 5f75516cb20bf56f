package config

import "fmt"

// Policy is what the relay does with an option 82 that a trusted interface
// delivers (Cisco "ip dhcp relay information policy", dhcrelay -m).
type Policy int

// The policies.
const (
	// PolicyReplace strips the received option 82 and appends ours (default).
	PolicyReplace Policy = iota
	// PolicyKeep forwards the received option 82 unchanged and adds none.
	PolicyKeep
	// PolicyDrop drops the request.
	PolicyDrop
)

// String returns the policy's name as written in the config file: "replace",
// "keep" or "drop".
func (p Policy) String() string {
	switch p {
	case PolicyReplace:
		return "replace"
	case PolicyKeep:
		return "keep"
	case PolicyDrop:
		return "drop"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// ParsePolicy returns the policy called s ("keep", "replace" or "drop", the
// keywords of Cisco "ip dhcp relay information policy").
func ParsePolicy(s string) (Policy, error) {
	for _, p := range []Policy{PolicyReplace, PolicyKeep, PolicyDrop} {
		if s == p.String() {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown policy %q: want keep, replace or drop", s)
}
