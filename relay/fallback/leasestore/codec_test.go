package leasestore

import (
	"errors"
	"testing"
)

func TestEncodeGolden(t *testing.T) {
	got, err := encodeLease(testLeases()[1])
	if err != nil {
		t.Fatal(err)
	}
	// One record: format version, address (repeats the key), state, expiry
	// in UTC, client-id in base64, chaddr in hex, no hostname.
	want := `{"v":1,"addr":"203.0.113.101","state":"released","expiry":"2026-03-01T12:10:00Z","client_id":"AGlk","mac":"02:00:5e:10:00:02"}`
	if d := diff(want, string(got)); d != "" {
		t.Errorf("encoding (-want +got):\n%s", d)
	}
}

// TestEncodeGoldenPartnerExpiry: a failover pair's record carries what the
// partner acknowledged; a record outside a pair has no such field (above).
func TestEncodeGoldenPartnerExpiry(t *testing.T) {
	got, err := encodeLease(testLeases()[4])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"v":1,"addr":"203.0.113.131","state":"bound","expiry":"2026-03-01T12:10:00Z","mac":"02:00:5e:10:00:03","partner_expiry":"2026-03-01T12:09:00Z"}`
	if d := diff(want, string(got)); d != "" {
		t.Errorf("encoding (-want +got):\n%s", d)
	}
}

func TestCodecRoundTrip(t *testing.T) {
	for _, l := range testLeases() {
		t.Run(l.Addr.String(), func(t *testing.T) {
			v, err := encodeLease(l)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeLease(l.Interface, addrKey(l.Addr), v)
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(l, got); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	key := addrKey(ip("203.0.113.100"))
	tests := []struct {
		name  string
		key   []byte
		value string
		want  string
	}{
		{"short key", []byte{1, 2}, `{}`, "corrupt lease record: key of 2 bytes, want 4"},
		{"not JSON", key, `{"v":`, "corrupt lease record: 203.0.113.100: unexpected end of JSON input"},
		{"future version", key, `{"v":2,"addr":"203.0.113.100","state":"bound"}`, "corrupt lease record: 203.0.113.100: version 2, want 1"},
		{"address differs from key", key, `{"v":1,"addr":"203.0.113.101","state":"bound"}`, `corrupt lease record: 203.0.113.100: address "203.0.113.101" does not match the key`},
		{"unknown state", key, `{"v":1,"addr":"203.0.113.100","state":"stolen"}`, `corrupt lease record: 203.0.113.100: unknown state "stolen"`},
		{"bad mac", key, `{"v":1,"addr":"203.0.113.100","state":"bound","mac":"zz:00"}`, `corrupt lease record: 203.0.113.100: bad hardware address "zz:00"`},
		{"mac too long", key, `{"v":1,"addr":"203.0.113.100","state":"bound","mac":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"}`,
			`corrupt lease record: 203.0.113.100: hardware address "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00" is longer than 16 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeLease("eth1", tt.key, []byte(tt.value))
			if !errors.Is(err, ErrCorruptRecord) {
				t.Errorf("error %v does not wrap ErrCorruptRecord", err)
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPutRejects(t *testing.T) {
	tests := []struct {
		name string
		l    Lease
		want string
	}{
		{"no interface", Lease{Addr: ip("203.0.113.1"), State: StateBound}, "failed to store lease: invalid lease: no interface"},
		{"ipv6", Lease{Interface: "eth1", Addr: ip("2001:db8::1"), State: StateBound}, "failed to store lease: invalid lease: address 2001:db8::1 is not IPv4"},
		{"no state", Lease{Interface: "eth1", Addr: ip("203.0.113.1")}, "failed to store lease: invalid lease: unknown state 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, st := range map[string]Store{"mem": NewMemStore(), "bolt": openTemp(t)} {
				err := st.Put(tt.l)
				if !errors.Is(err, ErrInvalidLease) || err.Error() != tt.want {
					t.Errorf("%s: Put: %v, want %q", name, err, tt.want)
				}
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, l := range testLeases() {
		v, _ := encodeLease(l)
		f.Add(addrKey(l.Addr), v)
	}
	f.Fuzz(func(t *testing.T, key, value []byte) {
		l, err := decodeLease("eth1", key, value)
		if err != nil {
			return
		}
		v, err := encodeLease(l)
		if err != nil {
			t.Fatalf("decoded lease does not encode: %v", err)
		}
		again, err := decodeLease("eth1", key, v)
		if err != nil {
			t.Fatalf("re-encoded lease does not decode: %v", err)
		}
		if d := diff(l, again); d != "" {
			t.Errorf("round trip (-want +got):\n%s", d)
		}
	})
}
