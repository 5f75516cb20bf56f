package main

import (
	"fmt"
	"os"
	"os/user"
	"slices"
	"strconv"

	"github.com/iphelper/iphelper/relay/control"
)

// defaultControlGroup is the group of the read-only operators unless
// --control-group names another: the package's own group.
const defaultControlGroup = "iphelper"

// controlGroup resolves --control-group, a group name or a numeric gid,
// with lookup (user.LookupGroup). "" means no read-only operators (the
// socket stays owner-only). A group that does not exist is an error when
// the operator named it (explicit); the default's absence (iphelper run
// outside the package), or a daemon that may not give its socket to it
// (neither root nor a member: canUse false), leaves the socket owner-only,
// with a warning.
func controlGroup(name string, explicit bool, lookup func(string) (*user.Group, error), canUse func(gid uint32) bool) (control.Group, string, error) {
	if name == "" {
		return control.Group{}, "", nil
	}
	if gid, err := strconv.ParseUint(name, 10, 32); err == nil {
		return control.Group{Name: name, GID: uint32(gid)}, "", nil
	}
	g, err := lookup(name)
	if err == nil {
		gid, perr := strconv.ParseUint(g.Gid, 10, 32)
		if perr != nil {
			return control.Group{}, "", fmt.Errorf("--control-group %q: gid %q is not a number", name, g.Gid)
		}
		if !explicit && !canUse(uint32(gid)) {
			return control.Group{}, fmt.Sprintf("the daemon is not in group %q: the control socket is owner-only, there are no read-only operators", name), nil
		}
		return control.Group{Name: name, GID: uint32(gid)}, "", nil
	}
	if explicit {
		return control.Group{}, "", fmt.Errorf("--control-group %q: %w", name, err)
	}
	return control.Group{}, fmt.Sprintf("no group %q: the control socket is owner-only, there are no read-only operators", name), nil
}

// canChownTo reports whether this process may give a file to group gid:
// as root, or as a member of it.
func canChownTo(gid uint32) bool {
	if os.Geteuid() == 0 || uint32(os.Getegid()) == gid {
		return true
	}
	groups, err := os.Getgroups()
	if err != nil {
		return false
	}
	return slices.Contains(groups, int(gid))
}
