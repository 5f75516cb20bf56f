package bindings

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFromAck(t *testing.T) {
	const mac = "02:00:00:00:00:99"
	tests := []struct {
		name   string
		msg    msgSpec
		cut    int // truncate the message to this length when > 0
		want   Binding
		wantOK bool
	}{
		{
			name: "ACK with lease time, client-id and hostname",
			msg: msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: mac, options: [][]byte{
				msgType(5), leaseTime(3600), opt(61, 1, 2, 0, 0, 0, 0, 0x99), opt(12, 'p', 'c', '-', '1'),
			}},
			want: Binding{
				Addr: addr("203.0.113.50"), MAC: mustMAC(mac), ClientID: []byte{1, 2, 0, 0, 0, 0, 0x99},
				Interface: "eth1.10", VLAN: 10, Hostname: "pc-1", Expiry: t0.Add(time.Hour),
			},
			wantOK: true,
		},
		{
			name:   "infinite lease has no expiry",
			msg:    msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: mac, options: [][]byte{msgType(5), leaseTime(0xffffffff)}},
			want:   Binding{Addr: addr("203.0.113.50"), MAC: mustMAC(mac), Interface: "eth1.10", VLAN: 10},
			wantOK: true,
		},
		{
			name: "hostname with escapes is sanitized",
			msg: msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: mac, options: [][]byte{
				msgType(5), leaseTime(60), opt(12, 0x1b, '[', '2', 'J', 'x', 0xff),
			}},
			want: Binding{
				Addr: addr("203.0.113.50"), MAC: mustMAC(mac), Interface: "eth1.10", VLAN: 10,
				Hostname: "?[2Jx?", Expiry: t0.Add(time.Minute),
			},
			wantOK: true,
		},
		{
			name: "ACK to INFORM has no lease time",
			msg:  msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: mac, options: [][]byte{msgType(5)}},
		},
		{
			name: "lease time of the wrong length",
			msg:  msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: mac, options: [][]byte{msgType(5), opt(51, 0, 0, 1)}},
		},
		{
			name: "OFFER is not a binding",
			msg:  msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: mac, options: [][]byte{msgType(2), leaseTime(60)}},
		},
		{
			name: "NAK is not a binding",
			msg:  msgSpec{op: 2, chaddr: mac, options: [][]byte{msgType(6)}},
		},
		{
			name: "BOOTREQUEST with an ACK type",
			msg:  msgSpec{op: 1, yiaddr: "203.0.113.50", chaddr: mac, options: [][]byte{msgType(5), leaseTime(60)}},
		},
		{
			name: "no yiaddr",
			msg:  msgSpec{op: 2, chaddr: mac, options: [][]byte{msgType(5), leaseTime(60)}},
		},
		{
			name: "options overrun the message",
			msg:  msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: mac, options: [][]byte{msgType(5), {51, 200, 0}}},
		},
		{
			name: "truncated in the header",
			msg:  msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: mac, options: [][]byte{msgType(5), leaseTime(60)}},
			cut:  20,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := build(t, tt.msg)
			if tt.cut > 0 {
				msg = msg[:tt.cut]
			}
			got, ok := FromAck(msg, "eth1.10", 10, t0)
			if ok != tt.wantOK {
				t.Fatalf("FromAck ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("FromAck (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromAckDoesNotAliasTheMessage(t *testing.T) {
	msg := build(t, msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: "02:00:00:00:00:99", options: [][]byte{
		msgType(5), leaseTime(60), opt(61, 1, 2, 3),
	}})
	b, ok := FromAck(msg, "eth1", 0, t0)
	if !ok {
		t.Fatal("FromAck failed")
	}
	for i := range msg {
		msg[i] = 0xee
	}
	if b.MAC.String() != "02:00:00:00:00:99" || b.ClientID[0] != 1 {
		t.Errorf("binding changed with the read buffer: MAC %v, client-id %x", b.MAC, b.ClientID)
	}
}

func TestObserve(t *testing.T) {
	const mac = "02:00:00:00:00:99"
	ack := build(t, msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: mac, options: [][]byte{msgType(5), leaseTime(3600)}})
	nak := build(t, msgSpec{op: 2, chaddr: mac, options: [][]byte{msgType(6)}})
	release := build(t, msgSpec{op: 1, ciaddr: "203.0.113.50", chaddr: mac, options: [][]byte{msgType(7)}})
	spoofRelease := build(t, msgSpec{op: 1, ciaddr: "203.0.113.50", chaddr: "02:00:00:00:00:66", options: [][]byte{msgType(7)}})
	decline := build(t, msgSpec{op: 1, chaddr: mac, options: [][]byte{msgType(4), opt(50, 203, 0, 113, 50)}})
	offer := build(t, msgSpec{op: 2, yiaddr: "203.0.113.51", chaddr: mac, options: [][]byte{msgType(2), leaseTime(3600)}})
	tests := []struct {
		name     string
		replies  [][]byte
		requests [][]byte
		want     int // bindings left
	}{
		{name: "ACK is learned", replies: [][]byte{ack}, want: 1},
		{name: "OFFER is not learned", replies: [][]byte{offer}, want: 0},
		{name: "NAK forgets", replies: [][]byte{ack, nak}, want: 0},
		{name: "RELEASE by the owner forgets", replies: [][]byte{ack}, requests: [][]byte{release}, want: 0},
		{name: "RELEASE by another MAC does not", replies: [][]byte{ack}, requests: [][]byte{spoofRelease}, want: 1},
		{name: "DECLINE forgets", replies: [][]byte{ack}, requests: [][]byte{decline}, want: 0},
		{name: "a reply given as request is ignored", replies: [][]byte{ack}, requests: [][]byte{nak}, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := New(0)
			for _, m := range tt.replies {
				tb.ObserveReply(m, "eth1", 0, t0)
			}
			for _, m := range tt.requests {
				tb.ObserveRequest(m)
			}
			if got := len(tb.List(t0)); got != tt.want {
				t.Errorf("table holds %d bindings, want %d", got, tt.want)
			}
		})
	}
}

func TestObserveNilTable(t *testing.T) {
	var tb *Table
	ack := build(t, msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: "02:00:00:00:00:99", options: [][]byte{msgType(5), leaseTime(60)}})
	tb.ObserveReply(ack, "eth1", 0, t0) // must not panic
	tb.ObserveRequest(ack)
}

func BenchmarkObserveOffer(b *testing.B) {
	tb := New(0)
	offer := build(b, msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: "02:00:00:00:00:99", options: [][]byte{msgType(2), leaseTime(60)}})
	b.ReportAllocs()
	for b.Loop() {
		tb.ObserveReply(offer, "eth1", 0, t0)
	}
}

func BenchmarkFromAck(b *testing.B) {
	msg := build(b, msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: "02:00:00:00:00:99", options: [][]byte{
		msgType(5), leaseTime(3600), opt(61, 1, 2, 0, 0, 0, 0, 0x99), opt(12, 'p', 'c', '-', '1'),
	}})
	b.ReportAllocs()
	for b.Loop() {
		FromAck(msg, "eth1", 0, t0)
	}
}
