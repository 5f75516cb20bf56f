package corpus

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

func TestTrackerOp(t *testing.T) {
	for kind := range 2 {
		for key := range trackerKeys {
			op := trackerOp(kind, key)
			// How relay/health's FuzzTracker reads the byte.
			if int(op%3) != kind || int(op>>2%6) != key || op>>5%2 != 0 {
				t.Errorf("trackerOp(%d, %d) = %d: reads as kind %d, key %d, chaddr %d", kind, key, op, op%3, op>>2%6, op>>5%2)
			}
		}
	}
}

// upstream is a packet on the server link at t0+at with the given op and
// xid.
func upstream(at time.Duration, op dhcpv4.OpcodeType, xid byte) packet {
	return packet{
		side: ServerSide,
		time: time.Unix(1000, 0).Add(at),
		msg:  &dhcpv4.DHCPv4{OpCode: op, TransactionID: dhcpv4.TransactionID{0, 0, 0, xid}},
	}
}

func TestTrackerTrace(t *testing.T) {
	req, rep := dhcpv4.OpcodeBootRequest, dhcpv4.OpcodeBootReply
	tests := []struct {
		name string
		pkts []packet
		want []byte
	}{
		{"nothing", nil, []byte{trackerConfig}},
		{
			name: "answered at once",
			pkts: []packet{upstream(0, req, 7), upstream(100*time.Millisecond, rep, 7)},
			want: []byte{trackerConfig, 0, 16, 1, 16 + 4},
		},
		{
			name: "second transaction after a long gap",
			pkts: []packet{upstream(0, req, 7), upstream(3*time.Second, req, 8), upstream(3*time.Second+50*time.Millisecond, rep, 8)},
			want: []byte{trackerConfig, 0, 16, opExpire, 16 + 120, 6, 16, 4, 16 + 2},
		},
		{
			name: "a gap longer than one clock byte",
			pkts: []packet{upstream(0, req, 7), upstream(10*time.Second, rep, 7)},
			want: []byte{trackerConfig, 0, 16, opExpire, 255, opExpire, 16 + 400 - 239, 1, 16},
		},
		{
			name: "client-side packets and ARP are not the tracker's",
			pkts: []packet{{side: ClientSide, msg: &dhcpv4.DHCPv4{OpCode: req}}, {side: ServerSide, arp: true}},
			want: []byte{trackerConfig},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, trackerTrace(tt.pkts)); diff != "" {
				t.Errorf("trackerTrace (-want +got):\n%s", diff)
			}
		})
	}
}
