package iface

import (
	"fmt"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Offsets into an untagged Ethernet frame, as the kernel hands it to a
// SOCK_RAW packet socket (it strips 802.1Q tags into metadata first).
const (
	offEtherType  = 12 // Ethernet: EtherType
	offIPv4       = 14 // IPv4 header: version/IHL
	offIPv4Frag   = 20 // IPv4: flags and fragment offset
	offIPv4Proto  = 23 // IPv4: protocol
	offUDPDstPort = 2  // UDP, from the start of the UDP header: destination port
)

// filterSnapLen is what an accepting filter returns: more than any frame, so
// the whole frame is delivered.
const filterSnapLen = 1 << 18

// filterStep is one instruction of a filter program; a JumpIf step jumps to
// the final "reject" instruction when its test is true (rejectIfTrue) or
// false, and falls through otherwise.
type filterStep struct {
	ins          bpf.Instruction
	rejectIfTrue bool
}

// DHCPServerFilter returns the classic BPF program that ListenDHCP attaches
// to its socket. It passes a frame only if all of these hold:
//
//   - it is incoming and addressed to this host: the packet type is host,
//     broadcast or multicast (not PACKET_OUTGOING, and not PACKET_OTHERHOST,
//     which is also how the kernel marks frames of an 802.1Q VLAN that has no
//     sub-interface here);
//   - when ifindex is not 0, it is received on that very interface: a socket
//     bound to a trunk's parent link is otherwise also handed the frames of
//     its VLAN sub-interfaces, after the kernel untagged them;
//   - its EtherType is IPv4, its IP protocol UDP, and it is not a non-first
//     fragment (fragment offset 0; a first fragment with MF set passes and is
//     rejected later by ParseUDP4);
//   - its UDP destination port is 67, found through the IPv4 header length.
//
// The whole frame is accepted.
func DHCPServerFilter(ifindex int) ([]bpf.RawInstruction, error) {
	return udpFilter(ifindex, 67)
}

// udpFilter is DHCPServerFilter for any UDP destination port.
func udpFilter(ifindex int, port uint16) ([]bpf.RawInstruction, error) {
	if ifindex < 0 {
		return nil, fmt.Errorf("failed to build packet filter: bad interface index %d", ifindex)
	}
	steps := append(incomingSteps(ifindex), udpPortSteps(port)...)
	prog, err := assembleFilter(steps)
	if err != nil {
		return nil, fmt.Errorf("failed to build packet filter: %w", err)
	}
	return prog, nil
}

// incomingSteps checks the kernel's metadata about the frame: its packet type
// and, when ifindex is not 0, the interface it arrived on. These are
// ancillary loads that bpf.VM cannot run; tests emulate them.
func incomingSteps(ifindex int) []filterStep {
	steps := []filterStep{
		{ins: bpf.LoadExtension{Num: bpf.ExtType}},
		{ins: bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: unix.PACKET_MULTICAST}, rejectIfTrue: true},
	}
	if ifindex != 0 {
		steps = append(steps,
			filterStep{ins: bpf.LoadExtension{Num: bpf.ExtInterfaceIndex}},
			filterStep{ins: bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(ifindex)}},
		)
	}
	return steps
}

// udpPortSteps checks the frame's bytes: IPv4, UDP, fragment offset 0 and
// the UDP destination port.
func udpPortSteps(port uint16) []filterStep {
	return []filterStep{
		{ins: bpf.LoadAbsolute{Off: offEtherType, Size: 2}},
		{ins: bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.ETH_P_IP}},
		{ins: bpf.LoadAbsolute{Off: offIPv4Proto, Size: 1}},
		{ins: bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.IPPROTO_UDP}},
		{ins: bpf.LoadAbsolute{Off: offIPv4Frag, Size: 2}},
		{ins: bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 0x1fff}, rejectIfTrue: true},
		// X = 4 * (IHL), the IPv4 header length.
		{ins: bpf.LoadMemShift{Off: offIPv4}},
		{ins: bpf.LoadIndirect{Off: offIPv4 + offUDPDstPort, Size: 2}},
		{ins: bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(port)}},
	}
}

// assembleFilter appends "accept" and "reject" to steps, points each
// JumpIf's rejecting branch at "reject" and assembles the program.
func assembleFilter(steps []filterStep) ([]bpf.RawInstruction, error) {
	reject := len(steps) + 1
	prog := make([]bpf.Instruction, 0, reject+1)
	for i, s := range steps {
		ins := s.ins
		if j, ok := ins.(bpf.JumpIf); ok {
			skip := reject - i - 1
			if skip > 255 {
				return nil, fmt.Errorf("jump of %d instructions is too long", skip)
			}
			if s.rejectIfTrue {
				j.SkipTrue = uint8(skip)
			} else {
				j.SkipFalse = uint8(skip)
			}
			ins = j
		}
		prog = append(prog, ins)
	}
	prog = append(prog, bpf.RetConstant{Val: filterSnapLen}, bpf.RetConstant{Val: 0})
	return bpf.Assemble(prog)
}
