package hostile

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pcapOf is a classic little-endian pcap of Ethernet frames of the given
// lengths, all bytes zero.
func pcapOf(lengths ...int) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0xa1b2c3d4) // magic: microsecond stamps
	b = le.AppendUint16(b, 2)             // version 2.4
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 0)     // thiszone
	b = le.AppendUint32(b, 0)     // sigfigs
	b = le.AppendUint32(b, 65535) // snaplen
	b = le.AppendUint32(b, 1)     // link type Ethernet
	for i, n := range lengths {
		b = le.AppendUint32(b, uint32(1704067200+i)) // seconds
		b = le.AppendUint32(b, 0)                    // microseconds
		b = le.AppendUint32(b, uint32(n))            // captured length
		b = le.AppendUint32(b, uint32(n))            // length on the wire
		b = append(b, make([]byte, n)...)
	}
	return b
}

const (
	segmentsJSON = `"segments": {"client": {"relay_if": "down0", "relay_mac": "02:00:5e:00:01:01", "relay_addr": "203.0.113.1/25", "mtu": 1500}}`
	frameJSON    = `{"index": 0, "name": "a", "side": "client", "length": 60, "expect": {"malformed": 1}, "requests_received": 1, "why": "w"}`
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, ManifestFile, `{"pcap": "x.pcap", `+segmentsJSON+`, "helper": "198.51.100.2", "frames": [`+frameJSON+`]}`)
	write(t, dir, "x.pcap", string(pcapOf(60)))
	m, err := Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got := m.Frames[0]
	want := Frame{Index: 0, Name: "a", Side: Client, Length: 60, Expect: map[string]uint64{"malformed": 1},
		RequestsReceived: 1, Why: "w", Data: make([]byte, 60)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("frame (-want +got):\n%s", diff)
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name     string
		manifest string
		pcap     []byte
		want     string
	}{
		{
			name:     "unknown key",
			manifest: `{"pcap": "x.pcap", "extra": 1}`, pcap: pcapOf(),
			want: `failed to decode adversarial.json: json: unknown field "extra"`,
		},
		{
			name:     "pcap outside the directory",
			manifest: `{"pcap": "../x.pcap"}`, pcap: pcapOf(),
			want: `bad manifest adversarial.json: pcap "../x.pcap" must be a file name in DIR`,
		},
		{
			name:     "more frames than records",
			manifest: `{"pcap": "x.pcap", ` + segmentsJSON + `, "frames": [` + frameJSON + `]}`, pcap: pcapOf(),
			want: "adversarial.json and x.pcap disagree: 0 records for 1 frames",
		},
		{
			name:     "length differs",
			manifest: `{"pcap": "x.pcap", ` + segmentsJSON + `, "frames": [` + frameJSON + `]}`, pcap: pcapOf(61),
			want: "adversarial.json and x.pcap disagree: frame 0 (a): record of 61 bytes (61 on the wire), want 60",
		},
		{
			name:     "index out of order",
			manifest: `{"pcap": "x.pcap", ` + segmentsJSON + `, "frames": [{"index": 3, "name": "a", "side": "client", "length": 60}]}`,
			pcap:     pcapOf(60),
			want:     "adversarial.json and x.pcap disagree: frame 0 (a) has index 3",
		},
		{
			name:     "side without a segment",
			manifest: `{"pcap": "x.pcap", ` + segmentsJSON + `, "frames": [{"index": 0, "name": "a", "side": "upstream", "length": 60}]}`,
			pcap:     pcapOf(60),
			want:     `adversarial.json and x.pcap disagree: frame 0 (a): no segment for side "upstream"`,
		},
		{
			name:     "truncated pcap",
			manifest: `{"pcap": "x.pcap"}`, pcap: pcapOf(60)[:50],
			want: "failed to read x.pcap: failed to read pcap record 0: data: unexpected EOF",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, ManifestFile, tt.manifest)
			write(t, dir, "x.pcap", string(tt.pcap))
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			want := strings.ReplaceAll(tt.want, "DIR", dir) // the test's own directory
			if diff := cmp.Diff(want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
		t.Fatalf("failed to write %s: %v", name, err)
	}
}
