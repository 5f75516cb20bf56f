// Package hostile holds the adversarial replay: a pcap of
// malformed and hostile frames (testdata/adversarial.pcap), written by
// craft.py with scapy, and its manifest (testdata/adversarial.json), which
// says for each frame which side of the relay it is injected on and which
// drop counters (relay.Reason names) it must move.
//
// Load reads both and checks that they agree; the integration scenario
// TestHostileReplay (test/integration) replays the frames at a running
// iphelper. The package's own tests check that craft.py still produces the
// committed files byte for byte and that the manifest covers every drop
// reason a client or a rogue server can cause.
//
// Like test/lab, it is imported only by tests.
package hostile
