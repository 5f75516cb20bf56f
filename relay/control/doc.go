// Package control is the daemon's local control socket: a unix socket,
// owner-only or shared with a group of read-only operators (mode 0660),
// over which `iphelper show`, `clear`, `debug`, `reload` and `failover`
// talk to the running relay. The daemon authorizes each command from the
// peer's credentials (SO_PEERCRED and its supplementary groups): root and
// the daemon's user may run every command, a member of the read-only
// group show and debug only (access.go). It holds the server task, the
// protocol and a client library.
//
// # Protocol
//
// A connection carries JSON lines. The client writes one Request per line,
// such as
//
//	{"v":1,"cmd":"show","what":"interfaces"}
//	{"v":1,"cmd":"show","what":"bindings","arg":"203.0.113.50"}
//	{"v":1,"cmd":"clear","what":"statistics"}
//	{"v":1,"cmd":"debug","what":"packets","interface":"eth1"}
//	{"v":1,"cmd":"show","what":"failover"}
//	{"v":1,"cmd":"failover","what":"partner-down"}
//
// and the server answers each with one Response line:
//
//	{"v":1,"ok":true,"data":…}
//	{"v":1,"ok":false,"code":"unknown_command","error":"…"}
//
// Requests are handled in order; a connection may carry several. `debug
// packets` turns the connection into a stream: the first response's data
// is a TraceStart (the interface's state; an interface neither served nor
// configured is refused with "bad_argument"); after it,
// the server writes one {"v":1,"ok":true,"event":…} line per traced packet
// until the client closes the connection or the daemon stops (then a last
// response with code "shutting_down" says so).
//
// The version v is 1. New show targets and new fields may be added to
// version 1 (clients ignore fields they do not know); a change that old
// clients would misread gets a new version, and a server answers a version
// it does not speak with code "unsupported_version". Error codes are the
// Code constants; scripts branch on them, never on the error text.
//
// docs/operations.md describes the socket, what each show command reads,
// metrics and reload.
package control
