package corpus

import (
	"fmt"
	"os"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Capture is the raw material of one session: its manifest and its two
// pcap files.
type Capture struct {
	Manifest         Manifest
	Client, Upstream []byte
}

// LoadCaptures reads the captures of every session from dir.
func LoadCaptures(dir string) ([]Capture, error) {
	var caps []Capture
	for _, server := range servers() {
		p := capturePaths(dir, server)
		var files [3][]byte
		for i, path := range []string{p.manifest, p.client, p.upstream} {
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("failed to load the captures of %s: %w", server, err)
			}
			files[i] = b
		}
		m, err := ParseManifest(files[0])
		if err != nil {
			return nil, err
		}
		if m.Server != server {
			return nil, fmt.Errorf("failed to load the captures of %s: manifest %s names server %q", server, p.manifest, m.Server)
		}
		caps = append(caps, Capture{Manifest: m, Client: files[1], Upstream: files[2]})
	}
	return caps, nil
}

// message is a captured DHCP message with its seed name.
type message struct {
	name string
	packet
}

// named is a seed value with its name.
type named struct {
	name string
	data []byte
}

// corpus is what the captures hold, each thing once: the first message or
// ARP frame of each name, option 82 values by content, a slice of each
// capture file and each session's helper-health trace.
type corpus struct {
	messages []message
	arps     []named
	options  []named
	pcaps    []named
	traces   []named

	// seen holds the names, payloads and option values already taken.
	seen map[string]bool
}

// build reads every capture into a corpus.
func build(caps []Capture) (*corpus, error) {
	c := &corpus{seen: map[string]bool{}}
	for _, cp := range caps {
		if err := c.addSession(cp); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// addSession adds what one session's captures hold.
func (c *corpus) addSession(cp Capture) error {
	server := cp.Manifest.Server
	pkts, err := readSession(cp.Manifest, cp.Client, cp.Upstream)
	if err != nil {
		return err
	}
	for _, p := range pkts {
		c.addPacket(server, p)
	}
	for _, side := range []struct {
		s    Side
		pcap []byte
	}{{ClientSide, cp.Client}, {ServerSide, cp.Upstream}} {
		b, err := doraSlice(side.pcap)
		if err != nil {
			return fmt.Errorf("failed to cut the %s capture of %s: %w", side.s, server, err)
		}
		c.pcaps = append(c.pcaps, named{server + "-" + side.s.String() + "-dora-pcap", b})
	}
	c.traces = append(c.traces, named{server + "-upstream-trace", trackerTrace(pkts)})
	return nil
}

// addPacket adds a packet unless one of its name, or a message with the
// same bytes, came before; and its option 82 unless the same value did.
func (c *corpus) addPacket(server string, p packet) {
	name := p.name(server)
	if !c.first("name:" + name) {
		return
	}
	if p.arp {
		c.arps = append(c.arps, named{name, p.frame})
		return
	}
	if !c.first("payload:" + string(p.udp.Payload)) {
		return
	}
	c.messages = append(c.messages, message{name, p})
	if o := p.option82(); o != nil && c.first("option82:"+string(o)) {
		c.options = append(c.options, named{optionName(server, p), o})
	}
}

// first reports whether key is new, and records it.
func (c *corpus) first(key string) bool {
	if c.seen[key] {
		return false
	}
	c.seen[key] = true
	return true
}

// optionName names an option 82 value after the agent that sent it:
// iphelper for a relayed request, the server for the echo in a reply.
func optionName(server string, p packet) string {
	who := server
	if p.msg.OpCode == dhcpv4.OpcodeBootRequest {
		who = "iphelper"
	}
	return who + "-option82-" + kindOf(p.msg)
}

// requests returns the BOOTREQUESTs, as the clients sent them (relayed
// false) or as iphelper relayed them (relayed true).
func (c *corpus) requests(relayed bool) []message {
	return c.filter(func(m message) bool {
		return m.msg.OpCode == dhcpv4.OpcodeBootRequest && m.fromRelay() == relayed
	})
}

// replies returns every BOOTREPLY, as the servers sent them and as iphelper
// delivered them.
func (c *corpus) replies() []message {
	return c.filter(func(m message) bool { return m.msg.OpCode == dhcpv4.OpcodeBootReply })
}

func (c *corpus) filter(keep func(message) bool) []message {
	var out []message
	for _, m := range c.messages {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// relayedOption82 returns the option 82 iphelper added to the relayed copy
// of a client's request, or the first option 82 of any relayed request when
// that copy was not captured.
func (c *corpus) relayedOption82(raw message) []byte {
	var first []byte
	for _, m := range c.requests(true) {
		o := m.option82()
		if m.name == raw.name+relayedSuffix && o != nil {
			return o
		}
		if first == nil {
			first = o
		}
	}
	return first
}
