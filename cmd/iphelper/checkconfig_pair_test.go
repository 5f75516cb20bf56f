package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/config"
)

func TestCheckConfigPartner(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const scope = "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.10-203.0.113.50], failover-mode: hot-standby}}]\n"
	a := write("a.yaml", "hostname: a\nfailover: {role: primary, listen: 198.51.100.10, peer: 198.51.100.11, key-file: /k}\n"+scope)
	b := write("b.yaml", "hostname: b\nfailover: {role: secondary, listen: 198.51.100.11, peer: 198.51.100.10, key-file: /k}\n"+scope)
	same := write("same.yaml", "hostname: b\nfailover: {role: primary, listen: 198.51.100.11, peer: 198.51.100.10, key-file: /k}\n"+scope)
	bad := write("bad.yaml", "hostname: b\nfailover: {role: backup}\n"+scope)
	tests := []struct {
		name     string
		args     []string
		want     string // the output's first line after the header, or the error
		wantCode int
	}{
		{name: "good pair", args: []string{"--partner", b, a}, want: "# failover pair: consistent with " + b + " (scopes matched by their addresses)"},
		{
			name: "flags make this node",
			args: []string{"--partner", a, "--failover-role", "secondary", "--failover-listen", "198.51.100.11",
				"--failover-peer", "198.51.100.10", "--failover-key-file", "/k", "--failover-mode", "hot-standby",
				"--interface", "eth1", "--helper-address", "198.51.100.2", "--fallback-pool", "eth1=203.0.113.10-203.0.113.50"},
			want: "# failover pair: consistent with " + a + " (scopes matched by their addresses)",
		},
		{
			name:     "mismatch",
			args:     []string{"--partner", same, a},
			want:     "failover pair mismatch between " + a + " and " + same + ":\n  failover.role: " + a + " has primary, " + same + " has primary: one node is primary, the other secondary",
			wantCode: 1,
		},
		{
			name: "invalid partner",
			args: []string{"--partner", bad, a},
			want: "invalid partner configuration " + bad + ":\n  " +
				bad + `:2:18: failover.role: unknown failover role "backup": want primary or secondary` + "\n  " + bad + ":2:11: failover.listen: missing: give ADDR or ADDR:PORT (or --failover-listen)",
			wantCode: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				flags  config.Flags
				ferr   error
				stdout bytes.Buffer
			)
			err := flagTestApp(&flags, &ferr, &stdout).Run(append([]string{"iphelper", "check-config"}, tt.args...))
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				lines := strings.SplitN(stdout.String(), "\n", 3)
				if diff := cmp.Diff(tt.want, lines[1]); diff != "" {
					t.Errorf("output (-want +got):\n%s", diff)
				}
				return
			}
			ec, ok := err.(cli.ExitCoder)
			if !ok {
				t.Fatalf("Run: %v, want exit code %d", err, tt.wantCode)
			}
			if got := ec.ExitCode(); got != tt.wantCode {
				t.Errorf("exit code %d, want %d", got, tt.wantCode)
			}
			if got := err.Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("error\n%s\nwant it to begin with\n%s", got, tt.want)
			}
		})
	}
}
