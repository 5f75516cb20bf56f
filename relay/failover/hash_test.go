package failover

import (
	"math/rand/v2"
	"testing"
)

// The mixing table as RFC 3074 §6 lays it out, spot-checked by position
// (rows of ten): a transposed or mistyped value shifts these.
func TestLoadbMixTable(t *testing.T) {
	var seen [256]bool
	for _, v := range loadbMixTable {
		if seen[v] {
			t.Fatalf("value %d twice: the table must be a permutation of 0–255", v)
		}
		seen[v] = true
	}
	for i, want := range map[int]uint8{0: 251, 1: 175, 14: 0, 29: 90, 119: 150, 128: 39, 200: 92, 254: 234, 255: 151} {
		if got := loadbMixTable[i]; got != want {
			t.Errorf("table[%d] = %d, want %d", i, got, want)
		}
	}
}

// Vectors worked by hand from RFC 3074 §6's loadb_p_hash: hash starts at
// the key's length and runs from the last byte to the first, hash =
// table[hash ^ key[i]].
func TestClientHash(t *testing.T) {
	tests := []struct {
		key  []byte
		want uint8
	}{
		{nil, 0},                  // no byte: the length, 0
		{[]byte{0x00}, 175},       // table[1^0x00] = table[1]
		{[]byte{0x01}, 251},       // table[1^0x01] = table[0]
		{[]byte{0xff}, 234},       // table[1^0xff] = table[254]
		{[]byte{0x00, 0x00}, 150}, // table[2] = 119, then table[119]
		{[]byte{0x0f, 0x00}, 212}, // last byte first: table[2^0x00] = 119, then table[119^0x0f = 120]
	}
	for _, tc := range tests {
		if got := ClientHash(tc.key); got != tc.want {
			t.Errorf("ClientHash(% x) = %d, want %d", tc.key, got, tc.want)
		}
	}
}

// One-byte keys hash to 256 distinct values (the table is a permutation),
// and MAC-like keys fill the buckets evenly enough for a split.
func TestClientHashSpread(t *testing.T) {
	var seen [256]bool
	for b := range 256 {
		seen[ClientHash([]byte{byte(b)})] = true
	}
	for h, ok := range seen {
		if !ok {
			t.Fatalf("no one-byte key hashes to %d", h)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	below := 0
	const n = 20000
	for range n {
		mac := []byte{0x02, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}
		if ClientHash(mac) < 128 {
			below++
		}
	}
	if below < n*45/100 || below > n*55/100 {
		t.Errorf("%d of %d MACs hash below 128, want about half", below, n)
	}
}
