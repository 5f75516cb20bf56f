package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The fallback-server benchmark (-fallback) uses the same lab:
//
//	cl  eth0 ──veth── down0 relay (iphelper, upstream 198.51.100.9: nobody)
//	dcl eth0 ──veth── eth0 dsrv (kea-dhcp4, raw sockets, 203.0.113.1/24)
//	dcl eth0 also has keaPerfAddr: perfdhcp always emulates a relay and
//	uses its local address as giaddr.
//
// Both servers lease from the same pool, with the same lease time, and
// start each cell with an empty lease file.
const (
	rowFallback     = "iphelper-fallback"
	rowKea          = "kea"
	rowKeaPerf      = "kea-perfdhcp"
	deadHelper      = "198.51.100.9" // iphelper's helper by default: nobody has it, the upstream is dead
	fallbackPool    = "203.0.113.10-203.0.113.250"
	fallbackClients = 200 // the pool holds 241 addresses
	leaseSeconds    = 3600
	// downWithin bounds the wait for iphelper's log line that declares the
	// upstream down (one transaction of 100 ms without a reply).
	downWithin = 3 * time.Second
)

// Titles of the fallback rows in the table.
var fallbackTitles = map[string]string{
	rowFallback: "iphelper fallback (loadgen through the relay)",
	rowKea:      "kea (loadgen)",
	rowKeaPerf:  "kea (perfdhcp)",
}

// Files of the fallback benchmark in the work directory.
func (o options) fallbackConfig() string { return filepath.Join(o.dir, "fallback.yaml") }
func (o options) fallbackDB() string     { return filepath.Join(o.dir, "fallback-leases.db") }
func (o options) controlSocket() string  { return filepath.Join(o.dir, "iphelper-control.sock") }
func (o options) keaDir() string         { return filepath.Join(o.dir, "kea") }
func (o options) keaConfig() string      { return filepath.Join(o.keaDir(), "kea-dhcp4.json") }
func (o options) keaLeases() string      { return filepath.Join(o.keaDir(), "leases4.csv") }
func (o options) keaEnv() []string {
	return []string{"KEA_PIDFILE_DIR=" + o.keaDir(), "KEA_LOCKFILE_DIR=" + o.keaDir()}
}
func (o options) keaArgs(a ...string) []string {
	return append(append(append([]string{"env"}, o.keaEnv()...), o.kea), a...)
}

// fallbackRows returns the rows of the fallback benchmark, in the order
// they are interleaved.
func (o options) fallbackRows() []row {
	var rs []row
	if o.iphelper != "" {
		rs = append(rs, row{Name: rowFallback, Kind: kindFallback, Packet: 1, Args: []string{
			o.iphelper, "run", "--allow-root", "--config", o.fallbackConfig(),
			"--interface", relayDown, "--helper-address", o.deadHelper,
			"--control-socket", o.controlSocket(),
			"--rate-limit-client", "off", "--rate-limit-interface", "off",
		}})
	}
	kea := row{Name: rowKea, Kind: kindKea, Direct: true, Packet: 1, Args: o.keaArgs("-c", o.keaConfig())}
	rs = append(rs, kea)
	if o.perfdhcp != "" {
		kea.Name, kea.Perf = rowKeaPerf, true
		rs = append(rs, kea)
	}
	return rs
}

// fallbackYAML is iphelper's configuration file for the fallback row; the
// interface and its dead helper come from the command line, like the relay
// row's. Every knob that makes it do what Kea does not is set off: no ARP
// probe before an offer (Kea does no conflict detection by default), no
// offer-delay (the upstream is dead), no cap on offers to new clients and
// no reserve for known ones. down-after 1 and the shortest
// transaction-timeout declare the upstream down within 100 ms.
func fallbackYAML(db string) string {
	return fmt.Sprintf(`# iphelper's fallback scope for test/bench/run.sh -fallback (written by benchrun).
lease-db: %s
log:
  level: info
interfaces:
  - name: %s
    fallback:
      pools: ["%s"]
      lease-time: %ds
      offer-delay: 0s
      down-after: 1
      transaction-timeout: 100ms
      probe-count: 0
      max-offers-outstanding: -1
      reserve-for-known: -1
`, db, relayDown, fallbackPool, leaseSeconds)
}

// keaJSON is kea-dhcp4's configuration: raw sockets on eth0 (it serves
// directly attached clients, like the fallback), leases in a memfile that
// is persisted (every lease appended to the CSV file, without fsync) and
// never compacted during the run (lfc-interval 0), Kea's default single
// thread, and warnings only in the log (no line per lease).
func keaJSON(leases string) ([]byte, error) {
	first, last, _ := strings.Cut(fallbackPool, "-")
	doc := map[string]any{"Dhcp4": map[string]any{
		"interfaces-config": map[string]any{"interfaces": []string{serverIf}, "dhcp-socket-type": "raw"},
		"lease-database": map[string]any{
			"type": "memfile", "persist": true, "name": leases, "lfc-interval": 0,
		},
		"valid-lifetime": leaseSeconds,
		"subnet4": []map[string]any{{
			"id": 1, "subnet": clientPool,
			"pools": []map[string]any{{"pool": first + " - " + last}},
		}},
		"loggers": []map[string]any{{
			"name":           "kea-dhcp4",
			"output_options": []map[string]any{{"output": "stderr"}},
			"severity":       "WARN",
		}},
	}}
	return json.MarshalIndent(doc, "", "  ")
}

// writeConfigs writes both servers' configurations into the work directory
// and has each server check its own.
func (b *bench) writeConfigs() error {
	o := b.o
	if err := os.MkdirAll(o.keaDir(), 0o700); err != nil {
		return fmt.Errorf("failed to create kea directory: %w", err)
	}
	kea, err := keaJSON(o.keaLeases())
	if err != nil {
		return fmt.Errorf("failed to build kea config: %w", err)
	}
	if err := os.WriteFile(o.keaConfig(), kea, 0o600); err != nil {
		return fmt.Errorf("failed to write kea config: %w", err)
	}
	check := append([]string{"ip", "netns", "exec", o.ns(nsDirectSrv)}, o.keaArgs("-t", o.keaConfig())...)
	if _, err := command(check...); err != nil {
		return fmt.Errorf("kea rejects %s: %w", o.keaConfig(), err)
	}
	if o.iphelper == "" {
		return nil
	}
	if err := os.WriteFile(o.fallbackConfig(), []byte(fallbackYAML(o.fallbackDB())), 0o600); err != nil {
		return fmt.Errorf("failed to write iphelper config: %w", err)
	}
	_, err = command("ip", "netns", "exec", o.ns(nsRelay), o.iphelper, "check-config",
		"--interface", relayDown, "--helper-address", o.deadHelper, o.fallbackConfig())
	if err != nil {
		return fmt.Errorf("iphelper check-config rejects %s: %w", o.fallbackConfig(), err)
	}
	return nil
}

// prepare empties the lease file of row r's server before it starts, so
// that every cell starts alike.
func (b *bench) prepare(r row) error {
	var path string
	switch r.Kind {
	case kindFallback:
		path = b.o.fallbackDB()
	case kindKea:
		path = b.o.keaLeases()
	default:
		return nil
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("failed to remove the lease file of %s: %w", r.Name, err)
	}
	return nil
}

// ready reports whether row r's process p, warmed up, may be measured:
// iphelper's fallback must have declared its upstream down, so that it
// answers at once, as it does during an outage.
func (b *bench) ready(r row, p *proc) error {
	if r.Kind != kindFallback {
		return nil
	}
	deadline := time.Now().Add(downWithin)
	for {
		if upstreamDown(p.logTail(1 << 16)) {
			return nil
		}
		if time.Now().After(deadline) || p.exited() {
			return fmt.Errorf("iphelper has not declared the upstream %s down", b.o.deadHelper)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// upstreamDown reports whether the last health change in iphelper's log
// says the helpers are down.
func upstreamDown(log string) bool {
	lines := strings.Split(log, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], `msg="upstream health changed"`) {
			return strings.Contains(lines[i], " to=down ")
		}
	}
	return false
}
