package iface

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// runFilter runs prog on frame in bpf.VM. The VM cannot run the kernel's
// ancillary loads, so they are rewritten as loads from a trailer appended to
// the frame: the packet type (1 byte), then the interface index (4 bytes).
func runFilter(t *testing.T, prog []bpf.RawInstruction, frame []byte, pktType PacketType, ifindex uint32) bool {
	t.Helper()
	insns, ok := bpf.Disassemble(prog)
	if !ok {
		t.Fatalf("cannot disassemble filter: %v", insns)
	}
	in := append([]byte(nil), frame...)
	in = append(in, byte(pktType))
	in = binary.BigEndian.AppendUint32(in, ifindex)
	for i, ins := range insns {
		ext, ok := ins.(bpf.LoadExtension)
		if !ok {
			continue
		}
		switch ext.Num {
		case bpf.ExtType:
			insns[i] = bpf.LoadAbsolute{Off: uint32(len(frame)), Size: 1}
		case bpf.ExtInterfaceIndex:
			insns[i] = bpf.LoadAbsolute{Off: uint32(len(frame) + 1), Size: 4}
		default:
			t.Fatalf("filter uses extension %v, which the test cannot emulate", ext.Num)
		}
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		t.Fatalf("bpf.NewVM: %v", err)
	}
	n, err := vm.Run(in)
	if err != nil {
		t.Fatalf("vm.Run: %v", err)
	}
	return n > 0
}

// editFrame returns a copy of a test frame changed by edit, with both
// checksums fixed afterwards.
func editFrame(t *testing.T, edit func(f []byte) []byte) []byte {
	f := mustBuild(t, testHeader(), []byte("payload"))
	f = edit(f)
	fixIPChecksum(f, 14)
	return f
}

func TestDHCPServerFilterFrames(t *testing.T) {
	const ifindex = 7
	prog, err := DHCPServerFilter(ifindex)
	if err != nil {
		t.Fatalf("DHCPServerFilter: %v", err)
	}
	tests := []struct {
		name  string
		frame []byte
		want  bool
	}{
		{"DHCP broadcast to port 67", editFrame(t, func(f []byte) []byte { return f }), true},
		{"port 68", editFrame(t, func(f []byte) []byte {
			binary.BigEndian.PutUint16(f[36:38], 68)
			return f
		}), false},
		{"source port 67 to port 68", editFrame(t, func(f []byte) []byte {
			binary.BigEndian.PutUint16(f[34:36], 67)
			binary.BigEndian.PutUint16(f[36:38], 68)
			return f
		}), false},
		{"ARP EtherType", editFrame(t, func(f []byte) []byte {
			binary.BigEndian.PutUint16(f[12:14], 0x0806)
			return f
		}), false},
		{"TCP", editFrame(t, func(f []byte) []byte {
			f[23] = 6
			return f
		}), false},
		{"first fragment (MF) passes", editFrame(t, func(f []byte) []byte {
			binary.BigEndian.PutUint16(f[20:22], 0x2000)
			return f
		}), true},
		{"non-first fragment", editFrame(t, func(f []byte) []byte {
			binary.BigEndian.PutUint16(f[20:22], 0x0001)
			return f
		}), false},
		{"last fragment with DF bit pattern", editFrame(t, func(f []byte) []byte {
			binary.BigEndian.PutUint16(f[20:22], 0x4000|0x00b9)
			return f
		}), false},
		{"IP options: port found through IHL", editFrame(t, func(f []byte) []byte {
			// Insert 4 bytes of options (NOP x4) after the IPv4 header.
			g := append(append(append([]byte{}, f[:34]...), 1, 1, 1, 1), f[34:]...)
			g[14] = 0x46
			binary.BigEndian.PutUint16(g[16:18], binary.BigEndian.Uint16(g[16:18])+4)
			return g
		}), true},
		{"IP options: port 67 where IHL 5 would put it", editFrame(t, func(f []byte) []byte {
			g := append(append(append([]byte{}, f[:34]...), 0, 67, 0, 67), f[34:]...)
			binary.BigEndian.PutUint16(g[40:42], 68) // real destination port
			g[14] = 0x46
			return g
		}), false},
		{"too short for the UDP header", editFrame(t, func(f []byte) []byte { return f[:36] }), false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runFilter(t, prog, tt.frame, PacketBroadcast, ifindex)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("filter verdict (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDHCPServerFilterMetadata(t *testing.T) {
	frame := mustBuild(t, testHeader(), []byte("payload"))
	tests := []struct {
		name       string
		filterIdx  int
		pktType    PacketType
		frameIndex uint32
		want       bool
	}{
		{"host", 7, PacketHost, 7, true},
		{"broadcast", 7, PacketBroadcast, 7, true},
		{"multicast", 7, PacketMulticast, 7, true},
		{"otherhost (or foreign VLAN)", 7, PacketOtherHost, 7, false},
		{"outgoing", 7, PacketOutgoing, 7, false},
		{"loopback", 7, PacketType(unix.PACKET_LOOPBACK), 7, false},
		{"other interface (sub-interface of the bound link)", 7, PacketBroadcast, 8, false},
		{"no interface check", 0, PacketBroadcast, 8, true},
		{"no interface check, outgoing", 0, PacketOutgoing, 8, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog, err := DHCPServerFilter(tt.filterIdx)
			if err != nil {
				t.Fatalf("DHCPServerFilter: %v", err)
			}
			got := runFilter(t, prog, frame, tt.pktType, tt.frameIndex)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("filter verdict (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDHCPServerFilterProgram(t *testing.T) {
	prog, err := DHCPServerFilter(7)
	if err != nil {
		t.Fatalf("DHCPServerFilter: %v", err)
	}
	want, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtType},
		bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 2, SkipTrue: 12},
		bpf.LoadExtension{Num: bpf.ExtInterfaceIndex},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 7, SkipFalse: 10},
		bpf.LoadAbsolute{Off: 12, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x0800, SkipFalse: 8},
		bpf.LoadAbsolute{Off: 23, Size: 1},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 17, SkipFalse: 6},
		bpf.LoadAbsolute{Off: 20, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 0x1fff, SkipTrue: 4},
		bpf.LoadMemShift{Off: 14},
		bpf.LoadIndirect{Off: 16, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 67, SkipFalse: 1},
		bpf.RetConstant{Val: filterSnapLen},
		bpf.RetConstant{Val: 0},
	})
	if err != nil {
		t.Fatalf("bpf.Assemble: %v", err)
	}
	if diff := cmp.Diff(want, prog); diff != "" {
		t.Errorf("program (-want +got):\n%s", diff)
	}
}

func TestDHCPServerFilterBadIndex(t *testing.T) {
	_, err := DHCPServerFilter(-1)
	want := "failed to build packet filter: bad interface index -1"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}

func TestRelayFilterWithoutPortsIsTheDHCPFilter(t *testing.T) {
	for _, idx := range []int{0, 7} {
		want, err := DHCPServerFilter(idx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ports := range [][]uint16{nil, {}} {
			got, err := RelayFilter(idx, ports)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("RelayFilter(%d, %v) is not DHCPServerFilter (-want +got):\n%s", idx, ports, diff)
			}
		}
	}
}

func TestRelayFilterFrames(t *testing.T) {
	const ifindex = 7
	prog, err := RelayFilter(ifindex, []uint16{53, 69, 137})
	if err != nil {
		t.Fatalf("RelayFilter: %v", err)
	}
	port := func(p uint16) []byte {
		return editFrame(t, func(f []byte) []byte {
			binary.BigEndian.PutUint16(f[36:38], p)
			return f
		})
	}
	tests := []struct {
		name    string
		frame   []byte
		pktType PacketType
		ifindex uint32
		want    bool
	}{
		{"DHCP broadcast", port(67), PacketBroadcast, ifindex, true},
		{"DHCP unicast to us", port(67), PacketHost, ifindex, true},
		{"DHCP multicast type", port(67), PacketMulticast, ifindex, true},
		{"first port, broadcast", port(53), PacketBroadcast, ifindex, true},
		{"middle port, broadcast", port(69), PacketBroadcast, ifindex, true},
		{"last port, broadcast", port(137), PacketBroadcast, ifindex, true},
		{"forwarded port, unicast (routed traffic)", port(53), PacketHost, ifindex, false},
		{"forwarded port, multicast", port(137), PacketMulticast, ifindex, false},
		{"port not configured, broadcast", port(138), PacketBroadcast, ifindex, false},
		{"port 68, broadcast", port(68), PacketBroadcast, ifindex, false},
		{"forwarded port, outgoing", port(69), PacketOutgoing, ifindex, false},
		{"forwarded port, other interface", port(69), PacketBroadcast, 8, false},
		{"forwarded port, non-first fragment", editFrame(t, func(f []byte) []byte {
			binary.BigEndian.PutUint16(f[36:38], 69)
			binary.BigEndian.PutUint16(f[20:22], 0x0001)
			return f
		}), PacketBroadcast, ifindex, false},
		{"forwarded port, TCP", editFrame(t, func(f []byte) []byte {
			binary.BigEndian.PutUint16(f[36:38], 69)
			f[23] = 6
			return f
		}), PacketBroadcast, ifindex, false},
		{"too short", port(69)[:36], PacketBroadcast, ifindex, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runFilter(t, prog, tt.frame, tt.pktType, tt.ifindex)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("filter verdict (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRelayFilterPortLimits(t *testing.T) {
	ports := make([]uint16, 64)
	for i := range ports {
		ports[i] = uint16(1000 + i)
	}
	prog, err := RelayFilter(7, ports)
	if err != nil {
		t.Fatalf("64 ports: %v", err)
	}
	frame := editFrame(t, func(f []byte) []byte {
		binary.BigEndian.PutUint16(f[36:38], 1000)
		return f
	})
	if !runFilter(t, prog, frame, PacketBroadcast, 7) {
		t.Error("the first of 64 ports is rejected")
	}
	_, err = RelayFilter(7, append(ports, 2000))
	want := "failed to build packet filter: 65 UDP ports, more than 64"
	if err == nil || err.Error() != want {
		t.Fatalf("65 ports: error = %v, want %q", err, want)
	}
}
