package corpus

import (
	"errors"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/wire"
)

// input is one fuzz input of a target: its file name and its arguments.
type input struct {
	name string
	args []any
}

// target is a fuzz target and how the corpus seeds it.
type target struct {
	// pkg is the target's package directory, relative to the module root.
	pkg string
	// fuzz is the fuzz function's name.
	fuzz string
	// inputs picks and shapes the target's seeds.
	inputs func(c *corpus) []input
}

// maxRelayed is the largest message the relay sends, the maximum the
// relay's own fuzz targets use (a 1500-byte MTU less IPv4 and UDP headers).
const maxRelayed = 1472

// targets lists the fuzz targets the captures seed, with what each takes.
func targets() []target {
	return []target{
		{"relay", "FuzzRequestPath", func(c *corpus) []input {
			return payloads(append(c.requests(false), c.requests(true)...))
		}},
		{"relay", "FuzzReplyPath", func(c *corpus) []input { return payloads(c.replies()) }},
		{"relay/fallback", "FuzzHandle", handleInputs},
		{"relay/wire", "FuzzValidate", func(c *corpus) []input { return payloads(c.messages) }},
		{"relay/wire", "FuzzStripOption", stripInputs},
		{"relay/wire", "FuzzInsertBeforeEnd", insertInputs},
		{"relay/option82", "FuzzParse", optionInputs},
		{"relay/option82", "FuzzBuildParse", optionInputs},
		{"relay/bindings", "FuzzObserve", func(c *corpus) []input {
			return payloads(append(c.replies(), c.filter(isRelease)...))
		}},
		{"relay/trace", "FuzzSetMessage", func(c *corpus) []input {
			return payloads(c.filter(func(m message) bool { return !m.fromRelay() }))
		}},
		{"relay/health", "FuzzTracker", func(c *corpus) []input { return values(c.traces) }},
		{"iface", "FuzzParseUDP4", udp4Inputs},
		{"iface", "FuzzARPClaims", func(c *corpus) []input { return values(c.arps) }},
		{"test/lab", "FuzzParseFrame", func(c *corpus) []input {
			return append(frames(c.messages), values(c.arps)...)
		}},
		{"test/lab", "FuzzParseSubOptions", optionInputs},
		{"test/lab", "FuzzReadPcap", func(c *corpus) []input { return values(c.pcaps) }},
	}
}

// payloads seeds a target that takes a DHCP message with the messages.
func payloads(ms []message) []input {
	var in []input
	for _, m := range ms {
		in = append(in, input{m.name, []any{m.udp.Payload}})
	}
	return in
}

// frames seeds a target that takes an Ethernet frame with the frames that
// carried the messages.
func frames(ms []message) []input {
	var in []input
	for _, m := range ms {
		in = append(in, input{m.name, []any{m.frame}})
	}
	return in
}

// values seeds a one-argument target with named values.
func values(ns []named) []input {
	var in []input
	for _, n := range ns {
		in = append(in, input{n.name, []any{n.data}})
	}
	return in
}

// optionInputs seeds the option 82 parsers with the sub-options (the
// option's data) that crossed the server link.
func optionInputs(c *corpus) []input { return values(c.options) }

// handleInputs seeds the fallback server with what clients sent, upstream
// down (the server answers); DISCOVERs also with upstream up.
func handleInputs(c *corpus) []input {
	var in []input
	for _, m := range c.requests(false) {
		in = append(in, input{m.name, []any{m.udp.Payload, false}})
		if m.msg.MessageType() == dhcpv4.MessageTypeDiscover {
			in = append(in, input{m.name + "-upstream-up", []any{m.udp.Payload, true}})
		}
	}
	return in
}

// stripInputs removes option 82 from the messages that carry it, and the
// parameter request list (else the message type) from the others.
func stripInputs(c *corpus) []input {
	var in []input
	for _, m := range c.messages {
		code := byte(wire.OptRelayAgentInfo)
		switch {
		case m.option82() != nil:
		case hasOption(m.udp.Payload, byte(dhcpv4.OptionParameterRequestList)):
			code = byte(dhcpv4.OptionParameterRequestList)
		default:
			code = byte(dhcpv4.OptionDHCPMessageType)
		}
		in = append(in, input{m.name, []any{m.udp.Payload, code}})
	}
	return in
}

// insertInputs inserts, into each request as the client sent it, the
// option 82 iphelper added to it on the wire.
func insertInputs(c *corpus) []input {
	var in []input
	for _, m := range c.requests(false) {
		in = append(in, input{m.name, []any{m.udp.Payload, byte(wire.OptRelayAgentInfo), c.relayedOption82(m), uint16(maxRelayed)}})
	}
	return in
}

// udp4Inputs seeds the packet-socket parser with every captured DHCP frame.
// Frames the kernel sent across veth carry a partial UDP checksum; for them
// the flags say "checksum not ready", as the socket's auxiliary data would.
func udp4Inputs(c *corpus) []input {
	var in []input
	for _, m := range c.messages {
		var flags byte
		if _, err := iface.ParseUDP4(m.frame, iface.FrameInfo{}); errors.Is(err, iface.ErrBadUDPChecksum) {
			flags = 1
		}
		in = append(in, input{m.name, []any{m.frame, flags}})
	}
	return in
}

// isRelease matches the RELEASEs clients sent.
func isRelease(m message) bool {
	return !m.fromRelay() && m.msg.MessageType() == dhcpv4.MessageTypeRelease
}

// hasOption reports whether a DHCP message carries an option.
func hasOption(payload []byte, code byte) bool {
	_, _, ok := wire.FindOption(payload, code)
	return ok
}
