package ddns

import (
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/miekg/dns"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/trace"
)

// Defaults of Config's zero values.
const (
	DefaultQueueMax    = 1024
	DefaultBackoff     = time.Second
	DefaultMaxBackoff  = time.Minute
	DefaultTimeout     = 2 * time.Second
	DefaultMaxAttempts = 30
	minTTL             = 60 // seconds: a record lives a third of the lease, not less than this
)

// Config is one scope's dynamic DNS settings.
type Config struct {
	Iface       string         // the scope's interface; names the durable state
	ForwardZone string         // zone of the A records; "" for none
	ReverseZone string         // zone of the PTR records; "" for none
	Server      netip.AddrPort // primary server of both zones
	Key         Key
	Rules       NameRules
	QueueMax    int           // updates waiting at most; 0 means DefaultQueueMax
	Backoff     time.Duration // first retry delay, doubled per failure; 0 means DefaultBackoff
	MaxBackoff  time.Duration // 0 means DefaultMaxBackoff
	Timeout     time.Duration // per update; 0 means DefaultTimeout
	MaxAttempts int           // then the update is given up; 0 means DefaultMaxAttempts
	Tracer      *trace.Tracer // receives every step sent (`debug packets`); nil traces nothing
}

// MetaStore is where the Updater keeps its queue and registrations, so
// that a restart forgets no pending add or removal (leasestore.Store is
// one).
type MetaStore interface {
	GetMeta(key string) ([]byte, error)
	PutMeta(key string, value []byte) error
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// op is one queued transaction: the add or removal of a registration, at
// its current step.
type op struct {
	Add      bool      `json:"add"`
	Reg      Reg       `json:"reg"`
	Step     int       `json:"step"`
	Attempts int       `json:"attempts"`
	Next     time.Time `json:"next"`
}

// durable is the Updater's state as stored.
type durable struct {
	Regs []Reg `json:"regs"`
	Ops  []op  `json:"ops"`
}

// Updater registers one scope's leases in DNS. Ack and Reconcile are
// called by the scope's fallback worker and never block on the network;
// Run is the one goroutine that sends the updates. Status may be called
// from anywhere.
type Updater struct {
	cfg    Config
	store  MetaStore
	clock  Clock
	log    *slog.Logger
	client *dns.Client
	wake   chan struct{}

	persistMu sync.Mutex // orders the stores of the state: a later snapshot is never overwritten by an earlier one
	mu        sync.Mutex
	regs      map[netip.Addr]Reg
	ops       []*op
	dirty     bool
	stats     Status
}

// New returns the Updater of cfg with its state loaded from store.
func New(cfg Config, store MetaStore, clock Clock, log *slog.Logger) (*Updater, error) {
	if cfg.QueueMax <= 0 {
		cfg.QueueMax = DefaultQueueMax
	}
	cfg.Backoff = orDefault(cfg.Backoff, DefaultBackoff)
	cfg.MaxBackoff = orDefault(cfg.MaxBackoff, DefaultMaxBackoff)
	cfg.Timeout = orDefault(cfg.Timeout, DefaultTimeout)
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := &Updater{
		cfg: cfg, store: store, clock: clock, log: log.With("iface", cfg.Iface, "part", "ddns"),
		client: &dns.Client{Net: "udp", Timeout: cfg.Timeout, TsigSecret: map[string]string{cfg.Key.Name: cfg.Key.Secret}},
		wake:   make(chan struct{}, 1), regs: make(map[netip.Addr]Reg), stats: newStatus(),
	}
	if err := u.load(); err != nil {
		return nil, err
	}
	return u, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// metaKey names the Updater's state in the store.
func (u *Updater) metaKey() string { return "ddns/" + u.cfg.Iface }

// load restores the registrations and the queue.
func (u *Updater) load() error {
	data, err := u.store.GetMeta(u.metaKey())
	if err != nil || data == nil {
		return err
	}
	var d durable
	if err := json.Unmarshal(data, &d); err != nil {
		u.log.Warn("ignored unreadable dynamic DNS state", "err", err)
		return nil
	}
	for _, r := range d.Regs {
		u.regs[r.Addr] = r
	}
	for i := range d.Ops {
		o := d.Ops[i]
		o.Next = time.Time{} // retry at once after a restart
		u.ops = append(u.ops, &o)
	}
	u.log.Info("dynamic DNS state loaded", "registered", len(u.regs), "pending", len(u.ops))
	return nil
}

// Ack registers the client of a committed ACK (req answered by reply): it
// chooses the name, puts the option 81 answer into reply when the client
// sent one, and queues the updates when the name or address changed. The
// caller sends reply afterwards.
func (u *Updater) Ack(req, reply *dhcpv4.DHCPv4) {
	addr, ok := netip.AddrFromSlice(reply.YourIPAddr.To4())
	if !ok || !addr.IsValid() {
		return
	}
	gen := GeneratedName(u.cfg.Rules.GeneratedName, addr, u.cfg.Rules.Domain, u.cfg.Rules.ReplaceChar)
	var opt81 []byte
	if req.Options.Has(dhcpv4.OptionFQDN) {
		opt81 = req.Options.Get(dhcpv4.OptionFQDN)
		if opt81 == nil {
			opt81 = []byte{}
		}
	}
	c := u.cfg.Rules.Choose(opt81, req.HostName(), gen)
	if c.Reply != nil {
		reply.UpdateOption(dhcpv4.OptGeneric(dhcpv4.OptionFQDN, c.Reply))
	}
	cid := req.Options.Get(dhcpv4.OptionClientIdentifier)
	r, ok := u.regOf(addr, c, cid, byte(req.HWType), req.ClientHWAddr, reply.IPAddressLeaseTime(0))
	u.mu.Lock()
	defer u.mu.Unlock()
	old, had := u.regs[addr]
	if had && ok && old.same(r) {
		return // a renewal: nothing changed
	}
	if had {
		delete(u.regs, addr)
		u.push(&op{Reg: old, Step: old.firstStep(false)})
	}
	if ok && u.push(&op{Add: true, Reg: r, Step: r.firstStep(true)}) {
		u.regs[addr] = r
	}
}

// regOf builds the registration of a chosen name; ok is false when there
// is nothing to register.
func (u *Updater) regOf(addr netip.Addr, c Choice, cid []byte, htype byte, chaddr []byte, lease time.Duration) (Reg, bool) {
	if c.FQDN == "" {
		return Reg{}, false
	}
	id, err := DHCID(cid, htype, chaddr, c.FQDN)
	if err != nil {
		return Reg{}, false
	}
	ttl := max(uint32(lease/time.Second/3), minTTL)
	r := Reg{Addr: addr, FQDN: c.FQDN, DHCID: id, TTL: ttl, Client: clientKey(cid, chaddr)}
	r.Forward = c.Forward && u.cfg.ForwardZone != "" && dns.IsSubDomain(dns.Fqdn(u.cfg.ForwardZone), c.FQDN)
	r.Reverse = u.cfg.ReverseZone != "" && dns.IsSubDomain(dns.Fqdn(u.cfg.ReverseZone), reverseName(addr))
	if c.Forward && !r.Forward {
		u.log.Warn("name outside the forward zone: no A record", "fqdn", c.FQDN, "zone", u.cfg.ForwardZone)
	}
	return r, r.Forward || r.Reverse
}

// clientKey is how a registration remembers its client: the client
// identifier when sent, else chaddr, in hex.
func clientKey(cid, chaddr []byte) string {
	if len(cid) > 0 {
		return "id:" + hex.EncodeToString(cid)
	}
	return "hw:" + hex.EncodeToString(chaddr)
}

// push queues o; a full queue drops it, counts and reports false. u.mu is
// held.
func (u *Updater) push(o *op) bool {
	if len(u.ops) >= u.cfg.QueueMax {
		u.stats.QueueFull++
		u.log.Warn("dynamic DNS queue full; update dropped", "fqdn", o.Reg.FQDN, "addr", o.Reg.Addr, "add", o.Add)
		return false
	}
	u.ops = append(u.ops, o)
	u.dirty = true
	select {
	case u.wake <- struct{}{}:
	default:
	}
	return true
}

// Reconcile removes the records of every registered address that leases
// no longer show bound to the client it was registered for: released,
// declined, expired or taken over. leases are the server's current
// records (fallback.Server.Leases).
func (u *Updater) Reconcile(leases []leasestore.Lease, now time.Time) {
	bound := make(map[netip.Addr]string, len(leases))
	for _, l := range leases {
		if l.State == leasestore.StateBound && now.Before(l.Expiry) {
			bound[l.Addr] = clientKey(l.ClientID, l.MAC)
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for addr, r := range u.regs {
		if bound[addr] == r.Client {
			continue
		}
		delete(u.regs, addr)
		u.push(&op{Reg: r, Step: r.firstStep(false)})
	}
}
