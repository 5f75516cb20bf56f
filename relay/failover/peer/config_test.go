package peer

import (
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/relay/failover/wire"
)

func TestNewRefuses(t *testing.T) {
	good := func() Config {
		return Config{
			Role: wire.RolePrimary, Auth: pskAuth(t, 1), Handler: newRecorder(), Log: slog.New(slog.DiscardHandler),
			Listen: netip.MustParseAddrPort("198.51.100.1:647"), Peer: netip.MustParseAddrPort("198.51.100.2:647"),
		}
	}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"unspecified listen address", func(c *Config) { c.Listen = netip.MustParseAddrPort("0.0.0.0:647") },
			"failover peer: listen address 0.0.0.0:647: want this node's address on the pair link"},
		{"no listen address", func(c *Config) { c.Listen = netip.AddrPort{} },
			"failover peer: listen address invalid AddrPort: want this node's address on the pair link"},
		{"partner without port", func(c *Config) { c.Peer = netip.MustParseAddrPort("198.51.100.2:0") },
			"failover peer: partner address 198.51.100.2:0: want the partner's address and port"},
		{"no auth", func(c *Config) { c.Auth = Auth{} }, "failover peer: no authentication configured"},
		{"no handler", func(c *Config) { c.Handler = nil }, "failover peer: a handler and a logger are required"},
		{"bad role", func(c *Config) { c.Role = 2 }, "failover peer: bad role 2"},
	}
	if _, err := New(good()); err != nil {
		t.Fatalf("New(good) = %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good()
			tc.edit(&cfg)
			_, err := New(cfg)
			if err == nil || err.Error() != tc.want {
				t.Errorf("New = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoadKeyFile(t *testing.T) {
	dir := t.TempDir()
	key := strings.Repeat("ab", 32)
	tests := []struct {
		name, content string
		want          []byte
		err           string
	}{
		{name: "hex with newline", content: key + "\n", want: []byte(strings.Repeat("\xab", 32))},
		{name: "short", content: key[:62], err: "failed to read the failover key %s: 31 bytes, at least 32 (64 hex digits)"},
		{name: "raw", content: strings.Repeat("k", 40), err: "failed to read the failover key %s: not hexadecimal: encoding/hex: invalid byte: U+006B 'k'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := LoadKeyFile(path)
			if tc.err != "" {
				if want := strings.ReplaceAll(tc.err, "%s", path); err == nil || err.Error() != want {
					t.Fatalf("LoadKeyFile = %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadKeyFile: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("key (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := PSKAuth(make([]byte, 31)); err == nil || err.Error() != "pre-shared key of 31 bytes, at least 32" {
		t.Errorf("PSKAuth(31 bytes) = %v", err)
	}
}
