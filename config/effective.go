package config

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Effective returns c as a config file in the format of deploy/iphelper.yaml
// with every key written out, defaults included, so that Parse of the
// result gives c back. check-config prints it.
func (c *Config) Effective() ([]byte, error) {
	raw := rawFile{
		MaxHops:       ptr(c.MaxHops),
		MaxPacketSize: ptr(c.MaxPacketSize),
		Hostname:      ptr(c.Hostname),
		LeaseDB:       ptr(c.LeaseDB),
		HelperRate:    ptr(FormatRate(c.HelperRate)),
		PollAbove:     ptr(FormatRate(float64(c.PollRate))),
		Log:           rawLog{Level: ptr(c.Log.Level), Format: ptr(c.Log.Format)},
	}
	if c.HelperRate != 0 {
		raw.HelperBurst = ptr(c.HelperBurst)
	}
	rawFromEtcd(c, &raw)
	if c.Failover.Enabled() {
		raw.Failover = rawFromFailover(&c.Failover)
	}
	for i := range c.Interfaces {
		raw.Interfaces = append(raw.Interfaces, rawFromInterface(&c.Interfaces[i], !c.Failover.Enabled()))
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(raw); err != nil {
		return nil, fmt.Errorf("failed to encode the effective config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("failed to encode the effective config: %w", err)
	}
	return buf.Bytes(), nil
}

// rawFromInterface writes one interface entry back in file form; scopeRoles
// says whether a split scope's role is its own (no failover: block).
func rawFromInterface(in *Interface, scopeRoles bool) rawInterface {
	helpers := addrStrings(in.Helpers)
	o := in.Option82
	r := rawInterface{
		Name: ptr(in.Name),
		rawSettings: rawSettings{
			HelperAddresses: &helpers,
			Trusted:         ptr(in.Trusted),
			RateLimit:       rawFromRate(in.RateLimit),
			VerifyCHAddr:    ptr(in.VerifyCHAddr),
			InformationOption: rawOption82{
				Insert:           ptr(o.Insert),
				Policy:           ptr(o.Policy.String()),
				Check:            ptr(o.Check),
				CircuitID:        ptr(o.CircuitID.String()),
				RemoteID:         ptr(o.RemoteID.String()),
				SubscriberID:     ptr(o.SubscriberID.String()),
				LinkSelection:    ptr(o.LinkSelection),
				ServerIDOverride: ptr(o.ServerIDOverride),
			},
		},
	}
	if in.Fallback != nil {
		r.Fallback = rawFromFallback(in.Fallback, scopeRoles)
	}
	// The UDP forwarding keys are written only when set: an interface
	// that relays DHCP alone reads as it did before they existed.
	if len(in.ForwardPorts) > 0 {
		fwd := FormatForwardPorts(in.ForwardPorts)
		r.ForwardProtocol = &fwd
	}
	if in.DirectedBroadcast {
		r.DirectedBroadcast = ptr(true)
	}
	if len(in.PortHelpers) > 0 {
		ph := make(map[string][]string, len(in.PortHelpers))
		for p, hs := range in.PortHelpers {
			ph[strconv.Itoa(int(p))] = addrStrings(hs)
		}
		r.PortHelpers = &ph
	}
	switch {
	case in.GIAddr.IsValid():
		r.GIAddr = ptr(in.GIAddr.String())
	case in.SourceInterface != "":
		r.SourceInterface = ptr(in.SourceInterface)
	}
	return r
}

// addrStrings writes addresses as strings.
func addrStrings(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}
