package main

import (
	"bytes"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
)

func TestLinkWarnings(t *testing.T) {
	cfg, err := config.Parse([]byte("hostname: r\ninterfaces:\n  - name: eth1\n" +
		"    helper-addresses: [198.51.100.1, 198.51.100.127, 198.51.100.2, 127.0.0.1]\n"))
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]iface.Link{
		"eth2": {Name: "eth2", Addrs: []netip.Prefix{netip.MustParsePrefix("198.51.100.1/25")}},
		"lo":   {Name: "lo", Loopback: true, Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}},
		"p2p":  {Name: "p2p", Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.254/31")}},
	}
	want := []string{
		`interface "eth1": helper-addresses[0]: 198.51.100.1 is an address of this machine (eth2): the relay would send requests to itself`,
		`interface "eth1": helper-addresses[1]: 198.51.100.127 is the broadcast address of eth2's subnet 198.51.100.0/25: every host there would get the requests; give the DHCP servers' own addresses`,
	}
	if diff := cmp.Diff(want, linkWarnings(cfg, links)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestCheckConfigQuiet checks that --quiet prints nothing for a valid
// configuration but still prints its warnings, on stderr.
func TestCheckConfigQuiet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iphelper.yaml")
	data := "hostname: r\ninterfaces:\n  - name: eth9\n    helper-addresses: [198.51.100.2]\n" +
		"    fallback: {pools: [203.0.113.10-203.0.113.20], exclude: [203.0.113.0-203.0.113.30]}\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, quiet := range []bool{false, true} {
		var flags config.Flags
		var ferr error
		var stdout, stderr bytes.Buffer
		app := flagTestApp(&flags, &ferr, &stdout)
		app.ErrWriter = &stderr
		args := []string{"iphelper", "check-config"}
		if quiet {
			args = append(args, "--quiet")
		}
		if err := app.Run(append(args, path)); err != nil {
			t.Fatalf("quiet %v: %v", quiet, err)
		}
		if got := stdout.Len() > 0; got == quiet {
			t.Errorf("quiet %v: stdout %q", quiet, stdout.String())
		}
		want := "warning: " + path + `:5:24: interface "eth9": fallback.pools[0]: every address of 203.0.113.10-203.0.113.20 is excluded: the pool leases nothing` + "\n"
		if got := stderr.String(); !strings.HasPrefix(got, want) {
			t.Errorf("quiet %v: stderr\n%s\nwant it to begin with\n%s", quiet, got, want)
		}
	}
}

// TestLogWarnings checks that run logs the configuration's warnings.
func TestLogWarnings(t *testing.T) {
	cfg, err := config.ParseWithFlags([]byte("hostname: r\n"),
		config.Flags{Interfaces: []string{"eth1", "eth1"}, HelperAddresses: []string{"198.51.100.2"}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	logWarnings(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})), cfg)
	want := `level=WARN msg="configuration warning" warning="--interface \"eth1\" is given twice"` + "\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}
