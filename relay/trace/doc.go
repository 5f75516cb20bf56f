// Package trace is the relay's live packet trace (`iphelper debug
// packets`): the relay's hot paths Emit one Event per packet and decision,
// and subscribers (the control socket's debug sessions) receive them on
// bounded channels and format them into one line each, like IOS `debug ip
// dhcp server packet`.
//
// Tracing costs nothing when nobody traces: Enabled is one atomic load, and
// the caller builds the Event only when it returns true. A slow subscriber
// never slows the relay: events that do not fit in its channel are dropped
// and counted.
package trace
