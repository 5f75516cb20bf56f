package config

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"time"
)

// rawFailover is the top-level failover: block. Durations are
// ParseDuration strings (days allowed).
type rawFailover struct {
	Role              *string `yaml:"role,omitempty"`
	Name              *string `yaml:"name,omitempty"`
	Listen            *string `yaml:"listen,omitempty"`
	Peer              *string `yaml:"peer,omitempty"`
	KeyFile           *string `yaml:"key-file,omitempty"`
	TLSCert           *string `yaml:"tls-cert,omitempty"`
	TLSKey            *string `yaml:"tls-key,omitempty"`
	TLSCA             *string `yaml:"tls-ca,omitempty"`
	MCLT              *string `yaml:"mclt,omitempty"`
	Heartbeat         *string `yaml:"heartbeat,omitempty"`
	MaxResponseDelay  *string `yaml:"max-response-delay,omitempty"`
	StartupDelay      *string `yaml:"startup-delay,omitempty"`
	MaxAckDelay       *string `yaml:"max-ack-delay,omitempty"`
	AutoPartnerDown   *string `yaml:"auto-partner-down,omitempty"`
	UnansweredClients *int    `yaml:"unanswered-clients,omitempty"`
	SecsThreshold     *string `yaml:"secs-threshold,omitempty"`
	MaxPendingUpdates *int    `yaml:"max-pending-updates,omitempty"`
	Split             *int    `yaml:"split,omitempty"`
	StandbyShare      *int    `yaml:"standby-share,omitempty"`
	SecondaryDelay    *string `yaml:"secondary-delay,omitempty"`
}

// The ranges of the failover block's duration keys (see defaults.go).
var (
	ruleMCLT             = durationRule{lo: MinMCLT, hi: MaxMCLT}
	ruleHeartbeat        = durationRule{lo: MinHeartbeat, hi: MaxHeartbeat}
	ruleMaxResponseDelay = durationRule{lo: MinHeartbeat, hi: MaxMaxResponseDelay}
	ruleStartupDelay     = durationRule{hi: MaxStartupDelay}
	ruleMaxAckDelay      = durationRule{lo: MinMaxAckDelay, hi: MaxMaxAckDelay, hiOpen: true}
	ruleAutoPartnerDown  = durationRule{hi: MaxAutoPartnerDown}
	ruleFailoverSecs     = durationRule{lo: time.Second, hi: MaxSecsThreshold, whole: true}
	ruleSecondaryDelay   = durationRule{hi: MaxOfferDelay, hiOpen: true}
)

// failoverFlagged reports whether a flag of the failover: block was given:
// such a flag makes the block, as the file's failover: does.
func failoverFlagged(f Flags) bool {
	return f.FailoverRole != nil || f.FailoverListen != nil || f.FailoverPeer != nil || f.FailoverKeyFile != nil
}

// buildFailover validates the failover: block, with the failover flags
// over it key by key; present says whether there is one (the block, or a
// flag), even when it has errors.
func buildFailover(raw *rawFailover, f Flags, errs *errList) (fo Failover, present bool) {
	if raw == nil && !failoverFlagged(f) {
		return Failover{}, false
	}
	if raw == nil {
		raw = &rawFailover{}
	}
	fo.Role = failoverRoleKey(f.FailoverRole, raw.Role, errs)
	if raw.Name != nil {
		fo.Name = *raw.Name
		if err := checkFailoverName(fo.Name); err != nil {
			errs.addf("failover.name: ", "%w", err)
		}
	}
	var listenOK, peerOK bool
	fo.Listen, listenOK = failoverAddrKey(f.FailoverListen, "--failover-listen", raw.Listen, "listen", errs)
	fo.Peer, peerOK = failoverAddrKey(f.FailoverPeer, "--failover-peer", raw.Peer, "peer", errs)
	if listenOK && peerOK && fo.Listen == fo.Peer {
		errs.addf("failover: ", "listen and peer are both %s: the peer is the other node", fo.Listen)
	}
	failoverAuth(&fo, f.FailoverKeyFile, raw, errs)
	failoverTimes(&fo, raw, errs)
	fo.UnansweredClients = intOr(intKey(raw.UnansweredClients, 1, MaxUnansweredClients, "failover.unanswered-clients: ", errs), DefaultUnansweredClients)
	fo.MaxPendingUpdates = intOr(intKey(raw.MaxPendingUpdates, 1, MaxMaxPendingUpdates, "failover.max-pending-updates: ", errs), DefaultMaxPendingUpdates)
	fo.Split = intOr(intKey(raw.Split, 0, 100, "failover.split: ", errs), DefaultSplit)
	fo.StandbyShare = intOr(intKey(raw.StandbyShare, 1, MaxStandbyShare, "failover.standby-share: ", errs), DefaultStandbyShare)
	return fo, true
}

// failoverRoleKey returns the role from the flag, else the file; it is
// required.
func failoverRoleKey(flag, file *string, errs *errList) FailoverRole {
	v, where := flag, "--failover-role: "
	if v == nil {
		v, where = file, "failover.role: "
	}
	if v == nil {
		errs.addf("failover.role: ", "missing: give primary or secondary (or --failover-role)")
		return FailoverNoRole
	}
	r, err := ParseFailoverRole(*v)
	if err != nil {
		errs.addf(where, "%w", err)
		return FailoverNoRole
	}
	return r
}

// checkFailoverName checks the relationship's name: printable, short.
func checkFailoverName(s string) error {
	if len(s) > 64 {
		return fmt.Errorf("%d bytes, more than 64", len(s))
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return fmt.Errorf("%q holds a control character", s)
		}
	}
	return nil
}

// failoverAddrKey parses listen or peer (key), the flag fk over the file;
// it is required. ok is false when it is missing or invalid.
func failoverAddrKey(flag *string, fk string, file *string, key string, errs *errList) (netip.AddrPort, bool) {
	v, where := flag, fk+": "
	if v == nil {
		v, where = file, "failover."+key+": "
	}
	if v == nil {
		errs.addf("failover."+key+": ", "missing: give ADDR or ADDR:PORT (or %s-%s)", "--failover", key)
		return netip.AddrPort{}, false
	}
	ap, err := ParseFailoverAddr(*v)
	if err != nil {
		errs.addf(where, "%w", err)
		return netip.AddrPort{}, false
	}
	return ap, true
}

// ParseFailoverAddr parses a failover listen or peer address: "ADDR" (port
// 647, IANA's dhcp-failover) or "ADDR:PORT" ("[ADDR]:PORT" for IPv6). The
// address is unicast, not unspecified.
func ParseFailoverAddr(s string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		a, aerr := netip.ParseAddr(s)
		if aerr != nil && !strings.Contains(s, ":") {
			// no port: say what is wrong with the address
			return netip.AddrPort{}, fmt.Errorf("%q is not ADDR or ADDR:PORT: %s", s, whyNotIPv4(s))
		}
		if aerr != nil {
			return netip.AddrPort{}, fmt.Errorf("%q is not ADDR or ADDR:PORT (a port from 1 to 65535, [ADDR]:PORT for IPv6)", s)
		}
		ap = netip.AddrPortFrom(a, DefaultFailoverPort)
	}
	a := ap.Addr().Unmap()
	switch {
	case a.IsUnspecified():
		return netip.AddrPort{}, fmt.Errorf("%q: %s is unspecified: give the address the partner connects to", s, a)
	case a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return netip.AddrPort{}, fmt.Errorf("%q: %s is not a unicast address", s, a)
	case ap.Port() == 0:
		return netip.AddrPort{}, fmt.Errorf("%q: port 0", s)
	}
	return netip.AddrPortFrom(a, ap.Port()), nil
}

// failoverAuth sets the authentication: key-file (the flag over the file)
// or all three of tls-cert, tls-key and tls-ca, never both.
func failoverAuth(fo *Failover, keyFlag *string, raw *rawFailover, errs *errList) {
	key, keyWhere := keyFlag, "--failover-key-file: "
	if key == nil {
		key, keyWhere = raw.KeyFile, "failover.key-file: "
	}
	tls := raw.TLSCert != nil || raw.TLSKey != nil || raw.TLSCA != nil
	switch {
	case key != nil && tls:
		errs.addf("failover: ", "key-file and tls-cert, tls-key, tls-ca are mutually exclusive: authenticate by one of them")
	case key != nil:
		fo.KeyFile = pathKey(*key, keyWhere, errs)
	case !tls:
		errs.addf("failover: ", "authentication missing: give key-file (or --failover-key-file), or tls-cert, tls-key and tls-ca")
	default:
		for _, k := range []struct {
			name string
			v    *string
			dst  *string
		}{{"tls-cert", raw.TLSCert, &fo.TLSCert}, {"tls-key", raw.TLSKey, &fo.TLSKey}, {"tls-ca", raw.TLSCA, &fo.TLSCA}} {
			if k.v == nil {
				errs.addf("failover."+k.name+": ", "missing: certificates need tls-cert, tls-key and tls-ca")
				continue
			}
			*k.dst = pathKey(*k.v, "failover."+k.name+": ", errs)
		}
	}
}

// pathKey checks a file path key: absolute (the daemon's working
// directory is no place to look for it), no NUL.
func pathKey(v, where string, errs *errList) string {
	switch {
	case v == "":
		errs.addf(where, "must not be empty")
	case strings.ContainsRune(v, 0):
		errs.addf(where, "%q holds a NUL byte", v)
	case !filepath.IsAbs(v):
		errs.addf(where, "%q is not an absolute path", v)
	}
	return v
}

// failoverTimes sets the durations, each from the file or its default,
// and checks those that depend on each other.
func failoverTimes(fo *Failover, raw *rawFailover, errs *errList) {
	d := func(s *string, r durationRule, key string, def time.Duration) time.Duration {
		if v := durationKey(s, r, "failover."+key+": ", errs); v != nil {
			return *v
		}
		return def
	}
	fo.MCLT = d(raw.MCLT, ruleMCLT, "mclt", DefaultMCLT)
	fo.Heartbeat = d(raw.Heartbeat, ruleHeartbeat, "heartbeat", DefaultHeartbeat)
	fo.MaxResponseDelay = d(raw.MaxResponseDelay, ruleMaxResponseDelay, "max-response-delay", DefaultMaxResponseDelay)
	fo.StartupDelay = d(raw.StartupDelay, ruleStartupDelay, "startup-delay", DefaultStartupDelay)
	fo.MaxAckDelay = d(raw.MaxAckDelay, ruleMaxAckDelay, "max-ack-delay", DefaultMaxAckDelay)
	fo.AutoPartnerDown = d(raw.AutoPartnerDown, ruleAutoPartnerDown, "auto-partner-down", DefaultAutoPartnerDown)
	fo.SecsThreshold = d(raw.SecsThreshold, ruleFailoverSecs, "secs-threshold", DefaultFailoverSecsThreshold)
	fo.SecondaryDelay = d(raw.SecondaryDelay, ruleSecondaryDelay, "secondary-delay", DefaultSecondaryDelay)
	if fo.MaxResponseDelay <= fo.Heartbeat {
		errs.addf("failover.max-response-delay: ", "%s must be more than heartbeat (%s)", fo.MaxResponseDelay, fo.Heartbeat)
	}
	if fo.MCLT < 2*fo.MaxResponseDelay {
		errs.addf("failover.mclt: ", "%s must be at least 2 × max-response-delay (%s)", fo.MCLT, 2*fo.MaxResponseDelay)
	}
	if fo.AutoPartnerDown != 0 && fo.AutoPartnerDown < fo.MaxResponseDelay {
		errs.addf("failover.auto-partner-down: ", "%s must be 0 (off) or at least max-response-delay (%s)", fo.AutoPartnerDown, fo.MaxResponseDelay)
	}
}

// intOr returns *v, or def when v is nil.
func intOr(v *int, def int) int {
	if v == nil {
		return def
	}
	return *v
}

// failoverModeKey parses an optional failover-mode.
func failoverModeKey(s *string, where string, errs *errList) *FailoverMode {
	if s == nil {
		return nil
	}
	m, err := ParseFailoverMode(*s)
	if err != nil {
		errs.addf(where, "%w", err)
		return nil
	}
	return &m
}

// scopeRoleKey parses an optional per-scope failover-role.
func scopeRoleKey(s *string, where string, errs *errList) *FailoverRole {
	if s == nil {
		return nil
	}
	r, err := ParseFailoverRole(*s)
	if err != nil {
		errs.addf(where, "%w", err)
		return nil
	}
	return &r
}
