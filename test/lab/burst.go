package lab

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"golang.org/x/sys/unix"
)

// BurstSpec is a burst of new clients that all start at once.
type BurstSpec struct {
	// Clients is how many clients start (at most 65536).
	Clients int
	// ID tells bursts of one test apart: client i has MAC 02:b5:ID:00:hi:lo
	// and transaction ids ID<<24 | i, so two bursts with different IDs never
	// share a client.
	ID byte
	// Retransmit is how long a client waits for an answer before it sends
	// again (default 4 s, a real client's first back-off).
	Retransmit time.Duration
	// Retries is how often a client retransmits a DISCOVER or a REQUEST
	// before it gives up that step (default 3). A REQUEST that is never
	// answered, or is NAKed, sends the client back to DISCOVER once.
	Retries int
	// Timeout bounds the whole burst (default: what the retries take, twice).
	Timeout time.Duration
	// Rate, when set, is how many clients start a second: client i sends
	// its first DISCOVER i/Rate seconds after the first (a storm arriving
	// at that pace); 0 starts them all at once.
	Rate int
	// Rebind, when set, makes the burst's clients these bound ones
	// (Clients and ID are then ignored): each broadcasts a REBINDING
	// REQUEST for its address (ciaddr set, no server identifier), as a
	// client does when the server that gave its lease is gone, and is
	// bound again when an ACK for that address comes.
	Rebind []BurstLease
}

// BurstLease is a client of a burst that was bound.
type BurstLease struct {
	MAC net.HardwareAddr
	// ClientID is the client identifier (option 61) a rebinding client
	// sends, as the real client it stands for did; none when nil.
	ClientID []byte
	Addr     netip.Addr
	Server   netip.Addr
	// Began is when the client sent its first DISCOVER, Bound when its
	// ACK arrived.
	Began, Bound time.Time
}

// BoundWithin counts the clients bound less than d after their first
// DISCOVER; with d twice Retransmit, those bound before the deadline of
// their first retransmission.
func (r BurstResult) BoundWithin(d time.Duration) int {
	n := 0
	for _, l := range r.Leases {
		if l.Bound.Sub(l.Began) < d {
			n++
		}
	}
	return n
}

// BurstResult is how a burst went.
type BurstResult struct {
	// Leases are the bound clients, in the order they were bound.
	Leases []BurstLease
	// Unbound are the MACs of the clients that gave up or ran out of time.
	Unbound []string
	// Start is when the first DISCOVER left; End when the burst ended.
	Start, End time.Time
}

// Rate is the bound clients per second, from Start to the last ACK.
func (r BurstResult) Rate() float64 {
	if len(r.Leases) == 0 {
		return 0
	}
	d := r.Leases[len(r.Leases)-1].Bound.Sub(r.Start)
	if d <= 0 {
		return 0
	}
	return float64(len(r.Leases)) / d.Seconds()
}

// burstPhase is where one client of a burst is.
type burstPhase int

const (
	burstSelecting burstPhase = iota
	burstRequesting
	burstBound
	burstFailed
	burstRebinding
)

// burstClient is one client of a burst: its own MAC and transaction, the
// offer it took, and its retransmission state.
type burstClient struct {
	mac      net.HardwareAddr
	clientID []byte // option 61, when set
	xid      dhcpv4.TransactionID
	phase    burstPhase
	offer    netip.Addr
	server   netip.Addr
	began    time.Time // of the current DORA, for the secs field
	first    time.Time // of the first DISCOVER
	sent     int       // transmissions of the current message
	next     time.Time // when to retransmit
	restarts int
}

// burstTick is how often a burst checks for clients due to retransmit;
// paceTick how often a paced burst starts the clients due.
const (
	burstTick = 50 * time.Millisecond
	paceTick  = time.Millisecond
)

// Burst runs spec.Clients DHCP clients at once on ifname in ns (a host on a
// switch, which it puts into promiscuous mode to receive the replies
// unicast to the clients' MACs) and returns when every client is bound or
// has given up. Each behaves as a real client does: it broadcasts a
// DISCOVER (broadcast flag clear, secs counting up), requests the first
// offered address from the offering server's identifier, and retransmits
// an unanswered message after Retransmit, Retries times.
func (l *Lab) Burst(ns, ifname string, spec BurstSpec) BurstResult {
	l.t.Helper()
	spec = spec.withDefaults()
	if len(spec.Rebind) > 0 {
		spec.Clients = len(spec.Rebind)
	}
	if spec.Clients <= 0 || spec.Clients > 1<<16 {
		l.t.Fatalf("failed to start a burst: %d clients, want 1..65536", spec.Clients)
	}
	l.ipIn(ns, "link", "set", ifname, "promisc", "on")
	fd := l.burstSocket(ns, ifname)
	replies := make(chan *dhcpv4.DHCPv4, 4*spec.Clients)
	stop := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		readReplies(fd, replies, stop)
	}()
	defer func() {
		close(stop)
		<-readerDone
		unix.Close(fd)
	}()
	res, err := runBurst(fd, spec, replies)
	if err != nil {
		l.t.Fatalf("burst on %s: %v", at(ns, ifname), err)
	}
	l.t.Logf("burst of %d clients on %s: %d bound, %d not, in %s (%.0f leases/s)",
		spec.Clients, at(ns, ifname), len(res.Leases), len(res.Unbound), res.End.Sub(res.Start).Round(time.Millisecond), res.Rate())
	return res
}

func (s BurstSpec) withDefaults() BurstSpec {
	if s.Retransmit <= 0 {
		s.Retransmit = 4 * time.Second
	}
	if s.Retries <= 0 {
		s.Retries = 3
	}
	if s.Timeout <= 0 {
		s.Timeout = 2 * 2 * time.Duration(s.Retries+1) * s.Retransmit
	}
	return s
}

// burstSocket opens an AF_PACKET socket for IPv4 frames on ifname in ns,
// with a receive timeout so that its reader can stop.
func (l *Lab) burstSocket(ns, ifname string) int {
	l.t.Helper()
	fd := -1
	err := InNS(ns, func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		s, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_IP)))
		if err != nil {
			return err
		}
		tv := unix.NsecToTimeval(int64(burstTick))
		if err := errors.Join(
			unix.Bind(s, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IP), Ifindex: ifi.Index}),
			unix.SetsockoptTimeval(s, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv),
			unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20),
		); err != nil {
			unix.Close(s)
			return err
		}
		fd = s
		return nil
	})
	if err != nil {
		l.t.Fatalf("failed to open packet socket on %q in %s: %v", ifname, ns, err)
	}
	return fd
}

// readReplies reads frames until stop is closed, and passes on the DHCP
// replies to port 68 (the clients' own requests, looped back, are not).
func readReplies(fd int, out chan<- *dhcpv4.DHCPv4, stop <-chan struct{}) {
	buf := make([]byte, 1<<16)
	for {
		select {
		case <-stop:
			return
		default:
		}
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			continue // the receive timeout, or a signal: look at stop again
		}
		f, err := ParseFrame(buf[:n])
		if err != nil || f.Dst.Port() != 68 {
			continue
		}
		d, err := dhcpv4.FromBytes(f.Payload)
		if err != nil || d.OpCode != dhcpv4.OpcodeBootReply {
			continue
		}
		select {
		case out <- d:
		case <-stop:
			return
		}
	}
}

// runBurst starts every client and drives them until all are done or the
// time is up.
func runBurst(fd int, spec BurstSpec, replies <-chan *dhcpv4.DHCPv4) (BurstResult, error) {
	res := BurstResult{Start: time.Now()}
	clients := make([]*burstClient, spec.Clients)
	byMAC := make(map[string]*burstClient, spec.Clients)
	for i := range clients {
		c := &burstClient{
			mac: net.HardwareAddr{0x02, 0xb5, spec.ID, 0, byte(i >> 8), byte(i)},
			xid: XID(uint32(spec.ID)<<24 | uint32(i)),
		}
		if i < len(spec.Rebind) {
			c.mac, c.phase, c.offer, c.began = spec.Rebind[i].MAC, burstRebinding, spec.Rebind[i].Addr, time.Now()
			c.clientID = spec.Rebind[i].ClientID
		}
		clients[i], byMAC[c.mac.String()] = c, c
	}
	started, err := startDue(fd, spec, clients, 0, res.Start, time.Now())
	if err != nil {
		return res, err
	}
	tick := time.NewTicker(burstTick)
	defer tick.Stop()
	pace := time.NewTicker(paceTick)
	defer pace.Stop()
	deadline := time.After(spec.Timeout)
	for pending := spec.Clients; pending > 0; {
		select {
		case now := <-pace.C:
			if started, err = startDue(fd, spec, clients, started, res.Start, now); err != nil {
				return res, err
			}
		case d := <-replies:
			c := byMAC[d.ClientHWAddr.String()]
			if c == nil || d.TransactionID != c.xid {
				continue
			}
			done, err := c.reply(fd, spec, d, &res)
			if err != nil {
				return res, err
			}
			if done {
				pending--
			}
		case now := <-tick.C:
			n, err := retransmit(fd, spec, clients, now)
			if err != nil {
				return res, err
			}
			pending -= n
		case <-deadline:
			pending = 0
		}
	}
	res.End = time.Now()
	for _, c := range clients {
		if c.phase != burstBound {
			res.Unbound = append(res.Unbound, c.mac.String())
		}
	}
	return res, nil
}

// startDue starts clients[from:] that are due at now (all of them when
// spec.Rate is 0), and returns how many are started.
func startDue(fd int, spec BurstSpec, clients []*burstClient, from int, start, now time.Time) (int, error) {
	i := from
	for ; i < len(clients); i++ {
		if spec.Rate > 0 && now.Before(start.Add(time.Duration(i)*time.Second/time.Duration(spec.Rate))) {
			break
		}
		c := clients[i]
		c.first = now
		if c.phase == burstRebinding {
			if err := c.send(fd, spec, now); err != nil {
				return i, err
			}
			continue
		}
		if err := c.discover(fd, spec, now); err != nil {
			return i, err
		}
	}
	return i, nil
}

// retransmit resends what is due and returns how many clients gave up.
func retransmit(fd int, spec BurstSpec, clients []*burstClient, now time.Time) (int, error) {
	gaveUp := 0
	for _, c := range clients {
		if (c.phase != burstSelecting && c.phase != burstRequesting && c.phase != burstRebinding) || c.first.IsZero() || now.Before(c.next) {
			continue
		}
		switch {
		case c.sent <= spec.Retries:
			if err := c.send(fd, spec, now); err != nil {
				return gaveUp, err
			}
		case c.phase == burstRequesting && c.restarts == 0:
			c.restarts++
			if err := c.discover(fd, spec, now); err != nil {
				return gaveUp, err
			}
		default:
			c.phase = burstFailed
			gaveUp++
		}
	}
	return gaveUp, nil
}

// reply handles a reply to the client's transaction and reports whether the
// client is done (bound, or given up after a NAK).
func (c *burstClient) reply(fd int, spec BurstSpec, d *dhcpv4.DHCPv4, res *BurstResult) (bool, error) {
	now := time.Now()
	switch {
	case c.phase == burstSelecting && d.MessageType() == dhcpv4.MessageTypeOffer:
		c.phase, c.offer, c.sent = burstRequesting, addrOf(d.YourIPAddr), 0
		if sid := d.ServerIdentifier(); sid != nil {
			c.server, _ = netip.AddrFromSlice(sid.To4())
		}
		return false, c.send(fd, spec, now)
	case c.phase == burstRebinding && d.MessageType() == dhcpv4.MessageTypeAck && addrOf(d.YourIPAddr) == c.offer:
		if sid := d.ServerIdentifier(); sid != nil {
			c.server, _ = netip.AddrFromSlice(sid.To4())
		}
		c.phase = burstBound
		res.Leases = append(res.Leases, BurstLease{MAC: c.mac, ClientID: c.clientID, Addr: c.offer, Server: c.server, Began: c.first, Bound: now})
		return true, nil
	case c.phase == burstRebinding && d.MessageType() == dhcpv4.MessageTypeNak:
		c.phase = burstFailed
		return true, nil
	case c.phase == burstRequesting && d.MessageType() == dhcpv4.MessageTypeAck && addrOf(d.YourIPAddr) == c.offer:
		c.phase = burstBound
		res.Leases = append(res.Leases, BurstLease{MAC: c.mac, Addr: c.offer, Server: c.server, Began: c.first, Bound: now})
		return true, nil
	case c.phase == burstRequesting && d.MessageType() == dhcpv4.MessageTypeNak:
		if c.restarts > 0 {
			c.phase = burstFailed
			return true, nil
		}
		c.restarts++
		return false, c.discover(fd, spec, now)
	}
	return false, nil
}

// discover starts a new DORA with a DISCOVER.
func (c *burstClient) discover(fd int, spec BurstSpec, now time.Time) error {
	c.phase, c.began, c.sent, c.offer, c.server = burstSelecting, now, 0, netip.Addr{}, netip.Addr{}
	return c.send(fd, spec, now)
}

// send transmits the client's current message (DISCOVER or REQUEST) and
// schedules its retransmission.
func (c *burstClient) send(fd int, spec BurstSpec, now time.Time) error {
	mods := []dhcpv4.Modifier{
		dhcpv4.WithTransactionID(c.xid), dhcpv4.WithHwAddr(c.mac),
		dhcpv4.WithRequestedOptions(dhcpv4.OptionSubnetMask, dhcpv4.OptionRouter, dhcpv4.OptionDomainNameServer),
		func(d *dhcpv4.DHCPv4) { d.NumSeconds = uint16(min(now.Sub(c.began)/time.Second, 0xffff)) },
	}
	if c.clientID != nil {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptClientIdentifier(c.clientID)))
	}
	switch c.phase {
	case burstSelecting:
		mods = append(mods, dhcpv4.WithMessageType(dhcpv4.MessageTypeDiscover))
	case burstRebinding:
		mods = append(mods, dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
			dhcpv4.WithClientIP(c.offer.AsSlice()), dhcpv4.WithBroadcast(true))
	default:
		mods = append(mods, dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
			dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(c.offer.AsSlice())),
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(c.server.AsSlice())))
	}
	d, err := dhcpv4.New(mods...)
	if err != nil {
		return fmt.Errorf("failed to build a request of %s: %w", c.mac, err)
	}
	b, err := BroadcastFromClient(c.mac, d.ToBytes()).Marshal()
	if err != nil {
		return err
	}
	if _, err := unix.Write(fd, b); err != nil && !errors.Is(err, unix.ENOBUFS) && !errors.Is(err, unix.EAGAIN) {
		return fmt.Errorf("failed to send a request of %s: %w", c.mac, err)
	}
	c.sent++
	c.next = now.Add(spec.Retransmit)
	return nil
}
