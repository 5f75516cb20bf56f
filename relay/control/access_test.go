package control

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAuthorization is the table of who may run what: root and the
// daemon's user everything, a read-only operator (primary or supplementary
// group) show and debug only, anybody else nothing.
func TestAuthorization(t *testing.T) {
	const owner = 998
	ro := Group{Name: "iphelper", GID: 997}
	reqs := []Request{
		{Cmd: CmdShow, What: ShowInterfaces},
		{Cmd: CmdShow, What: ShowFailover},
		{Cmd: CmdDebug, What: DebugPackets},
		{Cmd: CmdClear, What: ClearStatistics},
		{Cmd: CmdClear, What: ClearConflicts},
		{Cmd: CmdReload},
		{Cmd: CmdFailover, What: FailoverPartnerDown},
	}
	all := []bool{true, true, true, true, true, true, true}
	readOnly := []bool{true, true, true, false, false, false, false}
	none := []bool{false, false, false, false, false, false, false}
	tests := []struct {
		name string
		ro   Group
		peer Peer
		want []bool
	}{
		{"root", ro, Peer{UID: 0, GID: 0}, all},
		{"the daemon's user", ro, Peer{UID: owner, GID: 997}, all},
		{"operator by primary group", ro, Peer{UID: 1000, GID: 997}, readOnly},
		{"operator by supplementary group", ro, Peer{UID: 1000, GID: 1000, Groups: []uint32{24, 997}}, readOnly},
		{"another user", ro, Peer{UID: 1000, GID: 1000, Groups: []uint32{24}}, none},
		{"no read-only group: gid 0 is no operator", Group{}, Peer{UID: 1000, GID: 0}, none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []bool
			for _, r := range reqs {
				got = append(got, permits(accessOf(owner, tt.ro, tt.peer), r))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("permitted %v (-want +got):\n%s", reqs, diff)
			}
		})
	}
	e := forbidden(accessReadOnly, ro, Peer{UID: 1000}, Request{Cmd: CmdClear, What: ClearStatistics})
	if want := "clear statistics is refused to uid 1000: members of group iphelper may only show and debug; the daemon's user and root may do everything (forbidden)"; e.Error() != want {
		t.Errorf("error %q, want %q", e, want)
	}
}

func TestParseGroups(t *testing.T) {
	status := "Name:\tbash\nUid:\t1000\t1000\t1000\t1000\nGroups:\t4 24 x 997 \nNSpid:\t1\n"
	if diff := cmp.Diff([]uint32{4, 24, 997}, parseGroups([]byte(status))); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if got := parseGroups([]byte("Name:\tx\n")); got != nil {
		t.Errorf("no Groups line: %v", got)
	}
}

// The test binary is its own peer: run under another uid and gid, it
// dials the socket named in this variable and runs each command.
const peerEnv = "IPHELPER_CONTROL_TEST_PEER"

// TestPeerProcess is the peer side of TestReadOnlyOperators; it does
// nothing in a normal run.
func TestPeerProcess(t *testing.T) {
	path := os.Getenv(peerEnv)
	if path == "" {
		return
	}
	ctx := context.Background()
	do := func(name string, fn func(*Client) error) {
		c, err := Dial(path)
		if err == nil {
			err = fn(c)
			c.Close()
		}
		var cerr *Error
		switch {
		case err == nil:
			fmt.Printf("%s:ok\n", name)
		case errors.As(err, &cerr):
			fmt.Printf("%s:%s\n", name, cerr.Code)
		case errors.Is(err, syscall.EACCES):
			fmt.Printf("%s:EACCES\n", name)
		default:
			fmt.Printf("%s:%v\n", name, err)
		}
	}
	do("show", func(c *Client) error { _, err := c.Statistics(ctx); return err })
	do("clear", func(c *Client) error { return c.Clear(ctx, "") })
	do("reload", func(c *Client) error { _, err := c.Reload(ctx); return err })
	do("partner-down", func(c *Client) error { _, err := c.PartnerDown(ctx); return err })
}

// TestReadOnlyOperators: a real process under another uid, in the
// read-only group by its primary or a supplementary group, may show but
// not clear, reload or failover; one outside the group cannot open the
// socket (mode 0660).
func TestReadOnlyOperators(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a process under another uid")
	}
	const uid, gid, other = 65534, 4242, 4343
	dir := t.TempDir()
	for d := dir; d != os.TempDir(); d = filepath.Dir(d) { // t.TempDir's directories are 0700
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "peer.test")
	copyFile(t, os.Args[0], bin)
	path := filepath.Join(dir, "run", "control.sock")
	s := NewServer(path, Sources{Status: &fakeStatus{st: testStatus()}}, Options{ReadOnly: Group{Name: "ops", GID: gid}})
	runServer(t, s)

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode() & os.ModePerm; got != 0o660 || fi.Sys().(*syscall.Stat_t).Gid != gid {
		t.Errorf("socket mode %v group %d, want 0660 group %d", got, fi.Sys().(*syscall.Stat_t).Gid, gid)
	}
	refused := "show:ok\nclear:forbidden\nreload:forbidden\npartner-down:forbidden\n"
	tests := []struct {
		name string
		cred syscall.Credential
		want string
	}{
		{"primary group", syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}, refused},
		{"supplementary group", syscall.Credential{Uid: uid, Gid: other, Groups: []uint32{gid}}, refused},
		{"not in the group", syscall.Credential{Uid: uid, Gid: other, Groups: []uint32{}}, "show:EACCES\nclear:EACCES\nreload:EACCES\npartner-down:EACCES\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, "-test.run", "^TestPeerProcess$")
			cmd.Env = append(os.Environ(), peerEnv+"="+path)
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &tt.cred}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("peer: %v\n%s", err, out)
			}
			got := strings.TrimSuffix(string(out), "PASS\n")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("peer's answers (-want +got):\n%s", diff)
			}
		})
	}
}

// runServer runs s until the test ends.
func runServer(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		cancel()
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run returned %v", err)
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
