package iface

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSNMPCounter(t *testing.T) {
	const snmp = "Ip: Forwarding DefaultTTL\nIp: 1 64\n" +
		"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\nUdp: 10 2 7 12 5 0\n" +
		"UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\nUdpLite: 0 0 0 0 9 0\n"
	tests := []struct {
		name, in, counter string
		want              uint64
		err               string
	}{
		{name: "udp", in: snmp, counter: "RcvbufErrors", want: 5},
		{name: "first column", in: snmp, counter: "InDatagrams", want: 10},
		{name: "unknown counter", in: snmp, counter: "Nope", err: "no Udp: Nope in /proc/net/snmp"},
		{name: "no udp", in: "Ip: A\nIp: 1\n", counter: "RcvbufErrors", err: "no Udp: RcvbufErrors in /proc/net/snmp"},
		{name: "bad value", in: "Udp: RcvbufErrors\nUdp: x\n", counter: "RcvbufErrors", err: `failed to parse Udp: RcvbufErrors "x": strconv.ParseUint: parsing "x": invalid syntax`},
		{name: "short values", in: "Udp: A RcvbufErrors\nUdp: 1\n", counter: "RcvbufErrors", err: "no Udp: RcvbufErrors in /proc/net/snmp"},
		{name: "empty", in: "", counter: "RcvbufErrors", err: "no Udp: RcvbufErrors in /proc/net/snmp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := snmpCounter([]byte(tt.in), "Udp:", tt.counter)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff([]any{tt.want, tt.err}, []any{got, gotErr}); diff != "" {
				t.Errorf("snmpCounter (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReceiveOverflowsReadsThisNamespace: the running kernel's
// /proc/net/snmp has the counter.
func TestReceiveOverflowsReadsThisNamespace(t *testing.T) {
	if _, err := (&UDPConn{}).ReceiveOverflows(); err != nil {
		t.Fatal(err)
	}
}
