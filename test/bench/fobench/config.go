package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// The modes a rate cell runs; "single" is one node without failover.
const (
	modeSingle      = "single"
	modeHotStandby  = "hot-standby"
	modeLoadSharing = "load-sharing"
	modeSplit       = "split"
	modeKeaHA       = "kea-ha-hot-standby"
)

// The pools on the client segment 203.0.113.0/24 (the nodes are .2 and .3):
// one scope of 251 addresses, or, in split mode, two ranges of 126 and 125.
const (
	sharedPool    = "203.0.113.4-203.0.113.254"
	splitPrimary  = "203.0.113.4-203.0.113.129"
	splitStandby  = "203.0.113.130-203.0.113.254"
	leaseTime     = time.Hour
	nodeReady     = 30 * time.Second
	upstreamDown  = `msg="upstream health changed"`
	stateInterrup = "to=COMMUNICATIONS-INTERRUPTED"
)

// nodeConfig is the configuration file of node n in mode. The upstream
// (the pair's server address) runs no DHCP server, so the fallback serves;
// every knob that would make it wait or refuse for reasons other than the
// pair is off, as in run.sh -fallback: no ARP probe, no offer-delay, no cap
// on offers, no reserve for known clients. Every lease is still committed
// to disk (fdatasync) before its ACK.
func nodeConfig(p *lab.Pair, n lab.PairNode, mode, db, key string) string {
	role := "primary"
	pools, partner := sharedPool, splitStandby
	if n.Name == p.B.Name {
		role = "secondary"
		partner = splitPrimary
	}
	var b strings.Builder
	fmt.Fprintf(&b, "lease-db: %s\nlog:\n  level: info\n", db)
	if mode == modeHotStandby || mode == modeLoadSharing {
		fmt.Fprintf(&b, "failover:\n  role: %s\n  listen: %s\n  peer: %s\n  key-file: %s\n",
			role, n.Link, p.Partner(n).Link, key)
	}
	scope := ""
	switch mode {
	case modeSplit:
		pools = splitPrimary
		if role == "secondary" {
			pools = splitStandby
		}
		scope = fmt.Sprintf("      failover-mode: split\n      failover-role: %s\n      partner-pools: [\"%s\"]\n", role, partner)
	case modeHotStandby, modeLoadSharing:
		scope = "      failover-mode: " + mode + "\n"
	}
	fmt.Fprintf(&b, `interfaces:
  - name: %s
    helper-addresses: [%s]
    fallback:
      pools: ["%s"]
      lease-time: %s
      offer-delay: 0s
      down-after: 1
      transaction-timeout: 100ms
      probe-count: 0
      max-offers-outstanding: -1
      reserve-for-known: -1
%s`, lab.RelayDown, lab.PairServer, pools, leaseTime, scope)
	return b.String()
}

// writeKey writes a pre-shared key for the pair into dir, owner-only.
func writeKey(dir string) (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("failed to make a failover key: %w", err)
	}
	path := filepath.Join(dir, "failover.key")
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("failed to write the failover key: %w", err)
	}
	return path, nil
}

// startNodes starts iphelper on the nodes mode needs (node A alone for
// single) and waits until, in hot-standby and load-sharing, both nodes are
// in NORMAL. A node declares its upstream down only once a client's
// request went unanswered: see waitUpstreamDown.
func startNodes(l *lab.Lab, p *lab.Pair, bin, mode string) ([]*lab.Relay, error) {
	key, err := writeKey(l.Dir())
	if err != nil {
		return nil, err
	}
	nodes := []lab.PairNode{p.A, p.B}
	if mode == modeSingle {
		nodes = nodes[:1]
	}
	var relays []*lab.Relay
	for _, n := range nodes {
		cfg := filepath.Join(l.Dir(), "node-"+n.Name+".yaml")
		db := filepath.Join(l.Dir(), "node-"+n.Name+".db")
		if err := os.WriteFile(cfg, []byte(nodeConfig(p, n, mode, db, key)), 0o600); err != nil {
			return nil, fmt.Errorf("failed to write %s: %w", cfg, err)
		}
		r := l.StartIphelper(n.NS, bin, "run", "--config", cfg,
			"--rate-limit-client", "off", "--rate-limit-interface", "off")
		r.WaitListening(1, nodeReady)
		relays = append(relays, r)
	}
	for _, r := range relays {
		if (mode == modeHotStandby || mode == modeLoadSharing) && !r.WaitLog("to=NORMAL", nodeReady) {
			return nil, fmt.Errorf("a node never reached NORMAL:\n%s", tail(r.Proc.Log(), 4000))
		}
	}
	return relays, nil
}

// waitUpstreamDown checks that every node declared its upstream down (the
// fallback then answers at once, as during an outage).
func waitUpstreamDown(relays []*lab.Relay) error {
	for _, r := range relays {
		if !r.WaitLog(upstreamDown, nodeReady) {
			return fmt.Errorf("a node never declared its upstream down:\n%s", tail(r.Proc.Log(), 4000))
		}
	}
	return nil
}
