package hostile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/iphelper/iphelper/test/lab"
)

// The files craft.py writes, in testdata/.
const (
	PcapFile     = "adversarial.pcap"
	ManifestFile = "adversarial.json"
)

// Side is the segment a frame is injected on.
type Side string

// The sides of the relay the replay injects frames on.
const (
	// Client is the untrusted client segment.
	Client Side = "client"
	// Trusted is a client segment the relay trusts, with option-82 policy
	// drop.
	Trusted Side = "trusted"
	// Upstream is the server segment, where the helper and rogue servers
	// are.
	Upstream Side = "upstream"
)

// Segment is one of the relay's links as the frames address it: the test
// gives the relay's interface this MAC, address and MTU.
type Segment struct {
	RelayIf   string       `json:"relay_if"`
	RelayMAC  string       `json:"relay_mac"`
	RelayAddr netip.Prefix `json:"relay_addr"`
	MTU       int          `json:"mtu"`
}

// Frame is one record of the pcap and what the relay must do with it.
type Frame struct {
	// Index is the record's position in the pcap, from 0.
	Index int    `json:"index"`
	Name  string `json:"name"`
	Side  Side   `json:"side"`
	// Burst names a group of frames that are sent back to back; "" for a
	// frame sent on its own.
	Burst  string `json:"burst,omitempty"`
	Length int    `json:"length"`
	// Expect is by how much each drop counter (relay.Reason names, summed
	// over interfaces) must rise; empty when the kernel drops the frame
	// before the relay sees it.
	Expect map[string]uint64 `json:"expect"`
	// RequestsReceived is how many frames the relay's packet sockets read
	// for it.
	RequestsReceived uint64 `json:"requests_received"`
	// Why says what the frame's lie is.
	Why string `json:"why"`
	// Data is the frame's bytes, from the pcap.
	Data []byte `json:"-"`
}

// Manifest is adversarial.json with the pcap's frames attached.
type Manifest struct {
	Comment string `json:"comment"`
	Pcap    string `json:"pcap"`
	// RelayFlags are the `iphelper run` flags the expectations assume.
	RelayFlags []string         `json:"relay_flags"`
	Segments   map[Side]Segment `json:"segments"`
	// Helper is the relay's helper address, on the upstream segment.
	Helper netip.Addr `json:"helper"`
	Frames []Frame    `json:"frames"`
}

// Load reads ManifestFile in dir and the pcap it names, attaches every
// record to its frame and checks that the two agree: one record per frame,
// in index order, of the stated length, on a known side with a segment.
func Load(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("failed to read the manifest: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("failed to decode %s: %w", ManifestFile, err)
	}
	if m.Pcap != filepath.Base(m.Pcap) {
		return nil, fmt.Errorf("bad manifest %s: pcap %q must be a file name in %s", ManifestFile, m.Pcap, dir)
	}
	raw, err := os.ReadFile(filepath.Join(dir, m.Pcap))
	if err != nil {
		return nil, fmt.Errorf("failed to read the replay: %w", err)
	}
	recs, err := lab.ReadPcap(raw)
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", m.Pcap, err)
	}
	if err := m.attach(recs); err != nil {
		return nil, fmt.Errorf("%s and %s disagree: %w", ManifestFile, m.Pcap, err)
	}
	return &m, nil
}

// attach gives each frame its record, checking them against each other.
func (m *Manifest) attach(recs []lab.PcapRecord) error {
	if len(recs) != len(m.Frames) {
		return fmt.Errorf("%d records for %d frames", len(recs), len(m.Frames))
	}
	for i := range m.Frames {
		f := &m.Frames[i]
		r := recs[i]
		switch {
		case f.Index != i:
			return fmt.Errorf("frame %d (%s) has index %d", i, f.Name, f.Index)
		case len(r.Data) != f.Length || r.OrigLen != f.Length:
			return fmt.Errorf("frame %d (%s): record of %d bytes (%d on the wire), want %d", i, f.Name, len(r.Data), r.OrigLen, f.Length)
		}
		if _, ok := m.Segments[f.Side]; !ok {
			return fmt.Errorf("frame %d (%s): no segment for side %q", i, f.Name, f.Side)
		}
		f.Data = r.Data
	}
	return nil
}

// Groups splits the frames into what is sent at once, in order: the frames
// of one burst together, every other frame alone.
func (m *Manifest) Groups() [][]Frame {
	var groups [][]Frame
	for _, f := range m.Frames {
		n := len(groups)
		if f.Burst != "" && n > 0 && groups[n-1][0].Burst == f.Burst {
			groups[n-1] = append(groups[n-1], f)
			continue
		}
		groups = append(groups, []Frame{f})
	}
	return groups
}

// Expected sums what the frames of a group must do to the relay's
// counters: the drops by reason, and the frames its packet sockets read.
func Expected(group []Frame) (drops map[string]uint64, received uint64) {
	drops = make(map[string]uint64)
	for _, f := range group {
		for reason, n := range f.Expect {
			drops[reason] += n
		}
		received += f.RequestsReceived
	}
	return drops, received
}
