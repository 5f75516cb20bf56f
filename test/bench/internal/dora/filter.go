package dora

import "golang.org/x/net/bpf"

// replyFilter accepts IPv4/UDP frames to port 68 that are not fragments (or
// are the first fragment, which the parser then refuses), from their
// Ethernet header on, so the socket queues only what a client may receive.
func replyFilter() []bpf.Instruction {
	const drop, accept = 0, 0x40000
	return []bpf.Instruction{
		bpf.LoadAbsolute{Off: 12, Size: 2},                           // ethertype
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 0x0800, SkipTrue: 7}, // → drop
		bpf.LoadAbsolute{Off: 23, Size: 1},                           // IP protocol
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 17, SkipTrue: 5},     // → drop
		bpf.LoadAbsolute{Off: 20, Size: 2},                           // flags + fragment offset
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 0x1fff, SkipTrue: 3},  // → drop
		bpf.LoadMemShift{Off: 14},                                    // X = IP header length
		bpf.LoadIndirect{Off: 16, Size: 2},                           // UDP destination port
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 68, SkipTrue: 1},        // → accept
		bpf.RetConstant{Val: drop},
		bpf.RetConstant{Val: accept},
	}
}
