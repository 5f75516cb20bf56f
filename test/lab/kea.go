package lab

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// serverStart bounds how long a DHCP server may take to start serving.
const serverStart = 15 * time.Second

// StartKea writes a kea-dhcp4 configuration for cfg, checks it with
// `kea-dhcp4 -t`, starts the server in ns bound to addr on cfg.Interface
// ("dhcp-socket-type": "udp": relayed traffic only) and returns once it serves.
// Leases stay in memory; the pid and logger lock files go to a directory of this
// server's own (KEA_PIDFILE_DIR, KEA_LOCKFILE_DIR), so any number of Keas run side
// by side. Host reservations are keyed by circuit-id, then hardware address.
func (l *Lab) StartKea(ns string, addr netip.Addr, cfg ServerConfig) *Server {
	l.t.Helper()
	if err := cfg.validate(); err != nil {
		l.t.Fatalf("failed to configure kea: %v", err)
	}
	dir := l.nextName("kea", "")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		l.t.Fatalf("failed to create kea directory: %v", err)
	}
	conf, err := keaConfig(addr, cfg)
	if err != nil {
		l.t.Fatalf("failed to build kea config: %v", err)
	}
	path := filepath.Join(dir, "kea-dhcp4.json")
	if err := os.WriteFile(path, conf, 0o600); err != nil {
		l.t.Fatalf("failed to write kea config: %v", err)
	}
	env := []string{"KEA_PIDFILE_DIR=" + dir, "KEA_LOCKFILE_DIR=" + dir}
	l.Exec(ns, append(append([]string{"env"}, env...), "kea-dhcp4", "-t", path)...)
	p := l.StartProc(ProcSpec{NS: ns, Name: "kea-dhcp4", Env: env, Args: []string{"kea-dhcp4", "-c", path}})
	if !WaitFor(func() bool { return p.Exited() || strings.Contains(p.Log(), "DHCP4_STARTED") }, serverStart) || p.Exited() {
		l.t.Fatalf("kea-dhcp4 in %s did not start:\n%s", ns, tail(p.Log(), logTail))
	}
	return &Server{Kind: Kea, Addr: addr, Proc: p, ConfigPath: path}
}

// keaConfig renders cfg as a kea-dhcp4 configuration document.
func keaConfig(addr netip.Addr, cfg ServerConfig) ([]byte, error) {
	lease := int(cfg.leaseTime() / time.Second)
	subnets := make([]map[string]any, 0, len(cfg.Subnets))
	for i, s := range cfg.Subnets {
		subnets = append(subnets, keaSubnet(i+1, s))
	}
	doc := map[string]any{"Dhcp4": map[string]any{
		"interfaces-config": map[string]any{
			"interfaces":       []string{cfg.Interface + "/" + addr.String()},
			"dhcp-socket-type": "udp",
		},
		"lease-database":               map[string]any{"type": "memfile", "persist": false},
		"valid-lifetime":               lease,
		"renew-timer":                  lease / 2,
		"rebind-timer":                 lease * 7 / 8,
		"host-reservation-identifiers": []string{"circuit-id", "hw-address"},
		"subnet4":                      subnets,
		"loggers": []map[string]any{{
			"name":           "kea-dhcp4",
			"output_options": []map[string]any{{"output": "stderr"}},
			"severity":       "DEBUG",
			"debuglevel":     40,
		}},
	}}
	return json.MarshalIndent(doc, "", "  ")
}

// keaSubnet renders one subnet4 entry.
func keaSubnet(id int, s Subnet) map[string]any {
	sub := map[string]any{"id": id, "subnet": s.Prefix.Masked().String()}
	if s.PoolFirst.IsValid() {
		sub["pools"] = []map[string]any{{"pool": s.PoolFirst.String() + " - " + s.PoolLast.String()}}
	}
	var opts []map[string]any
	if s.Router.IsValid() {
		opts = append(opts, map[string]any{"name": "routers", "data": s.Router.String()})
	}
	if s.ServerID.IsValid() {
		opts = append(opts, map[string]any{"name": "dhcp-server-identifier", "data": s.ServerID.String()})
	}
	if opts != nil {
		sub["option-data"] = opts
	}
	var res []map[string]any
	for _, r := range s.Reservations {
		// Kea takes identifiers as colon-separated hex, which works for any bytes.
		res = append(res, map[string]any{"circuit-id": hexColons([]byte(r.CircuitID)), "ip-address": r.Addr.String()})
	}
	if res != nil {
		sub["reservations"] = res
	}
	return sub
}

// hexColons renders b as colon-separated hex bytes ("64:6f:77:6e:30").
func hexColons(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}
