package lab

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Lease
	}{
		{
			name: "dhclient bound",
			line: "BOUND|203.0.113.33|255.255.255.128|203.0.113.1|198.51.100.2|3600",
			want: Lease{
				Event: "BOUND", Addr: netip.MustParseAddr("203.0.113.33"), Mask: netip.MustParseAddr("255.255.255.128"),
				Router: netip.MustParseAddr("203.0.113.1"), ServerID: netip.MustParseAddr("198.51.100.2"), LeaseTime: time.Hour,
			},
		},
		{name: "udhcpc deconfig", line: "deconfig|||||", want: Lease{Event: "DECONFIG"}},
		{name: "preinit", line: "PREINIT|||||", want: Lease{Event: "PREINIT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRecord(tt.line)
			if err != nil {
				t.Fatalf("parseRecord: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, CmpNetip()); diff != "" {
				t.Errorf("lease (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRecordErrors(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string
	}{
		{"fields", "BOUND|1.2.3.4", `failed to parse client record "BOUND|1.2.3.4": want 6 fields, got 2`},
		{"no event", "|||||", `failed to parse client record "|||||": empty event`},
		{"bad address", "BOUND|x||||", `failed to parse client record "BOUND|x||||": address: ParseAddr("x"): unable to parse IP`},
		{"bad lease", "BOUND|||||-1", `failed to parse client record "BOUND|||||-1": lease time: strconv.ParseUint: parsing "-1": invalid syntax`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRecord(tt.line)
			if err == nil || err.Error() != tt.want {
				t.Errorf("parseRecord error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseRecordsSkipsPartialLine(t *testing.T) {
	got, err := parseRecords("PREINIT|||||\nBOUND|203.0.113.33||||\nRENEW|203.0")
	if err != nil {
		t.Fatalf("parseRecords: %v", err)
	}
	want := []Lease{{Event: "PREINIT"}, {Event: "BOUND", Addr: netip.MustParseAddr("203.0.113.33")}}
	if diff := cmp.Diff(want, got, CmpNetip()); diff != "" {
		t.Errorf("leases (-want +got):\n%s", diff)
	}
}
