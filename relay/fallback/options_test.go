package fallback

import (
	"bytes"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// optionsScope is testScope with configured options: 42 and 150 small,
// 121 and 43 large (43 always sent), next-server and a boot file.
func optionsScope() Scope {
	sc := testScope()
	sc.Options = []Option{
		{Code: 42, Data: []byte{198, 51, 100, 123}},
		{Code: 150, Data: []byte{198, 51, 100, 69}},
		{Code: 121, Data: bytes.Repeat([]byte{24, 198, 51, 100, 203, 0, 113, 1}, 30)}, // 240 bytes
		{Code: 43, Data: bytes.Repeat([]byte{0xab}, 200), AlwaysSend: true},
	}
	sc.NextServer = ip("198.51.100.69")
	sc.BootFile = "pxelinux.0"
	return sc
}

func TestReplyOptions(t *testing.T) {
	prl := func(codes ...uint8) dhcpv4.Modifier {
		return dhcpv4.WithOption(dhcpv4.OptGeneric(dhcpv4.OptionParameterRequestList, codes))
	}
	maxSize := func(n uint16) dhcpv4.Modifier { return dhcpv4.WithOption(dhcpv4.OptMaxMessageSize(n)) }
	noPRL := func(d *dhcpv4.DHCPv4) { d.Options.Del(dhcpv4.OptionParameterRequestList) }
	tests := []struct {
		name string
		mods []dhcpv4.Modifier
		want []uint8 // configured option codes in the OFFER
	}{
		{name: "requested ones and the always-sent one", mods: []dhcpv4.Modifier{prl(1, 3, 150, 42), maxSize(1500)}, want: []uint8{42, 43, 150}},
		{name: "no request list: every option", mods: []dhcpv4.Modifier{noPRL, maxSize(1500)}, want: []uint8{42, 43, 121, 150}},
		// 576 - 28 = 548 bytes, about 300 of them taken by the header and
		// the built-in options: 121 (242 on the wire), asked for first,
		// fills the rest, so 42 and 150 (6 each) and 43 no longer fit.
		{name: "max message size keeps what the client asked for first", mods: []dhcpv4.Modifier{prl(1, 3, 121, 42, 150), maxSize(576)}, want: []uint8{121}},
		// 42 and 43 (202) first: 121 does not fit after them.
		{name: "what does not fit is skipped, not what follows", mods: []dhcpv4.Modifier{prl(42, 43, 121, 150), maxSize(576)}, want: []uint8{42, 43, 150}},
		{name: "without option 57 the RFC 2131 minimum", mods: []dhcpv4.Modifier{prl(42, 43, 121)}, want: []uint8{42, 43}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, optionsScope())
			rep, out := e.handle(cl(0x10).discover(t, tt.mods...))
			if out != OutcomeOffer {
				t.Fatalf("outcome %v", out)
			}
			v := viewOf(t, rep)
			var got []uint8
			for _, o := range optionsScope().Options {
				if data, ok := v.Options[o.Code]; ok {
					got = append(got, o.Code)
					if !bytes.Equal(data, o.Data) {
						t.Errorf("option %d: % x, want % x", o.Code, data, o.Data)
					}
				}
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
			for _, code := range []uint8{1, 3, 51, 54, 58, 59} {
				if _, ok := v.Options[code]; !ok {
					t.Errorf("option %d missing", code)
				}
			}
			if n, limit := len(rep.ToBytes()), maxReplySize(request{msg: cl(0x10).discover(t, tt.mods...)}); n > limit {
				t.Errorf("reply is %d bytes, more than %d", n, limit)
			}
			if v.SIAddr != "198.51.100.69" || rep.BootFileName != "pxelinux.0" {
				t.Errorf("siaddr %s, file %q; want 198.51.100.69, pxelinux.0", v.SIAddr, rep.BootFileName)
			}
		})
	}
}
