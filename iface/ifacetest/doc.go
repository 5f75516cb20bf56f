// Package ifacetest provides in-memory implementations of iface's
// interfaces for the unit tests of their callers: Conn (an iface.FrameConn
// that tests feed frames to and read written frames from), Pipe (two Conns
// wired together), Links (an iface.LinkSource that tests edit) and Routes
// (an iface.RouteFinder with the routes a test sets).
//
// Nothing here touches the kernel; production code must not import it.
package ifacetest
