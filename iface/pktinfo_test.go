package iface

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestPktinfoIfindex(t *testing.T) {
	pktinfo := func(ifindex int32) []byte {
		b := make([]byte, unix.CmsgSpace(unix.SizeofInet4Pktinfo))
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
		h.Level, h.Type = unix.IPPROTO_IP, unix.IP_PKTINFO
		h.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
		(*unix.Inet4Pktinfo)(unsafe.Pointer(&b[unix.CmsgLen(0)])).Ifindex = ifindex
		return b
	}
	other := make([]byte, unix.CmsgSpace(4))
	oh := (*unix.Cmsghdr)(unsafe.Pointer(&other[0]))
	oh.Level, oh.Type = unix.IPPROTO_IP, unix.IP_TTL
	oh.SetLen(unix.CmsgLen(4))
	tests := []struct {
		name string
		oob  []byte
		want int
	}{
		{"none", nil, 0},
		{"pktinfo", pktinfo(7), 7},
		{"after another message", append(append([]byte(nil), other...), pktinfo(9)...), 9},
		{"truncated", pktinfo(7)[:unix.SizeofCmsghdr+2], 0},
		{"bad length", func() []byte { b := pktinfo(7); (*unix.Cmsghdr)(unsafe.Pointer(&b[0])).Len = 1000; return b }(), 0},
		{"short", []byte{1, 2, 3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PktinfoIfindex(tt.oob); got != tt.want {
				t.Errorf("PktinfoIfindex = %d, want %d", got, tt.want)
			}
		})
	}
}
