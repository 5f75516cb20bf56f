package control

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"syscall"
)

// Group is the group of read-only operators: its members may run show and
// debug, not clear, reload or failover. The socket is mode 0660 with this
// group, so that they can open it.
type Group struct {
	Name string // for messages; "" means no such group: the socket is owner-only
	GID  uint32
}

// Peer is who is at the other end of a control connection, from the
// kernel (SO_PEERCRED) and /proc/PID/status (the supplementary groups).
type Peer struct {
	PID    int32
	UID    uint32
	GID    uint32
	Groups []uint32
}

// access is what a peer may do.
type access int

const (
	accessNone     access = iota // nothing: neither the daemon's user, root, nor a read-only operator
	accessReadOnly               // show and debug
	accessFull                   // every command
)

// accessOf returns what p may do on a daemon running as owner whose
// read-only operators are ro: root and owner everything, a member of ro
// (primary or supplementary group) show and debug, anybody else nothing.
func accessOf(owner uint32, ro Group, p Peer) access {
	switch {
	case p.UID == 0 || p.UID == owner:
		return accessFull
	case ro.Name != "" && (p.GID == ro.GID || slices.Contains(p.Groups, ro.GID)):
		return accessReadOnly
	}
	return accessNone
}

// permits reports whether a peer with access a may run req.
func permits(a access, req Request) bool {
	switch a {
	case accessFull:
		return true
	case accessReadOnly:
		return req.Cmd == CmdShow || req.Cmd == CmdDebug
	}
	return false
}

// forbidden is the error a peer gets for a command it may not run.
func forbidden(a access, ro Group, p Peer, req Request) *Error {
	what := req.Cmd
	if req.What != "" {
		what += " " + req.What
	}
	if a == accessReadOnly {
		return &Error{Code: CodeForbidden, Message: fmt.Sprintf("%s is refused to uid %d: members of group %s may only show and debug; the daemon's user and root may do everything", what, p.UID, ro.Name)}
	}
	return &Error{Code: CodeForbidden, Message: fmt.Sprintf("%s is refused to uid %d: it is neither the daemon's user, root, nor in the read-only operators' group", what, p.UID)}
}

// peerOf reads the credentials of the process at the other end of c.
func peerOf(c net.Conn) (Peer, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return Peer{}, fmt.Errorf("failed to read the control peer's credentials: %T is not a unix socket", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return Peer{}, fmt.Errorf("failed to read the control peer's credentials: %w", err)
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return Peer{}, fmt.Errorf("failed to read the control peer's credentials: %w", err)
	}
	if credErr != nil {
		return Peer{}, fmt.Errorf("failed to read the control peer's credentials: SO_PEERCRED: %w", credErr)
	}
	p := Peer{PID: cred.Pid, UID: cred.Uid, GID: cred.Gid}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cred.Pid)); err == nil {
		p.Groups = parseGroups(b) // a peer gone since is left with its primary group
	}
	return p, nil
}

// parseGroups returns the ids of the "Groups:" line of a /proc/PID/status
// file; a field that is not a number is skipped.
func parseGroups(status []byte) []uint32 {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("Groups:"))
		if !ok {
			continue
		}
		var out []uint32
		for _, f := range bytes.Fields(rest) {
			if g, err := strconv.ParseUint(string(f), 10, 32); err == nil {
				out = append(out, uint32(g))
			}
		}
		return out
	}
	return nil
}
