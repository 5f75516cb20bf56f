package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// rateSettings is one layer's rate-limit keys; nil is "not set here".
type rateSettings struct {
	interfaceRate, clientRate               *float64
	interfaceBurst, clientBurst, maxClients *int
	verifyCHAddr                            *bool
}

// rateUnits are the units a rate may be given in, as seconds per unit.
var rateUnits = map[string]float64{"s": 1, "m": 60, "h": 3600}

// ParseRate parses a request rate: "off" (unlimited, returned as 0), or a
// positive decimal number of requests per unit, the unit being s, m or h:
// "10/s", "600/m", "0.5/s". The result, in requests per second, lies within
// MinRate..MaxRate.
func ParseRate(s string) (float64, error) {
	if s == "off" {
		return 0, nil
	}
	num, unit, ok := strings.Cut(s, "/")
	per, known := rateUnits[unit]
	if !ok || !known {
		return 0, fmt.Errorf("bad rate %q: want N/s, N/m, N/h or off", s)
	}
	if num == "" || strings.Trim(num, "0123456789.") != "" {
		return 0, fmt.Errorf("bad rate %q: %q is not a decimal number", s, num)
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("bad rate %q: %q is not a decimal number", s, num)
	}
	r := n / per
	if r < MinRate || r > MaxRate {
		return 0, fmt.Errorf("rate %q is out of range 1/h..%s (write off for no limit)", s, FormatRate(MaxRate))
	}
	return r, nil
}

// FormatRate writes a rate in requests per second the way ParseRate reads
// it: "off" for 0, else e.g. "10/s".
func FormatRate(r float64) string {
	if r == 0 {
		return "off"
	}
	return strconv.FormatFloat(r, 'f', -1, 64) + "/s"
}

// defaultBurst is burstSeconds' worth of rate, at least 1 and at most
// MaxBurst; 0 for an unlimited rate.
func defaultBurst(rate float64) int {
	if rate == 0 {
		return 0
	}
	return int(min(max(math.Ceil(burstSeconds*rate), 1), MaxBurst))
}

// parseRateKey parses an optional rate key.
func parseRateKey(s *string, where string, errs *errList) *float64 {
	if s == nil {
		return nil
	}
	r, err := ParseRate(*s)
	if err != nil {
		errs.addf(where, "%w", err)
		return nil
	}
	return &r
}

// parseIntKey checks an optional integer key against lo..hi.
func parseIntKey(v *int, lo, hi int, where string, errs *errList) *int {
	if v == nil {
		return nil
	}
	if *v < lo || *v > hi {
		errs.addf(where, "%d is out of range %d..%d", *v, lo, hi)
		return nil
	}
	return v
}

// parseRateLimit checks a layer's rate-limit: block and verify-chaddr.
func parseRateLimit(r rawRateLimit, verify *bool, where string, errs *errList) rateSettings {
	w := where + "rate-limit: "
	return rateSettings{
		interfaceRate:  parseRateKey(r.Interface, w+"interface: ", errs),
		clientRate:     parseRateKey(r.Client, w+"client: ", errs),
		interfaceBurst: parseIntKey(r.InterfaceBurst, 1, MaxBurst, w+"interface-burst: ", errs),
		clientBurst:    parseIntKey(r.ClientBurst, 1, MaxBurst, w+"client-burst: ", errs),
		maxClients:     parseIntKey(r.MaxClients, 1, MaxMaxClients, w+"max-clients: ", errs),
		verifyCHAddr:   verify,
	}
}

// mergeRate fills the keys of m that l sets and m does not.
func mergeRate(m, l *rateSettings) {
	m.interfaceRate = first(m.interfaceRate, l.interfaceRate)
	m.clientRate = first(m.clientRate, l.clientRate)
	m.interfaceBurst = first(m.interfaceBurst, l.interfaceBurst)
	m.clientBurst = first(m.clientBurst, l.clientBurst)
	m.maxClients = first(m.maxClients, l.maxClients)
	m.verifyCHAddr = first(m.verifyCHAddr, l.verifyCHAddr)
}

// builtinRate is the built-in defaults; the bursts are left unset, to be
// derived from the rates they go with.
func builtinRate() rateSettings {
	return rateSettings{
		interfaceRate: ptr(DefaultInterfaceRate),
		clientRate:    ptr(DefaultClientRate),
		maxClients:    ptr(DefaultMaxClients),
		verifyCHAddr:  ptr(DefaultVerifyCHAddr),
	}
}

// resolveRate turns merged keys into a RateLimit: a burst no layer gives is
// burstSeconds' worth of its rate, and an unlimited rate has burst 0.
func resolveRate(m *rateSettings) RateLimit {
	return RateLimit{
		InterfaceRate:  *m.interfaceRate,
		InterfaceBurst: resolveBurst(*m.interfaceRate, m.interfaceBurst),
		ClientRate:     *m.clientRate,
		ClientBurst:    resolveBurst(*m.clientRate, m.clientBurst),
		MaxClients:     *m.maxClients,
	}
}

// resolveBurst returns the burst of a rate: burst if set, else the default.
func resolveBurst(rate float64, burst *int) int {
	switch {
	case rate == 0:
		return 0
	case burst != nil:
		return *burst
	}
	return defaultBurst(rate)
}

// rawFromRate writes a RateLimit back in file form.
func rawFromRate(r RateLimit) rawRateLimit {
	raw := rawRateLimit{
		Interface:  ptr(FormatRate(r.InterfaceRate)),
		Client:     ptr(FormatRate(r.ClientRate)),
		MaxClients: ptr(r.MaxClients),
	}
	if r.InterfaceRate != 0 {
		raw.InterfaceBurst = ptr(r.InterfaceBurst)
	}
	if r.ClientRate != 0 {
		raw.ClientBurst = ptr(r.ClientBurst)
	}
	return raw
}

// pickHelperRate sets the daemon-wide helper ceiling: the flag, else the
// file, else the default; the burst from the file, else derived.
func pickHelperRate(cfg *Config, flag *string, raw rawFile, errs *errList) {
	rate := ptr(DefaultHelperRate)
	switch {
	case flag != nil:
		rate = parseRateKey(flag, "--helper-rate-limit: ", errs)
	case raw.HelperRate != nil:
		rate = parseRateKey(raw.HelperRate, "helper-rate-limit: ", errs)
	}
	burst := parseIntKey(raw.HelperBurst, 1, MaxBurst, "helper-rate-limit-burst: ", errs)
	if rate == nil {
		return
	}
	cfg.HelperRate = *rate
	cfg.HelperBurst = resolveBurst(*rate, burst)
}

// pickPollRate sets cfg.PollRate from --poll-above, else the file's
// poll-above, else the default: a rate (see ParseRate) in whole packets per
// second, or off.
func pickPollRate(cfg *Config, flag, file *string, errs *errList) {
	cfg.PollRate = DefaultPollRate
	var rate *float64
	switch {
	case flag != nil:
		rate = parseRateKey(flag, "--poll-above: ", errs)
	case file != nil:
		rate = parseRateKey(file, "poll-above: ", errs)
	default:
		return
	}
	if rate != nil {
		cfg.PollRate = int(math.Ceil(*rate))
	}
}
