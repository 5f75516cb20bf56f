package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatch(t *testing.T) {
	cfg, err := parseTest(`
defaults: {helper-addresses: [198.51.100.2]}
interfaces:
  - name: "eth0.*"
  - name: "eth0.1?"
  - name: eth0.10
  - name: "eth[12]"
  - name: eth1
`, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		link   string
		want   string
		wantOK bool
	}{
		{name: "exact wins over earlier patterns", link: "eth0.10", want: "eth0.10", wantOK: true},
		{name: "first pattern in file order", link: "eth0.11", want: "eth0.*", wantOK: true},
		{name: "pattern", link: "eth0.200", want: "eth0.*", wantOK: true},
		{name: "exact wins over an earlier class", link: "eth1", want: "eth1", wantOK: true},
		{name: "character class", link: "eth2", want: "eth[12]", wantOK: true},
		{name: "no match", link: "eth3", wantOK: false},
		{name: "pattern needs the dot", link: "eth0", wantOK: false},
		{name: "empty", link: "", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, ok := cfg.Match(tt.link)
			if diff := cmp.Diff(tt.wantOK, ok); diff != "" {
				t.Fatalf("ok (-want +got):\n%s", diff)
			}
			got := ""
			if in != nil {
				got = in.Name
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entry (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsPattern(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{name: "eth0", want: false},
		{name: "eth0.10", want: false},
		{name: "eth0.*", want: true},
		{name: "eth?", want: true},
		{name: "eth[01]", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Interface{Name: tt.name}
			if diff := cmp.Diff(tt.want, in.IsPattern()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
