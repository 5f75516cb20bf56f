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
	raw          bool // a JumpIf whose skips are set already: assembleFilter keeps them
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

// RelayFilter returns the filter of a downstream packet socket that relays
// DHCP and forwards the UDP broadcasts of ports. Without ports it is
// DHCPServerFilter, instruction for instruction: an interface that
// forwards nothing but DHCP pays nothing for the feature. With ports, a
// frame that DHCPServerFilter would reject for its port passes when its
// port is one of ports and its packet type is broadcast (an Ethernet
// broadcast: the limited or a directed broadcast from the link), so that
// unicast traffic the router forwards to those ports (DNS queries to
// a resolver elsewhere) never reaches user space. At most 64 ports.
func RelayFilter(ifindex int, ports []uint16) ([]bpf.RawInstruction, error) {
	if len(ports) == 0 {
		return DHCPServerFilter(ifindex)
	}
	if ifindex < 0 {
		return nil, fmt.Errorf("failed to build packet filter: bad interface index %d", ifindex)
	}
	if len(ports) > maxFilterPorts {
		return nil, fmt.Errorf("failed to build packet filter: %d UDP ports, more than %d", len(ports), maxFilterPorts)
	}
	prog, err := assembleFilter(portTests(append(incomingSteps(ifindex), udpPortSteps(dhcpServerPort)...), ports))
	if err != nil {
		return nil, fmt.Errorf("failed to build packet filter: %w", err)
	}
	return prog, nil
}

// maxFilterPorts bounds RelayFilter's ports, so every jump stays short.
const maxFilterPorts = 64

// dhcpServerPort is the BOOTP server port (RFC 951).
const dhcpServerPort = 67

// portTests rewrites the last step of steps, the test for port 67, so that
// port 67 jumps to "accept" and any other port to a test of each port of
// ports, whose match jumps to the broadcast test, and adds those steps:
//
//	jeq 67 → accept | jeq p1 → bcast | … | jeq pn → bcast, else reject
//	bcast: A = packet type; jeq PACKET_BROADCAST → accept, else reject
//
// assembleFilter places "accept" right after the last step.
func portTests(steps []filterStep, ports []uint16) []filterStep {
	n := len(ports)
	last := len(steps) - 1
	// From the test of 67, accept is past n port tests and 2 bcast steps.
	steps[last] = filterStep{ins: bpf.JumpIf{Cond: bpf.JumpEqual, Val: dhcpServerPort, SkipTrue: uint8(n + 2)}, raw: true}
	for i, p := range ports {
		j := bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(p), SkipTrue: uint8(n - 1 - i)}
		if i == n-1 {
			steps = append(steps, filterStep{ins: j}) // false: reject
			continue
		}
		steps = append(steps, filterStep{ins: j, raw: true})
	}
	return append(steps,
		filterStep{ins: bpf.LoadExtension{Num: bpf.ExtType}},
		filterStep{ins: bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.PACKET_BROADCAST}},
	)
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
		if j, ok := ins.(bpf.JumpIf); ok && !s.raw {
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
