package peer

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/iphelper/iphelper/relay/failover/wire"
)

// Defaults (docs/failover.md).
const (
	DefaultPort             = 647 // IANA's dhcp-failover
	DefaultHeartbeat        = time.Second
	DefaultMaxResponseDelay = 3 * time.Second
	DefaultMaxPending       = 4096
	defaultHandshake        = 5 * time.Second
	defaultMinBackoff       = 100 * time.Millisecond
	defaultMaxBackoff       = 5 * time.Second
	maxHandshakes           = 4 // connections authenticating at once
)

// Handler receives a Peer's events, on one goroutine and never concurrently.
// Its methods should return quickly: while one runs, the connection is not
// read.
type Handler interface {
	// Up: a connection is authenticated; hello is the partner's.
	Up(hello wire.Hello)
	// Down: the live connection ended, for reason.
	Down(reason string)
	// Message: a message of the live connection, heartbeats excepted. The
	// handler owns m.
	Message(m wire.Message)
}

// Config configures a Peer.
type Config struct {
	// Role is this node's role; the partner must have the other.
	Role wire.Role
	// Listen is this node's address on the pair link: a specific address,
	// never the unspecified one. Peer is the partner's. Both are used only
	// when Transport is nil.
	Listen, Peer netip.AddrPort
	// Transport, when set, replaces TCP on Listen and Peer (tests).
	Transport Transport
	// Auth is how the partner is authenticated (required).
	Auth Auth
	// Hello is sent on every connection (SetHello changes it); its Version
	// and Role are set by the Peer.
	Hello wire.Hello
	// Handler receives the events (required).
	Handler Handler
	// Heartbeat is the interval of heartbeats (DefaultHeartbeat);
	// MaxResponseDelay closes a connection without a message for that long
	// (DefaultMaxResponseDelay). HandshakeTimeout bounds authentication (5 s).
	Heartbeat, MaxResponseDelay, HandshakeTimeout time.Duration
	// MaxPending bounds the messages queued for sending (DefaultMaxPending).
	MaxPending int
	// MinBackoff and MaxBackoff bound the wait between dials (100 ms, 5 s).
	MinBackoff, MaxBackoff time.Duration
	// Log receives the connection's events (required).
	Log *slog.Logger
}

// withDefaults checks cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	switch {
	case cfg.Role > wire.RoleSecondary:
		return cfg, fmt.Errorf("failover peer: bad %s", cfg.Role)
	case cfg.Auth.client == nil:
		return cfg, errors.New("failover peer: no authentication configured")
	case cfg.Handler == nil || cfg.Log == nil:
		return cfg, errors.New("failover peer: a handler and a logger are required")
	}
	if cfg.Transport == nil {
		t, err := TCP(cfg.Listen, cfg.Peer)
		if err != nil {
			return cfg, err
		}
		cfg.Transport = t
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Heartbeat, DefaultHeartbeat)
	def(&cfg.MaxResponseDelay, DefaultMaxResponseDelay)
	def(&cfg.HandshakeTimeout, defaultHandshake)
	def(&cfg.MinBackoff, defaultMinBackoff)
	def(&cfg.MaxBackoff, defaultMaxBackoff)
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	return cfg, nil
}
