package iface

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// ARP over Ethernet for IPv4 (RFC 826): the fields this package reads and
// writes, and their offsets in a whole frame.
const (
	arpLen      = 28
	arpFrameLen = etherHeaderLen + arpLen

	etherTypeARP   = 0x0806
	arpHTypeEther  = 1
	arpOpRequest   = 1
	arpOpReply     = 2
	arpAddrLens    = 6<<8 | 4 // hardware length 6, protocol length 4
	offARPHType    = etherHeaderLen
	offARPPType    = etherHeaderLen + 2
	offARPLens     = etherHeaderLen + 4
	offARPOp       = etherHeaderLen + 6
	offARPSenderHW = etherHeaderLen + 8
	offARPSenderIP = etherHeaderLen + 14
	offARPTargetIP = etherHeaderLen + 24
)

// Prober tells whether an IPv4 address is in use on a link: the conflict
// check the fallback server runs before it offers an address. *ARPProber
// implements it; tests of its callers use a fake.
type Prober interface {
	// InUse probes addr count times, waiting up to timeout after each
	// probe, and reports whether any host answered for it.
	InUse(ctx context.Context, addr netip.Addr, count int, timeout time.Duration) (bool, error)
	// Close releases the prober; it is idempotent.
	Close() error
}

var _ Prober = (*ARPProber)(nil)

// ARPProber checks addresses with ARP on one Ethernet interface, through an
// AF_PACKET socket that receives only incoming ARP frames for IPv4 over
// Ethernet (the filter is attached at Listen).
//
// A probe is an ARP request for the address with our own address as
// sender, as DHCP servers do for their conflict check (so that the owner's
// reply comes back unicast and no neighbour takes the probe for a claim of
// the address); with an unspecified sender it is an RFC 5227 probe. Any
// ARP frame whose sender address is the probed one (a reply, or a host
// announcing or defending it), or an RFC 5227 probe by another host for
// it, means the address is in use.
//
// InUse may be called concurrently: probes run one at a time. Close may be
// called at any time; a probe in progress then fails with net.ErrClosed.
type ARPProber struct {
	name   string
	mac    net.HardwareAddr
	src    netip.Addr
	conn   *packet.Conn
	sem    chan struct{} // held by the probe in progress
	closed atomic.Bool
}

// NewARPProber opens an ARP prober on ifi, an Ethernet interface (6-byte
// hardware address), whose probes carry src, our IPv4 address on that
// link, as sender (or 0.0.0.0 for RFC 5227 probes). It needs CAP_NET_RAW;
// errors name the interface and match ErrPermission or ErrLinkNotReady
// where they apply.
func NewARPProber(ifi *net.Interface, src netip.Addr) (*ARPProber, error) {
	switch {
	case ifi == nil || ifi.Index <= 0:
		return nil, errors.New("failed to open ARP socket: no interface index")
	case len(ifi.HardwareAddr) != 6:
		return nil, fmt.Errorf("failed to open ARP socket on %q: hardware address %q is not a 6-byte Ethernet address",
			ifi.Name, ifi.HardwareAddr)
	case !src.Is4():
		return nil, fmt.Errorf("failed to open ARP socket on %q: sender address %s is not IPv4", ifi.Name, src)
	}
	filter, err := arpFilter(ifi.Index)
	if err != nil {
		return nil, fmt.Errorf("failed to build ARP filter for %q: %w", ifi.Name, err)
	}
	conn, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_ARP, &packet.Config{Filter: filter})
	if err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) {
			err = opErr.Err
		}
		return nil, classify(fmt.Errorf("failed to open ARP socket on %q: %w", ifi.Name, err))
	}
	return &ARPProber{
		name: ifi.Name,
		mac:  bytes.Clone(ifi.HardwareAddr),
		src:  src,
		conn: conn,
		sem:  make(chan struct{}, 1),
	}, nil
}

// arpFilter is the classic BPF program of an ARPProber's socket: incoming
// frames (host, broadcast or multicast) received on ifindex itself that
// hold ARP for IPv4 over Ethernet, the whole frame accepted.
func arpFilter(ifindex int) ([]bpf.RawInstruction, error) {
	return assembleFilter(append(incomingSteps(ifindex), arpSteps()...))
}

// arpSteps checks that a frame is ARP for IPv4 over Ethernet.
func arpSteps() []filterStep {
	return []filterStep{
		{ins: bpf.LoadAbsolute{Off: offEtherType, Size: 2}},
		{ins: bpf.JumpIf{Cond: bpf.JumpEqual, Val: etherTypeARP}},
		{ins: bpf.LoadAbsolute{Off: offARPHType, Size: 4}},
		{ins: bpf.JumpIf{Cond: bpf.JumpEqual, Val: arpHTypeEther<<16 | etherTypeIPv4}},
		{ins: bpf.LoadAbsolute{Off: offARPLens, Size: 2}},
		{ins: bpf.JumpIf{Cond: bpf.JumpEqual, Val: arpAddrLens}},
	}
}

// InUse sends count ARP probes for addr, one after the other, each
// followed by a wait of up to timeout for an answer, and reports true as
// soon as a host answers for addr: false means no answer within
// count×timeout. count 0 turns the check off (false at once). addr equal
// to the prober's own address is in use. The wait ends early, with ctx's
// error, when ctx ends.
func (p *ARPProber) InUse(ctx context.Context, addr netip.Addr, count int, timeout time.Duration) (bool, error) {
	inUse, err := p.InUseAll(ctx, []netip.Addr{addr}, count, timeout)
	if err != nil {
		return false, err
	}
	return inUse[0], nil
}

// InUseAll is InUse for many addresses at once: each of count rounds sends
// a probe for every address not yet found in use, then waits up to
// timeout, reading every answer; it ends early when all are in use. So a
// burst of new clients costs one wait, not one per address. It reports,
// for each address of addrs in order, whether a host answered for it.
func (p *ARPProber) InUseAll(ctx context.Context, addrs []netip.Addr, count int, timeout time.Duration) ([]bool, error) {
	inUse := make([]bool, len(addrs))
	for i, addr := range addrs {
		switch {
		case !addr.Is4() || addr.IsUnspecified():
			return nil, fmt.Errorf("failed to probe %s on %q: not an IPv4 unicast address", addr, p.name)
		case timeout <= 0 && count > 0:
			return nil, fmt.Errorf("failed to probe %s on %q: timeout %s is not positive", addr, p.name, timeout)
		case addr == p.src:
			inUse[i] = true
		}
	}
	left := 0
	for _, u := range inUse {
		if !u {
			left++
		}
	}
	if count <= 0 || left == 0 {
		return inUse, nil
	}
	select {
	case p.sem <- struct{}{}:
		defer func() { <-p.sem }()
	case <-ctx.Done():
		return nil, p.probeError(ctx, addrs, ctx.Err())
	}
	w := &probeWaker{conn: p.conn}
	stop := context.AfterFunc(ctx, w.wake)
	defer stop()
	req := make([]byte, 0, arpFrameLen)
	buf := make([]byte, 256)
	for range count {
		for i, addr := range addrs {
			if inUse[i] {
				continue
			}
			if err := p.send(appendARPRequest(req[:0], p.mac, p.src, addr)); err != nil {
				return nil, p.probeError(ctx, addrs, err)
			}
		}
		var err error
		if left, err = p.wait(w, buf, addrs, inUse, left, time.Now().Add(timeout)); err != nil || left == 0 {
			if err != nil {
				return nil, p.probeError(ctx, addrs, err)
			}
			return inUse, nil
		}
	}
	return inUse, nil
}

// send writes one probe frame to the Ethernet broadcast address.
func (p *ARPProber) send(frame []byte) error {
	_, err := p.conn.WriteTo(frame, &packet.Addr{HardwareAddr: ethernetBroadcast})
	return err
}

// ethernetBroadcast is the destination of ARP requests.
var ethernetBroadcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// wait reads ARP frames until deadline passes or every address is in use,
// marking in inUse each address an answer shows in use; left is how many
// are not, and wait returns how many still are not.
func (p *ARPProber) wait(w *probeWaker, buf []byte, addrs []netip.Addr, inUse []bool, left int, deadline time.Time) (int, error) {
	if err := w.setDeadline(deadline); err != nil {
		return left, err
	}
	for left > 0 {
		n, _, err := p.conn.ReadFrom(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) && !w.woken() {
			return left, nil
		}
		if err != nil {
			return left, err
		}
		for i, addr := range addrs {
			if !inUse[i] && arpClaims(buf[:n], addr, p.mac) {
				inUse[i] = true
				left--
			}
		}
	}
	return 0, nil
}

// probeError wraps err, if any, naming the probe; ctx's error wins over
// the deadline error that cancelling it caused.
func (p *ARPProber) probeError(ctx context.Context, addrs []netip.Addr, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		err = ctx.Err()
	case p.closed.Load():
		err = net.ErrClosed
	}
	what := addrs[0].String()
	if len(addrs) > 1 {
		what = fmt.Sprintf("%s and %d more", what, len(addrs)-1)
	}
	return classify(fmt.Errorf("failed to probe %s on %q: %w", what, p.name, err))
}

// Close closes the socket. Closing a closed prober does nothing and
// returns nil.
func (p *ARPProber) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	if err := p.conn.Close(); err != nil {
		return fmt.Errorf("failed to close ARP socket on %q: %w", p.name, err)
	}
	return nil
}

// probeWaker ends a probe's wait when its context ends: it moves the read
// deadline into the past, and keeps it there against a later setDeadline.
type probeWaker struct {
	conn *packet.Conn
	mu   sync.Mutex
	done bool
}

// wake is run by context.AfterFunc when the context ends.
func (w *probeWaker) wake() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
	_ = w.conn.SetReadDeadline(time.Unix(1, 0))
}

// woken reports whether wake ran.
func (w *probeWaker) woken() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.done
}

// setDeadline sets the read deadline, unless wake already ran.
func (w *probeWaker) setDeadline(t time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return context.Canceled // replaced by ctx's own error
	}
	return w.conn.SetReadDeadline(t)
}

// appendARPRequest appends an Ethernet frame holding an ARP request from
// mac and src for target, broadcast, to b. It is 42 bytes long: like
// BuildUDP4, it leaves padding to the 60-byte minimum to the NIC.
func appendARPRequest(b []byte, mac net.HardwareAddr, src, target netip.Addr) []byte {
	b = append(b, ethernetBroadcast...)
	b = append(b, mac...)
	b = binary.BigEndian.AppendUint16(b, etherTypeARP)
	b = binary.BigEndian.AppendUint16(b, arpHTypeEther)
	b = binary.BigEndian.AppendUint16(b, etherTypeIPv4)
	b = binary.BigEndian.AppendUint16(b, arpAddrLens)
	b = binary.BigEndian.AppendUint16(b, arpOpRequest)
	b = append(b, mac...)
	s, t := src.As4(), target.As4()
	b = append(b, s[:]...)
	b = append(b, 0, 0, 0, 0, 0, 0) // target hardware address: unknown
	return append(b, t[:]...)
}

// arpClaims reports whether frame, any bytes, is an ARP request or reply
// for IPv4 over Ethernet that shows addr in use by a host other than ours:
// its sender address is addr (a reply, an announcement, a defence), or it
// is another host's RFC 5227 probe for addr (sender 0.0.0.0, target addr).
func arpClaims(frame []byte, addr netip.Addr, ours net.HardwareAddr) bool {
	if len(frame) < arpFrameLen ||
		binary.BigEndian.Uint16(frame[offEtherType:]) != etherTypeARP ||
		binary.BigEndian.Uint16(frame[offARPHType:]) != arpHTypeEther ||
		binary.BigEndian.Uint16(frame[offARPPType:]) != etherTypeIPv4 ||
		binary.BigEndian.Uint16(frame[offARPLens:]) != arpAddrLens {
		return false
	}
	op := binary.BigEndian.Uint16(frame[offARPOp:])
	if op != arpOpRequest && op != arpOpReply || bytes.Equal(frame[offARPSenderHW:offARPSenderHW+6], ours) {
		return false
	}
	sender := netip.AddrFrom4([4]byte(frame[offARPSenderIP : offARPSenderIP+4]))
	target := netip.AddrFrom4([4]byte(frame[offARPTargetIP : offARPTargetIP+4]))
	return sender == addr || op == arpOpRequest && sender.IsUnspecified() && target == addr
}
