package relay

import "github.com/iphelper/iphelper/config"

// opt82Action is what the request path does to a request's option 82.
type opt82Action uint8

const (
	opt82None    opt82Action = iota // forward the options unchanged, add nothing
	opt82Insert                     // append our option 82 before END
	opt82Replace                    // strip the received option 82, then append ours
	opt82Strip                      // strip the received option 82, add nothing
	opt82Drop                       // drop the request (the reason says why)
)

// requestFacts are the properties of a request that the option-82 policy
// depends on.
type requestFacts struct {
	bootp     bool // no DHCP magic cookie: plain BOOTP, never gets option 82
	giaddrSet bool // another relay below us has already set giaddr
	hasOpt82  bool // the request carries an option 82
}

// option82Action is the option-82 policy table of the request path
// (docs/packet-paths.md, request step 4.7). It depends only on the interface's settings and the facts
// of the request, so the whole table is tested in policy_test.go.
//
//   - A request relayed by another agent (giaddr set; admitRequest lets it
//     through on a trusted interface only) is forwarded untouched: its
//     option 82 belongs to that agent (RFC 3046 §2.1).
//   - Plain BOOTP has no options field we may extend: no option 82.
//   - giaddr 0 with an option 82 on an untrusted interface is dropped
//     (RFC 3046 §2.1.1); on a trusted one the policy decides.
//   - Otherwise our option 82 is appended when insertion is on.
func option82Action(o config.Option82, trusted bool, f requestFacts) (opt82Action, Reason) {
	switch {
	case f.giaddrSet:
		return opt82None, 0
	case f.bootp:
		return opt82None, 0
	case !f.hasOpt82 && o.Insert:
		return opt82Insert, 0
	case !f.hasOpt82:
		return opt82None, 0
	case !trusted:
		return opt82Drop, ReasonUntrustedOpt82
	}
	switch o.Policy {
	case config.PolicyKeep:
		return opt82None, 0
	case config.PolicyDrop:
		return opt82Drop, ReasonPolicyDrop
	default: // config.PolicyReplace
		if o.Insert {
			return opt82Replace, 0
		}
		return opt82Strip, 0
	}
}
