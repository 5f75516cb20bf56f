package relay

import "net/netip"

var zeroAddr = netip.IPv4Unspecified()
