package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPatternRanges: {FIRST-LAST} matches the whole number where it
// stands, from FIRST to LAST.
func TestPatternRanges(t *testing.T) {
	tests := []struct {
		pattern string
		link    string
		want    bool
	}{
		{"eth0.{10-20}", "eth0.10", true},
		{"eth0.{10-20}", "eth0.15", true},
		{"eth0.{10-20}", "eth0.20", true},
		{"eth0.{10-20}", "eth0.9", false},
		{"eth0.{10-20}", "eth0.21", false},
		{"eth0.{10-20}", "eth0.1", false},
		{"eth0.{10-20}", "eth0.2", false},
		{"eth0.{10-20}", "eth0.100", false},
		{"eth0.{10-20}", "eth0.", false},
		{"eth0.{10-20}", "eth0.10x", false},
		{"eth0.{1-20}", "eth0.100", false},
		{"*.{1-20}", "eth0.100", false},
		{"*{1-20}", "eth0.100", false},
		{"*{1-20}", "eth0.11", true},
		{"eth{0-1}.{10-20}", "eth1.12", true},
		{"eth{0-1}.{10-20}", "eth2.12", false},
		{"vlan{100-200}", "vlan0150", true},
		{"eth0.{10-20}*", "eth0.12-a", true},
		{"br-{1-3}?", "br-2x", true},
		{"eth0.[0-9]", "eth0.5", true},
		{`eth0.\{1-2\}`, "eth0.{1-2}", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.link, func(t *testing.T) {
			cfg, err := parseTest("defaults: {helper-addresses: [198.51.100.2]}\ninterfaces:\n  - name: '"+tt.pattern+"'\n", Flags{})
			if err != nil {
				t.Fatal(err)
			}
			_, got := cfg.Match(tt.link)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Match(%q) (-want +got):\n%s", tt.link, diff)
			}
		})
	}
}

// TestPatternErrors: a character class that reads like a range of numbers
// is rejected with what to write instead, and so is a broken range.
func TestPatternErrors(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		want    string
	}{
		{"class that reads as VLANs 10 to 20", "eth0.[10-20]",
			`interfaces[0]: name: interface pattern "eth0.[10-20]": [10-20] is a character class, which matches one character, not the numbers 10 to 20: write "eth0.{10-20}"`},
		{"class with a longer last number", "eth0.[1-100]",
			`interfaces[0]: name: interface pattern "eth0.[1-100]": [1-100] is a character class, which matches one character, not the numbers 1 to 100: write "eth0.{1-100}"`},
		{"range backwards", "eth0.{20-10}",
			`interfaces[0]: name: interface pattern "eth0.{20-10}": range {20-10} starts after it ends`},
		{"range with dots", "eth0.{10..20}",
			`interfaces[0]: name: interface pattern "eth0.{10..20}": {10..20} is not a range: write {FIRST-LAST} with decimal numbers of at most 6 digits, e.g. eth0.{10-20}`},
		{"one number", "eth0.{10}",
			`interfaces[0]: name: interface pattern "eth0.{10}": {10} is not a range: write {FIRST-LAST} with decimal numbers of at most 6 digits, e.g. eth0.{10-20}`},
		{"unclosed", "eth0.{10-20",
			`interfaces[0]: name: interface pattern "eth0.{10-20": '{' at offset 5 is not closed (a range is written {FIRST-LAST}, e.g. eth0.{10-20})`},
		{"stray brace", "eth0.10}",
			`interfaces[0]: name: interface pattern "eth0.10}": '}' without '{' (a range is written {FIRST-LAST}, e.g. eth0.{10-20})`},
		{"bad class", "eth[0",
			`interfaces[0]: name: bad interface pattern "eth[0": syntax error in pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTest("defaults: {helper-addresses: [198.51.100.2]}\ninterfaces:\n  - name: '"+tt.pattern+"'\n", Flags{})
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRangeNameInFlags: a per-interface template flag may name a pattern
// with a range; a template with variables stays whole.
func TestRangeNameInFlags(t *testing.T) {
	tests := []struct {
		in    string
		name  string
		value string
		ok    bool
	}{
		{"eth0.{10-20}=vlan{vlan}", "eth0.{10-20}", "vlan{vlan}", true},
		{"{ifname}=x", "", "{ifname}=x", false},
		{"hex:01=02", "", "hex:01=02", false},
	}
	for _, tt := range tests {
		name, value, ok := splitAssignment(tt.in, true)
		if diff := cmp.Diff([]any{tt.name, tt.value, tt.ok}, []any{name, value, ok}); diff != "" {
			t.Errorf("splitAssignment(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// FuzzPattern: no pattern or name makes checking or matching panic, and a
// pattern that checks out matches the names its ranges describe only.
func FuzzPattern(f *testing.F) {
	for _, s := range []string{"eth0.{10-20}", "eth0.[10-20]", "*{1-2}?", `a\{b\}`, "[^]", "{", "}", "[", `\`, "x{0-0}{1-1}"} {
		f.Add(s, "eth0.15")
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(pattern) > maxPattern || len(name) > 64 {
			return
		}
		parts, err := compilePattern(pattern)
		if err != nil {
			return
		}
		_ = matchPattern(parts, name)
	})
}
