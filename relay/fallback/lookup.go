package fallback

import (
	"bytes"
	"net"
	"net/netip"
	"slices"
)

// keyOf returns the clientKey of a client with option 61 id and chaddr mac.
func keyOf(id []byte, mac net.HardwareAddr) clientKey {
	if len(id) > 0 {
		return clientKey("id:" + string(id))
	}
	return clientKey("hw:" + string(mac))
}

// dynamic reports whether a is in the ranges, not excluded and not reserved.
func (c *compiled) dynamic(a netip.Addr) bool {
	_, res := c.resByAddr[a]
	return !res && c.pool.contains(a)
}

// inPool reports whether a belongs to the scope: dynamic or reserved, and
// not one of the appliance's own addresses.
func (c *compiled) inPool(a netip.Addr) bool {
	_, res := c.resByAddr[a]
	return !c.local[a] && (res || c.pool.contains(a))
}

// localClaimed reports whether a is one of the appliance's own addresses
// that the scope's ranges (less the configured exclusions) or reservations
// cover: no client may hold it, and the upstream does not give it (split
// scope), so a REQUEST for it is NAKed. The ranges are searched only for a
// local address.
func (c *compiled) localClaimed(a netip.Addr) bool {
	if !c.local[a] {
		return false
	}
	if _, res := c.resByAddr[a]; res {
		return true
	}
	return slices.ContainsFunc(c.Ranges, func(r Range) bool { return r.Contains(a) }) &&
		!slices.ContainsFunc(c.Exclusions, func(r Range) bool { return r.Contains(a) })
}

// reservation returns the address reserved for the client with option 61 id
// and chaddr mac; the client-id reservation wins over the MAC one.
func (c *compiled) reservation(id []byte, mac net.HardwareAddr) (netip.Addr, bool) {
	if a, ok := c.resByID[string(id)]; ok && len(id) > 0 {
		return a, true
	}
	a, ok := c.resByMAC[string(mac)]
	return a, ok && len(mac) > 0
}

// mayHold reports whether the client (id, mac) may hold a: a is in the
// scope, and it is not reserved for another client, and the client has no
// reservation of its own elsewhere, and it is not the appliance's.
func (c *compiled) mayHold(a netip.Addr, id []byte, mac net.HardwareAddr) bool {
	if own, ok := c.reservation(id, mac); ok {
		return a == own && !c.local[a]
	}
	return c.dynamic(a)
}

// reservedForOther reports whether a is reserved for a client other than
// (id, mac).
func (c *compiled) reservedForOther(a netip.Addr, id []byte, mac net.HardwareAddr) bool {
	i, ok := c.resByAddr[a]
	if !ok {
		return false
	}
	r := c.Reservations[i]
	return !(len(r.ClientID) > 0 && bytes.Equal(r.ClientID, id) || len(r.MAC) > 0 && bytes.Equal(r.MAC, mac))
}
