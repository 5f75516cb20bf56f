package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestErrorPositions checks that every problem of a file is reported in
// one run, each with the line and column of what it is about.
func TestErrorPositions(t *testing.T) {
	const head = "hostname: r1\ninterfaces:\n  - name: eth1\n"
	tests := []struct {
		name string
		data string
		want string
	}{
		{
			name: "semantic error at its list item",
			data: head + "    helper-addresses: [198.51.100.2, 198.51.100.256]\n",
			want: `4:38: interface "eth1": helper-addresses[1]: "198.51.100.256" is not an IPv4 address: 256 is more than 255`,
		},
		{
			name: "fallback key in a nested block",
			data: head + "    helper-addresses: [198.51.100.2]\n    fallback:\n      pools: [203.0.113.10-203.0.113.20]\n      lease-time: 10\n",
			want: `7:19: interface "eth1": fallback.lease-time: "10" is not a duration: write a number and a unit, e.g. 90s, 5m or 1h30m`,
		},
		{
			name: "entry without helpers points at the entry",
			data: head + "  - name: eth2\n    helper-addresses: [198.51.100.2]\n",
			want: `3:5: interface "eth1": no helper-addresses: give helper-addresses: in the config file or --helper-address`,
		},
		{
			name: "mis-indented key is reported at its own line",
			data: head + "    helper-addresses: [198.51.100.2]\n    trusted: true\n   fallback: {pools: [203.0.113.10-203.0.113.20]}\n",
			want: "6:4: YAML syntax: did not find expected '-' indicator (check this line's indentation against the lines above it, and its quotes and brackets)",
		},
		{
			name: "tab",
			data: head + "\thelper-addresses: [198.51.100.2]\n",
			want: "4:1: a tab in the indentation: YAML indents with spaces only",
		},
		{
			name: "YAML 1.1 booleans are refused",
			data: head + "    helper-addresses: [198.51.100.2]\n    trusted: yes\n    verify-chaddr: Off\n",
			want: `5:14: interfaces[0].trusted: "yes" is not a boolean here: write true or false (YAML 1.2: yes, no, on and off are strings)` + "\n" +
				`6:20: interfaces[0].verify-chaddr: "Off" is not a boolean here: write true or false (YAML 1.2: yes, no, on and off are strings)`,
		},
		{
			name: "every unknown key, with what was meant",
			data: head + "    helper-adresses: [198.51.100.2]\n    fallbak: {}\n  - name: eth2\n    pools: [203.0.113.1]\n",
			want: `4:5: interfaces[0]: unknown key "helper-adresses" (did you mean "helper-addresses"?)` + "\n" +
				`5:5: interfaces[0]: unknown key "fallbak" (did you mean "fallback"?)` + "\n" +
				`7:5: interfaces[1]: unknown key "pools" here: it belongs under defaults.fallback or interfaces[].fallback (check its indentation)` + "\n" +
				// The values are checked in the same run, without the unknown keys.
				`3:5: interface "eth1": no helper-addresses: give helper-addresses: in the config file or --helper-address` + "\n" +
				`6:5: interface "eth2": no helper-addresses: give helper-addresses: in the config file or --helper-address`,
		},
		{
			name: "unknown keys and bad values in one run",
			data: head + "    helper-addresses: [198.51.100.2]\n    trustd: true\n  - name: eth2\n    helper-addresses: [198.51.100.256]\n",
			want: `5:5: interfaces[0]: unknown key "trustd" (did you mean "trusted"?)` + "\n" +
				`7:24: interface "eth2": helper-addresses[0]: "198.51.100.256" is not an IPv4 address: 256 is more than 255`,
		},
		{
			name: "a key of a lower level written too far left",
			data: head + "helper-addresses: [198.51.100.2]\n",
			want: `4:1: unknown key "helper-addresses" here: it belongs under defaults or interfaces[] (check its indentation)` + "\n" +
				`3:5: interface "eth1": no helper-addresses: give helper-addresses: in the config file or --helper-address`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWithFlags([]byte(tt.data), Flags{})
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadErrorPositionsNameTheFile checks the FILE:LINE:COLUMN form.
func TestLoadErrorPositionsNameTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iphelper.yaml")
	data := "hostname: r1\ninterfaces:\n  - name: eth1\n    helper-addresses: [dhcp1]\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := path + `:4:24: interface "eth1": helper-addresses[0]: "dhcp1" is not an IPv4 address: it is a name, not an address (give the IPv4 address a.b.c.d)`
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
}

// TestErrorCap checks that a file with very many problems reports the
// first maxErrors and how many more there are.
func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("hostname: r1\ninterfaces:\n")
	for i := range 70 {
		fmt.Fprintf(&b, "  - {name: eth%d, helper-addresses: [x]}\n", i)
	}
	_, err := ParseWithFlags([]byte(b.String()), Flags{})
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if diff := cmp.Diff(maxErrors+1, len(lines)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("... and 20 more problems", lines[len(lines)-1]); diff != "" {
		t.Errorf("last line (-want +got):\n%s", diff)
	}
}

func TestWhyNotIPv4(t *testing.T) {
	tests := map[string]string{
		"198.51.100.256":  "256 is more than 255",
		"":                "it is empty",
		"198.51.100":      "it is not four numbers a.b.c.d (it has 3)",
		"dhcp1.example":   "it is a name, not an address (give the IPv4 address a.b.c.d)",
		"198.51.100.0/24": "a prefix length is not allowed here, give the address alone",
		"198.51.100.1:67": "it holds a ':' (a port is not allowed here)",
		"2001:db8::1":     "it is an IPv6 address",
		"198.51..1":       "it has an empty part between dots",
		"198.51.100.010":  `"010" has a leading zero (ambiguous: octal to some tools)`,
		"198.51.100.x1":   `"x1" is not a decimal number`,
		"198.51.100.1, 2": "give one address per list entry ([a, b] for several)",
	}
	for in, want := range tests {
		if diff := cmp.Diff(want, whyNotIPv4(in)); diff != "" {
			t.Errorf("whyNotIPv4(%q) (-want +got):\n%s", in, diff)
		}
	}
}
