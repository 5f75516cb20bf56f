package control

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// maxSocketPath is the longest path a unix socket can have on Linux
// (sun_path is 108 bytes, NUL included).
const maxSocketPath = 107

// listen creates the control socket at path, owner-only (0600), or
// 0660 with group ro when ro is set, in a parent directory created 0750
// (with group ro) if missing. A stale socket left by a daemon that
// died is removed; a live one, or a file that is not a socket, is an error.
// The socket is made in a private directory and renamed into place, so it
// is never reachable with looser permissions. It returns the listener and
// the socket file's identity, to remove it on exit only if it is still
// ours. madeDir reports that the parent directory was created here, so
// that the server removes it again on exit (run outside systemd, the
// daemon leaves no /run/iphelper behind).
func listen(path string, ro Group) (*net.UnixListener, os.FileInfo, bool, error) {
	if len(path) > maxSocketPath {
		return nil, nil, false, fmt.Errorf("control socket path %q is %d bytes long, the limit is %d", path, len(path), maxSocketPath)
	}
	dir := filepath.Dir(path)
	_, statErr := os.Stat(dir)
	madeDir := os.IsNotExist(statErr)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, nil, false, fmt.Errorf("failed to create the control socket directory %q: %w", dir, err)
	}
	if madeDir && ro.Name != "" {
		if err := os.Chown(dir, -1, int(ro.GID)); err != nil {
			return nil, nil, false, fmt.Errorf("failed to give the control socket directory %q to group %s: %w", dir, ro.Name, err)
		}
	}
	if err := removeStale(path); err != nil {
		return nil, nil, false, err
	}
	tmp, err := os.MkdirTemp(dir, ".ctl")
	if err != nil {
		return nil, nil, false, fmt.Errorf("failed to create the control socket in %q: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	name := filepath.Join(tmp, "s")
	if len(name) > maxSocketPath {
		name = path // too long to stage: create in place; the directory is 0750
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: name, Net: "unix"})
	if err != nil {
		return nil, nil, false, fmt.Errorf("failed to listen on the control socket %q: %w", path, err)
	}
	ln.SetUnlinkOnClose(false)
	fi, err := place(name, path, ro)
	if err != nil {
		ln.Close()
		os.Remove(name)
		return nil, nil, false, err
	}
	return ln, fi, madeDir, nil
}

// place makes the socket at name owner-only, or 0660 with group ro, and
// moves it to path.
func place(name, path string, ro Group) (os.FileInfo, error) {
	mode := os.FileMode(0o600)
	if ro.Name != "" {
		if err := os.Chown(name, -1, int(ro.GID)); err != nil {
			return nil, fmt.Errorf("failed to give the control socket %q to group %s: %w", path, ro.Name, err)
		}
		mode = 0o660
	}
	if err := os.Chmod(name, mode); err != nil {
		return nil, fmt.Errorf("failed to set the mode of the control socket %q: %w", path, err)
	}
	if name != path {
		if err := os.Rename(name, path); err != nil {
			return nil, fmt.Errorf("failed to move the control socket to %q: %w", path, err)
		}
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("failed to stat the control socket %q: %w", path, err)
	}
	return fi, nil
}

// removeStale removes a socket at path that nobody listens on.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("failed to check the control socket path %q: %w", path, err)
	}
	if fi.Mode().Type() != os.ModeSocket {
		return fmt.Errorf("control socket path %q exists and is not a socket", path)
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return fmt.Errorf("control socket %q is in use: is another iphelper running?", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("failed to check whether the control socket %q is in use: %w", path, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("failed to remove the stale control socket %q: %w", path, err)
	}
	return nil
}
