package corpus

import (
	"os"
	"strings"
	"testing"
)

// TestSeedsUpToDate checks that the seed files in the fuzz targets'
// testdata/fuzz directories are exactly what the checked-in captures give.
// With IPHELPER_UPDATE_CORPUS=seeds it writes them instead.
func TestSeedsUpToDate(t *testing.T) {
	if os.Getenv(UpdateEnv) == UpdateSeeds {
		writeSeeds(t)
		return
	}
	root, seeds := loadSeeds(t)
	problems, err := CheckSeeds(root, seeds)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("the fuzz corpora do not match the captures (run %s=%s go test ./test/corpus -run TestSeedsUpToDate):\n%s",
			UpdateEnv, UpdateSeeds, strings.Join(problems, "\n"))
	}
}

// loadSeeds returns the module root and the seeds of the checked-in
// captures.
func loadSeeds(t *testing.T) (string, []Seed) {
	t.Helper()
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	caps, err := LoadCaptures(capturesDir)
	if err != nil {
		t.Fatal(err)
	}
	seeds, err := Seeds(caps)
	if err != nil {
		t.Fatal(err)
	}
	return root, seeds
}

// writeSeeds rewrites the seed files from the checked-in captures.
func writeSeeds(t *testing.T) {
	t.Helper()
	root, seeds := loadSeeds(t)
	if err := WriteSeeds(root, seeds); err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, s := range seeds {
		size += len(s.Data)
	}
	t.Logf("wrote %d seed files, %d bytes", len(seeds), size)
}

// TestCapturesCoverEveryPeer checks that the checked-in captures hold what
// the capture session is meant to get from every client and every server,
// so that a recapture that lost some of it does not go unnoticed.
func TestCapturesCoverEveryPeer(t *testing.T) {
	caps, err := LoadCaptures(capturesDir)
	if err != nil {
		t.Fatal(err)
	}
	checkCoverage(t, caps)
}

// checkCoverage fails t unless caps hold every message and ARP frame the
// corpus is meant to have from every peer.
func checkCoverage(t *testing.T, caps []Capture) {
	t.Helper()
	c, err := build(caps)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, m := range c.messages {
		have[m.name] = true
	}
	for _, a := range c.arps {
		have[a.name] = true
	}
	// both names a message as sent and as iphelper relayed it.
	both := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, n, n+relayedSuffix)
		}
		return out
	}
	var want []string
	for _, cl := range clients() {
		want = append(want, both(cl+"-discover", cl+"-request-select")...)
	}
	for _, s := range servers() {
		// Kea and dhcpd answer an INFORM straight to the client's address.
		want = append(want, s+"-ack-inform")
		want = append(want, both(s+"-offer", s+"-ack", s+"-ack-renew", s+"-offer-bcast")...)
	}
	want = append(want, both(
		"dhclient-request-reboot", "dhclient-request-renew", "dhclient-release",
		"udhcpc-request-renew", "udhcpc-release", "dhcpcd-release", "dhcpcd-inform",
		"dhcpd-nak", "dnsmasq-nak",
	)...)
	want = append(want, "dhcpcd-arp-probe", "dhcpcd-arp-announce", "iphelper-arp-reply")
	for _, w := range want {
		if !have[w] {
			t.Errorf("no %s in the captures", w)
		}
	}
}
