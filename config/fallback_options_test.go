package config

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFallbackOptions(t *testing.T) {
	data := `hostname: r1
defaults:
  fallback:
    options: [{name: ntp-servers, value: [198.51.100.123]}]
interfaces:
  - name: eth1
    helper-addresses: [198.51.100.2]
    fallback:
      pools: [203.0.113.10-203.0.113.20]
      next-server: 198.51.100.69
      boot-file: pxelinux.0
      options:
        - {name: tftp-server, code: 150, type: address-list, value: [198.51.100.69, 198.51.100.70]}
        - {name: ntp-servers, value: 198.51.100.123}
        - {code: 66, value: "tftp.example.net"}
        - {name: domain-search, value: [example.net, corp.example.net]}
        - {name: classless-static-routes, value: ["198.51.100.0/24 203.0.113.1", "0.0.0.0/0 203.0.113.1"]}
        - {code: 43, value: "01:04:c6:33:64:45", always-send: true}
        - {code: 224, type: u16, value: 1500, name: site-mtu}
        - {name: ip-forwarding, value: false}
  - name: eth2
    helper-addresses: [198.51.100.2]
    fallback: {pools: [203.0.113.130-203.0.113.140]}
`
	cfg, err := ParseWithFlags([]byte(data), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Option{
		{Code: 150, Name: "tftp-server", Type: OptionAddressList, Value: []string{"198.51.100.69", "198.51.100.70"}, Data: []byte{198, 51, 100, 69, 198, 51, 100, 70}},
		{Code: 42, Name: "ntp-servers", Type: OptionAddressList, Value: []string{"198.51.100.123"}, Data: []byte{198, 51, 100, 123}},
		{Code: 66, Name: "tftp-server-name", Type: OptionString, Value: []string{"tftp.example.net"}, Data: []byte("tftp.example.net")},
		{Code: 119, Name: "domain-search", Type: OptionDomainList, Value: []string{"example.net", "corp.example.net"},
			Data: []byte("\x07example\x03net\x00\x04corp\xc0\x00")},
		{Code: 121, Name: "classless-static-routes", Type: OptionRoutes, Value: []string{"198.51.100.0/24 203.0.113.1", "0.0.0.0/0 203.0.113.1"},
			Data: []byte{24, 198, 51, 100, 203, 0, 113, 1, 0, 203, 0, 113, 1}},
		{Code: 43, Name: "vendor-specific", Type: OptionHex, Value: []string{"01:04:c6:33:64:45"}, Data: []byte{1, 4, 198, 51, 100, 69}, AlwaysSend: true},
		{Code: 224, Name: "site-mtu", Type: OptionU16, Value: []string{"1500"}, Data: []byte{0x05, 0xdc}},
		{Code: 19, Name: "ip-forwarding", Type: OptionBool, Value: []string{"false"}, Data: []byte{0}},
	}
	f := cfg.Interfaces[0].Fallback
	if diff := cmp.Diff(want, f.Options); diff != "" {
		t.Errorf("eth1 options (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("198.51.100.69 pxelinux.0", f.NextServer.String()+" "+f.BootFile); diff != "" {
		t.Errorf("next-server, boot-file (-want +got):\n%s", diff)
	}
	// eth2 has the defaults: block's options.
	if diff := cmp.Diff(want[1:2], cfg.Interfaces[1].Fallback.Options); diff != "" {
		t.Errorf("eth2 options (-want +got):\n%s", diff)
	}
	// The effective config reads back as the same configuration.
	out, err := cfg.Effective()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(Effective()): %v\n%s", err, out)
	}
	if diff := cmp.Diff(cfg.Interfaces, again.Interfaces, cmpOpts()); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestFallbackOptionErrors(t *testing.T) {
	block := func(opts string) string {
		return "hostname: r1\ninterfaces:\n  - name: eth1\n    helper-addresses: [198.51.100.2]\n" +
			"    fallback:\n      pools: [203.0.113.10-203.0.113.20]\n      options: [" + opts + "]\n"
	}
	// Each error is at the key it is about; "unknown name" shows one.
	const at = `interface "eth1": fallback.options[0]: `
	tests := []struct {
		name, opts, want string
	}{
		{"unknown name", "{name: ntp-server, value: [198.51.100.1]}", at + `name: "ntp-server" is not a known option: give its code: and type: (did you mean "ntp-servers"?)`},
		{"code without type", "{code: 224, value: 5}", at + "type: missing: option 224 is not in the table of known options; give one of address, address-list, string, u8, u16, u32, boolean, hex, domain-list, classless-routes"},
		{"name and code disagree", "{name: tftp-server, code: 66, value: [198.51.100.1]}", at + "code: tftp-server is option 150, not 66"},
		{"type disagrees", "{name: ntp-servers, type: string, value: x}", at + "type: ntp-servers (option 42) is address-list, not string"},
		{"server's own", "{code: 51, type: u32, value: 60}", at + "option 51 is the lease time (lease-time), which the server sets itself"},
		{"has its key", "{name: router, value: [203.0.113.1]}", at + "option 3 (router): give it as fallback.router"},
		{"bad address", "{name: ntp-servers, value: [198.51.100.300]}", at + `value: [0]: "198.51.100.300" is not an IPv4 address: 300 is more than 255`},
		{"u8 too big", "{name: default-ip-ttl, value: 256}", at + `value: "256" is not a whole number from 0 to 255`},
		{"list for a scalar", "{name: tftp-server-name, value: [a, b]}", at + "value: want one value (string), got a list"},
		{"route host bits", `{name: classless-static-routes, value: ["198.51.100.1/24 203.0.113.1"]}`, at + `value: [0]: "198.51.100.1/24 203.0.113.1": 198.51.100.1/24 has host bits set (the destination is 198.51.100.0/24)`},
		{"bad search domain", "{name: domain-search, value: [exa mple.net]}", at + `value: "exa mple.net" is not a domain name`},
		{"bad hex", "{code: 43, value: xyz}", at + `value: "xyz" is not hex bytes such as 01:02:ab or 0102ab`},
		{"yes is no boolean", "{name: ip-forwarding, value: yes}", at + `value: "yes" is not a boolean: write true or false`},
		{"no value", "{name: ntp-servers}", at + "value: missing"},
		{"twice", "{code: 66, value: a}, {name: tftp-server-name, value: b}", `interface "eth1": fallback.options[1]: option 66 is given twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWithFlags([]byte(block(tt.opts)), Flags{})
			if err == nil {
				t.Fatal("no error")
			}
			var pe *PosError
			if !errors.As(err, &pe) {
				t.Fatalf("error %q has no position", err)
			}
			if diff := cmp.Diff(tt.want, pe.Err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if tt.name == "unknown name" && pe.Pos != (Position{Line: 7, Column: 24}) {
				t.Errorf("position %v, want 7:24 (the name)", pe.Pos)
			}
		})
	}
}
