package iface

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Classes of socket errors that callers branch on. Errors returned by
// ListenDHCP and by PacketConn's methods match them with errors.Is, and keep
// matching the underlying errno as well.
var (
	// ErrLinkNotReady means the link is down, or vanished, or not there yet
	// (ENETDOWN, ENXIO, ENODEV). The caller should back off and retry.
	//
	// A packet socket whose link went administratively down reports
	// ENETDOWN once and then resumes receiving by itself when the link comes
	// back up (packet(7) re-registers it on NETDEV_UP), so a reader may simply
	// keep reading. A socket whose link was deleted never receives again: the
	// caller must close it and listen anew once the link exists.
	ErrLinkNotReady = errors.New("link not ready")

	// ErrPermission means the process may not open or use a packet socket
	// (EPERM, EACCES): it lacks CAP_NET_RAW. Retrying will not help.
	ErrPermission = errors.New("permission denied")
)

// Classify returns the class of err: ErrLinkNotReady, ErrPermission, or nil
// when err belongs to neither (including when err is nil). It looks through
// wrapped errors, so it works on errors from any package that keep the
// errno, e.g. a *net.OpError from a UDP socket.
func Classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrLinkNotReady),
		errors.Is(err, unix.ENETDOWN),
		errors.Is(err, unix.ENXIO),
		errors.Is(err, unix.ENODEV):
		return ErrLinkNotReady
	case errors.Is(err, ErrPermission),
		errors.Is(err, unix.EPERM),
		errors.Is(err, unix.EACCES):
		return ErrPermission
	default:
		return nil
	}
}

// classified is an error that also matches its class with errors.Is.
type classified struct {
	err   error
	class error
}

// Error returns the text of the wrapped error, without the class, which the
// errno already says.
func (e *classified) Error() string { return e.err.Error() }

// Unwrap lets errors.Is and errors.As see both the wrapped error and the
// class.
func (e *classified) Unwrap() []error { return []error{e.err, e.class} }

// classify attaches err's class to it, if it has one.
func classify(err error) error {
	class := Classify(err)
	if class == nil || errors.Is(err, class) {
		return err
	}
	return &classified{err: err, class: class}
}
