package relay

import (
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/wire"
)

// FuzzRequestPath feeds any bytes to the request path as a client's
// message. It must never panic, never relay a message that is not a valid
// BOOTREQUEST, and a relayed message must carry our giaddr or the one it
// came with (the latter only on a trusted interface), one more hop than it
// came with and no more than max-hops, and at most the maximum size.
func FuzzRequestPath(f *testing.F) {
	f.Add(discover(f))
	f.Add(discover(f, withHops(3)))
	f.Add(discover(f, withHops(4)))
	f.Add(discover(f, dhcpv4.WithGatewayIP([]byte{203, 0, 113, 9}))) // another relay's giaddr
	f.Add(bootp(f))
	f.Add(reply(f, dhcpv4.MessageTypeOffer))
	f.Add(discover(f, dhcpv4.WithOption(dhcpv4.OptRelayAgentInfo(dhcpv4.OptGeneric(dhcpv4.AgentCircuitIDSubOption, []byte("x"))))))
	f.Add([]byte{})
	cfgs := []*config.Config{
		testConfig(f, config.Flags{}),
		testConfig(f, config.Flags{TrustAll: true}),
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		for _, cfg := range cfgs {
			st, rt := testState(t, cfg)
			in := wire.Packet(append([]byte(nil), msg...))
			res := processRequest(st, rt, 4, 1472, datagram(msg, ipBroadcast))
			if res.drop {
				continue
			}
			out := wire.Packet(res.msg)
			if err := wire.Validate(out); err != nil {
				t.Fatalf("relayed an invalid message: %v", err)
			}
			if out.Op() != wire.OpRequest {
				t.Fatalf("relayed op %v", out.Op())
			}
			if in.Hops() > 4 {
				t.Fatalf("relayed a request with hops %d, over max-hops 4", in.Hops())
			}
			if out.Hops() != in.Hops()+1 {
				t.Fatalf("hops %d, want %d", out.Hops(), in.Hops()+1)
			}
			if g := in.GIAddr(); !g.IsUnspecified() && out.GIAddr() != g {
				t.Fatalf("giaddr %v changed to %v", g, out.GIAddr())
			}
			if g := in.GIAddr(); !g.IsUnspecified() && !st.cfg.Trusted {
				t.Fatalf("relayed giaddr %v from an untrusted interface", g)
			}
			if in.GIAddr().IsUnspecified() && out.GIAddr() != st.giaddr {
				t.Fatalf("giaddr %v, want ours %v", out.GIAddr(), st.giaddr)
			}
			if len(out) > 1472 && len(out) > len(in) {
				t.Fatalf("relayed %d bytes, over the maximum", len(out))
			}
		}
	})
}

// FuzzReplyPath feeds any bytes to the reply path as a helper's reply. It
// must never panic, never deliver anything but a valid BOOTREPLY, and never
// deliver our option 82 to a client.
func FuzzReplyPath(f *testing.F) {
	cfg := testConfig(f, config.Flags{})
	st, _ := testState(f, cfg)
	f.Add(reply(f, dhcpv4.MessageTypeOffer))
	f.Add(reply(f, dhcpv4.MessageTypeAck, dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, st.opt82[0][2:])))
	f.Add(reply(f, dhcpv4.MessageTypeNak, dhcpv4.WithBroadcast(true)))
	f.Add(discover(f))
	f.Fuzz(func(t *testing.T, msg []byte) {
		st, rt := testState(t, cfg)
		res := processReply(rt, helperAddr, 0, append([]byte(nil), msg...))
		if res.drop {
			return
		}
		out := wire.Packet(res.msg)
		if err := wire.Validate(out); err != nil || out.Op() != wire.OpReply {
			t.Fatalf("delivered an invalid message: %v", err)
		}
		if _, _, ok := wire.FindOption(out, wire.OptRelayAgentInfo); ok && !(st.cfg.Trusted && st.cfg.Option82.Policy == config.PolicyKeep) {
			t.Fatal("delivered option 82 to a client")
		}
		frame := make([]byte, 2048+len(out))
		if _, err := iface.BuildUDP4(frame, iface.UDP4Header{SrcMAC: testMAC, DstMAC: clientMAC, Src: st.addr.Addr(), Dst: res.to.dstIP, SrcPort: 67, DstPort: 68}, out); err != nil {
			t.Fatalf("cannot frame the reply: %v", err)
		}
	})
}
