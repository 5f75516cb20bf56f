package ratelimit

import "fmt"

// Verdict is the decision on one request.
type Verdict uint8

// The verdicts.
const (
	// Allowed: the request conforms to every limit and has been counted
	// against them.
	Allowed Verdict = iota
	// InterfaceLimited: the interface's buckets open to the client are
	// empty (the new share; for a known client, the known share too).
	InterfaceLimited
	// ClientLimited: the sending client's bucket is empty.
	ClientLimited
)

// String returns the verdict as a drop reason: "allowed",
// "interface-rate-limit" or "client-rate-limit".
func (v Verdict) String() string {
	switch v {
	case Allowed:
		return "allowed"
	case InterfaceLimited:
		return "interface-rate-limit"
	case ClientLimited:
		return "client-rate-limit"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}
