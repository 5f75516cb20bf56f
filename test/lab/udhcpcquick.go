package lab

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// StartUdhcpcQuick starts busybox udhcpc on ifname in ns like StartClient
// with Udhcpc (broadcast flag clear, exits once bound), but retransmitting
// its DISCOVER every interval, discovers times at most: a scenario that
// times how soon a client is served uses a short interval, so that a first
// DISCOVER sent before the relay listened costs little. interval is rounded
// down to whole seconds, at least one.
func (l *Lab) StartUdhcpcQuick(ns, ifname string, discovers int, interval time.Duration) *Client {
	l.t.Helper()
	secs := max(1, int(interval/time.Second))
	return l.startUdhcpc("udhcpc-quick-", ns, ifname, "-q", "-n",
		"-t", strconv.Itoa(max(1, discovers)), "-T", strconv.Itoa(secs))
}

// StartUdhcpcRenewing starts busybox udhcpc on ifname in ns like StartClient
// with Udhcpc (broadcast flag clear), but it stays once bound: it renews
// by unicast at T1 (RENEW events), and the lab stops it when the test ends.
func (l *Lab) StartUdhcpcRenewing(ns, ifname string) *Client {
	l.t.Helper()
	return l.startUdhcpc("udhcpc-renewing-", ns, ifname, "-n", "-t", "5", "-T", "2")
}

// startUdhcpc starts udhcpc in the foreground with the lab's recording
// script and the given arguments; prefix names its files and process.
func (l *Lab) startUdhcpc(prefix, ns, ifname string, args ...string) *Client {
	l.t.Helper()
	c := &Client{Kind: Udhcpc, l: l, ns: ns, ifname: ifname, record: l.nextName(prefix+ifname, ".events")}
	if strings.ContainsAny(c.record, "'\n") {
		l.t.Fatalf("failed to start udhcpc: the lab directory %q cannot be quoted in a script", l.dir)
	}
	if err := os.WriteFile(c.record, nil, 0o600); err != nil {
		l.t.Fatalf("failed to create %s: %v", c.record, err)
	}
	script := l.nextName(prefix+"script", ".sh")
	if err := os.WriteFile(script, []byte(clientScript(Udhcpc, c.record)), 0o700); err != nil {
		l.t.Fatalf("failed to write client script: %v", err)
	}
	c.Proc = l.StartProc(ProcSpec{NS: ns, Name: prefix + ifname,
		Args: append([]string{"udhcpc", "-f", "-i", ifname, "-s", script}, args...)})
	return c
}
