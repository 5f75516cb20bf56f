package wire

import "strconv"

// MessageType is the value of the DHCP message type option (53). Zero means
// absent or malformed.
type MessageType byte

// DHCP message types (RFC 2132 §9.6, RFC 3203, RFC 4388).
const (
	Discover        MessageType = 1
	Offer           MessageType = 2
	Request         MessageType = 3
	Decline         MessageType = 4
	Ack             MessageType = 5
	Nak             MessageType = 6
	Release         MessageType = 7
	Inform          MessageType = 8
	ForceRenew      MessageType = 9
	LeaseQuery      MessageType = 10
	LeaseUnassigned MessageType = 11
	LeaseUnknown    MessageType = 12
	LeaseActive     MessageType = 13
)

// String returns the RFC name in upper case ("DHCPDISCOVER"), or
// "MessageType(n)" for other values.
func (t MessageType) String() string {
	switch t {
	case Discover:
		return "DHCPDISCOVER"
	case Offer:
		return "DHCPOFFER"
	case Request:
		return "DHCPREQUEST"
	case Decline:
		return "DHCPDECLINE"
	case Ack:
		return "DHCPACK"
	case Nak:
		return "DHCPNAK"
	case Release:
		return "DHCPRELEASE"
	case Inform:
		return "DHCPINFORM"
	case ForceRenew:
		return "DHCPFORCERENEW"
	case LeaseQuery:
		return "DHCPLEASEQUERY"
	case LeaseUnassigned:
		return "DHCPLEASEUNASSIGNED"
	case LeaseUnknown:
		return "DHCPLEASEUNKNOWN"
	case LeaseActive:
		return "DHCPLEASEACTIVE"
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}
