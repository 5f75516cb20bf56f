package iface

// LinkSource is what the relay needs of a Watcher: a complete, current view
// of the links and their IPv4 addresses, and a signal when it changes.
// Package ifacetest has an implementation for tests.
//
// All methods may be called concurrently.
type LinkSource interface {
	// Ready is closed once Links holds the complete table.
	Ready() <-chan struct{}
	// Links returns a snapshot of the links by name; the caller owns the
	// map but must not modify the Links' slices.
	Links() map[string]Link
	// Changes receives a value (coalesced: one may stand for many changes)
	// after the table changed; the receiver then calls Links again.
	Changes() <-chan struct{}
}

var _ LinkSource = (*Watcher)(nil)
