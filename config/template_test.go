package config

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testVars describe VLAN 10 on eth0, the values every template test uses.
var testVars = TemplateVars{
	IfName:   "eth0.10",
	IfIndex:  7,
	VLAN:     10,
	Parent:   "eth0",
	MAC:      net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x0a},
	Addr:     netip.MustParseAddr("203.0.113.1"),
	Hostname: "relay1",
}

func TestTemplateExpand(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []byte
	}{
		{name: "literal", src: "port-1", want: []byte("port-1")},
		{name: "ifname", src: "{ifname}", want: []byte("eth0.10")},
		{name: "ifindex", src: "{ifindex}", want: []byte("7")},
		{name: "vlan", src: "vlan{vlan}", want: []byte("vlan10")},
		{name: "parent", src: "{parent}/{vlan}", want: []byte("eth0/10")},
		{name: "mac", src: "{mac}", want: []byte("02:00:5e:10:00:0a")},
		{name: "addr", src: "{addr}", want: []byte("203.0.113.1")},
		{name: "hostname and ifname", src: "{hostname}:{ifname}", want: []byte("relay1:eth0.10")},
		{name: "escaped braces", src: "{{ifname}} }}{{", want: []byte("{ifname} }{")},
		{name: "variable in braces", src: "{{{vlan}}}", want: []byte("{10}")},
		{name: "utf-8", src: "bâtiment {vlan}", want: []byte("bâtiment 10")},
		{name: "hex colons", src: "hex:00:04:00:0a:01:01", want: []byte{0, 4, 0, 10, 1, 1}},
		{name: "hex dashes spaces upper", src: "hex:DE-AD be ef", want: []byte{0xde, 0xad, 0xbe, 0xef}},
		{name: "hex run", src: "hex:0102ff", want: []byte{1, 2, 0xff}},
		{name: "hex vlan16", src: "hex:00:04{vlan16}01:01", want: []byte{0, 4, 0, 10, 1, 1}},
		{name: "hex ifindex32", src: "hex:{ifindex32}", want: []byte{0, 0, 0, 7}},
		{name: "hex only variables", src: "hex:{vlan16}{ifindex32}", want: []byte{0, 10, 0, 0, 0, 7}},
		{name: "255 bytes", src: strings.Repeat("x", 255), want: []byte(strings.Repeat("x", 255))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := ParseTemplate(tt.src)
			if err != nil {
				t.Fatalf("ParseTemplate(%q): %v", tt.src, err)
			}
			if diff := cmp.Diff(tt.src, tmpl.String()); diff != "" {
				t.Errorf("String() (-want +got):\n%s", diff)
			}
			got, err := tmpl.Expand(testVars)
			if err != nil {
				t.Fatalf("Expand: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Expand (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{name: "unknown variable", src: "{port}", want: `template "{port}": unknown variable {port}`},
		{name: "empty variable", src: "a{}", want: `template "a{}": unknown variable {}`},
		{name: "unclosed brace", src: "vlan{vlan", want: `template "vlan{vlan": unclosed '{' at offset 4 (write "{{" for a literal brace)`},
		{name: "lone closing brace", src: "a}b", want: `template "a}b": unmatched '}' at offset 1 (write "}}" for a literal brace)`},
		{name: "hex variable in text", src: "{vlan16}", want: `template "{vlan16}": variable {vlan16} is only allowed in hex: templates`},
		{name: "text variable in hex", src: "hex:00{ifname}", want: `template "hex:00{ifname}": variable {ifname} is not allowed in hex: templates (only {vlan16} and {ifindex32})`},
		{name: "unknown variable in hex", src: "hex:{x}", want: `template "hex:{x}": unknown variable {x}`},
		{name: "odd hex digits", src: "hex:00:4", want: `template "hex:00:4": odd number of hex digits "4" before offset 8`},
		{name: "odd hex before variable", src: "hex:0{vlan16}", want: `template "hex:0{vlan16}": odd number of hex digits "0" before offset 5`},
		{name: "not hex", src: "hex:0g", want: `template "hex:0g": unexpected 'g' at offset 5 in hex: template (want hex digits, ':', '-', ' ', {vlan16} or {ifindex32})`},
		{name: "empty hex", src: "hex:", want: `template "hex:": hex: template has no bytes`},
		{name: "only separators", src: "hex:: -", want: `template "hex:: -": hex: template has no bytes`},
		{name: "unclosed in hex", src: "hex:{vlan16", want: `template "hex:{vlan16": unclosed '{' at offset 0 (write "{{" for a literal brace)`},
		{name: "fixed text too long", src: strings.Repeat("x", 256), want: `template "` + strings.Repeat("x", 256) + `": 256 bytes of fixed text, more than 255`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTemplate(tt.src)
			if err == nil {
				t.Fatalf("ParseTemplate(%q): no error", tt.src)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTemplateExpandErrors(t *testing.T) {
	noVLAN := TemplateVars{IfName: "eth1", IfIndex: 3}
	tests := []struct {
		name string
		src  string
		vars TemplateVars
		want string
	}{
		{name: "zero template", src: "", vars: testVars, want: `template "" expands to nothing for "eth0.10"`},
		{name: "empty parent", src: "{parent}", vars: noVLAN, want: `template "{parent}" expands to nothing for "eth1"`},
		{name: "no address", src: "{addr}", vars: noVLAN, want: `template "{addr}" expands to nothing for "eth1"`},
		{name: "no mac", src: "{mac}", vars: noVLAN, want: `template "{mac}" expands to nothing for "eth1"`},
		{
			name: "too long",
			src:  strings.Repeat("x", 250) + "{ifname}",
			vars: testVars,
			want: `template "` + strings.Repeat("x", 250) + `{ifname}" expands to 257 bytes for "eth0.10", more than 255`,
		},
		{name: "vlan16 too big", src: "hex:{vlan16}", vars: TemplateVars{IfName: "x", VLAN: 70000}, want: `failed to expand template "hex:{vlan16}" for "x": vlan 70000 does not fit {vlan16}`},
		{name: "negative ifindex", src: "hex:{ifindex32}", vars: TemplateVars{IfName: "x", IfIndex: -1}, want: `failed to expand template "hex:{ifindex32}" for "x": ifindex -1 does not fit {ifindex32}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := ParseTemplate(tt.src)
			if err != nil {
				t.Fatalf("ParseTemplate(%q): %v", tt.src, err)
			}
			_, err = tmpl.Expand(tt.vars)
			if err == nil {
				t.Fatal("Expand: no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTemplateNoVLAN(t *testing.T) {
	tmpl, err := ParseTemplate("vlan{vlan}")
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Expand(TemplateVars{IfName: "eth1"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("vlan0", string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestTemplateZero(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want bool
	}{
		{name: "empty", src: "", want: true},
		{name: "text", src: "{ifname}", want: false},
		{name: "hex", src: "hex:00", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := ParseTemplate(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tmpl.IsZero()); diff != "" {
				t.Errorf("IsZero (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"{ifname}", "hex:00:04{vlan16}01:01", "{{x}}", "a}", "hex:{ifindex32}", "{mac}{addr}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tmpl, err := ParseTemplate(s)
		if err != nil {
			return
		}
		if tmpl.String() != s {
			t.Fatalf("String() = %q, want %q", tmpl.String(), s)
		}
		if b, err := tmpl.Expand(testVars); err == nil && (len(b) == 0 || len(b) > MaxTemplateLen) {
			t.Fatalf("Expand gave %d bytes without an error", len(b))
		}
	})
}
