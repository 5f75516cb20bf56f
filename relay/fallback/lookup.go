package fallback

import (
	"bytes"
	"net"
	"net/netip"
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

// inPool reports whether a belongs to the scope: dynamic or reserved.
func (c *compiled) inPool(a netip.Addr) bool {
	_, res := c.resByAddr[a]
	return res || c.pool.contains(a)
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
// reservation of its own elsewhere.
func (c *compiled) mayHold(a netip.Addr, id []byte, mac net.HardwareAddr) bool {
	if own, ok := c.reservation(id, mac); ok {
		return a == own
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
