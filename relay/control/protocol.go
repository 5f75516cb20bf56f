package control

import "encoding/json"

// Version is the protocol version this package speaks.
const Version = 1

// DefaultPath is where the daemon listens unless told otherwise.
const DefaultPath = "/run/iphelper/control.sock"

// MaxRequestSize is the longest request line the server reads, newline
// included; a longer one is answered with CodeRequestTooLarge and the
// connection is closed.
const MaxRequestSize = 4096

// Commands (Request.Cmd).
const (
	CmdShow  = "show"
	CmdClear = "clear"
	CmdDebug = "debug"
	// CmdReload re-reads and applies the configuration (like SIGHUP); a bad
	// one is answered with CodeRejected and the running one stays.
	CmdReload = "reload"
	// CmdFailover is an operator command to the failover pair (What:
	// FailoverPartnerDown).
	CmdFailover = "failover"
)

// Targets (Request.What).
const (
	ShowInterfaces = "interfaces" // data: []Interface
	ShowHelpers    = "helpers"    // data: []Helper
	ShowUpstreams  = "upstreams"  // alias of ShowHelpers
	ShowStatistics = "statistics" // data: Statistics
	ShowBindings   = "bindings"   // data: []Binding; Arg: an address or a MAC, or empty for all
	ShowLeases     = "leases"     // data: []Lease
	ShowFailover   = "failover"   // data: Failover; CodeUnavailable without a failover pair
	ShowVersion    = "version"    // data: DaemonVersion
	ShowPools      = "pools"      // data: []Pool
	ShowConflicts  = "conflicts"  // data: []Conflict; CodeUnavailable without a fallback server
	ShowDDNS       = "ddns"       // data: []DDNSScope, the scopes with dynamic DNS
	// ClearStatistics starts what show displays over (no data): every
	// counter, or with Arg the counters of interface Arg only. The relay's
	// counters, which the metrics export, do not change.
	ClearStatistics = "statistics"
	// ClearConflicts frees quarantined addresses of the fallback server:
	// Arg one address, or "*" (or empty) for every one. data:
	// ClearedConflicts.
	ClearConflicts = "conflicts"
	DebugPackets   = "packets" // a stream of events; Interface: one interface, or empty for all
	// FailoverPartnerDown (cmd failover) tells the pair its partner is
	// down: data is the Failover after the change; a state that does not
	// allow it is answered with CodeRefused.
	FailoverPartnerDown = "partner-down"
)

// Request is one line a client sends.
type Request struct {
	V         int    `json:"v"`
	Cmd       string `json:"cmd"`
	What      string `json:"what,omitempty"`
	Arg       string `json:"arg,omitempty"`
	Interface string `json:"interface,omitempty"`
}

// Response is one line the server sends: the answer to a request, or one
// event of a `debug packets` stream.
type Response struct {
	V     int             `json:"v"`
	OK    bool            `json:"ok"`
	Code  Code            `json:"code,omitempty"`
	Error string          `json:"error,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`
	Event *TraceEvent     `json:"event,omitempty"`
}

// Code says why a request failed. The values are stable.
type Code string

// The error codes.
const (
	CodeBadRequest         Code = "bad_request"         // the line is not a JSON request
	CodeRequestTooLarge    Code = "request_too_large"   // the line is longer than MaxRequestSize
	CodeUnsupportedVersion Code = "unsupported_version" // v is not a version the server speaks
	CodeUnknownCommand     Code = "unknown_command"     // unknown cmd, or unknown what for that cmd
	CodeBadArgument        Code = "bad_argument"        // arg or interface is not valid for the command
	CodeUnavailable        Code = "unavailable"         // the daemon does not run that part (e.g. no fallback server)
	CodeBusy               Code = "busy"                // too many connections; try again
	CodeShuttingDown       Code = "shutting_down"       // the daemon is stopping
	CodeInternal           Code = "internal"            // the server failed to build the answer
	CodeRejected           Code = "rejected"            // reload: the new configuration is invalid; the running one stays
	CodeRefused            Code = "refused"             // failover partner-down: the pair's state does not allow it; nothing changed
	CodeForbidden          Code = "forbidden"           // the peer may not run this command (a read-only operator's clear, reload, failover)
)

// Error is a failed request, as the client library returns it. Branch on
// Code with errors.As, or with errors.Is against an *Error that has only a
// Code.
type Error struct {
	Code    Code
	Message string
}

// Error returns the message and the code.
func (e *Error) Error() string { return e.Message + " (" + string(e.Code) + ")" }

// Is reports whether target is an *Error with the same code and, if
// target has a message, the same message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// errorResponse is the response for e.
func errorResponse(e *Error) Response {
	return Response{V: Version, Code: e.Code, Error: e.Message}
}
