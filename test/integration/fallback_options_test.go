package integration

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/iphelper/iphelper/test/lab"
)

// TestFallbackOptionsReachClients checks the fallback's configured options
// on real clients: with the upstream server dead, dhclient (asking through
// a request statement of its config) and udhcpc (asking with -O) ask for
// NTP servers (42), a domain search list (119), classless static routes
// (121) and TFTP servers (150), and their scripts see the values of the
// config file, decoded by the clients themselves.
func TestFallbackOptionsReachClients(t *testing.T) {
	f := newFallback(t, true, "dhclient", "udhcpc")
	conf := filepath.Join(f.l.Dir(), "iphelper.yaml")
	data := "interfaces:\n  - name: " + f.seg.RelayIf + "\n    fallback:\n      options:\n" +
		"        - {name: ntp-servers, value: [198.51.100.123]}\n" +
		"        - {name: domain-search, value: [example.net, corp.example.net]}\n" +
		"        - {name: classless-static-routes, value: [\"198.51.100.0/24 203.0.113.1\"]}\n" +
		"        - {name: tftp-server, code: 150, type: address-list, value: [198.51.100.69, 198.51.100.70]}\n"
	if err := os.WriteFile(conf, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	f.startRelay(fbOptions{args: []string{"--config", conf}})
	asked := []uint8{42, 119, 121, 150}

	dh := f.l.AddHost(f.tp, "dhclient")
	dc := f.l.StartClientAsking(lab.Dhclient, dh.NS, dh.If, asked...)
	uh := f.l.AddHost(f.tp, "udhcpc")
	uc := f.l.StartClientAsking(lab.Udhcpc, uh.NS, uh.If, asked...)
	checkFallbackLease(t, dc.WaitLease(leaseTimeout), f.seg, fbLease)
	checkFallbackLease(t, uc.WaitLease(leaseTimeout), f.seg, fbLease)

	checkEnv(t, "dhclient", dc.Env("BOUND"), map[string]string{
		"new_ntp_servers":                     "198.51.100.123",
		"new_domain_search":                   "example.net. corp.example.net.",
		"new_rfc3442_classless_static_routes": "24 198 51 100 203 0 113 1",
		"new_tftp_server_address":             "198.51.100.69 198.51.100.70",
	})
	checkEnv(t, "udhcpc", uc.Env("bound"), map[string]string{
		"ntpsrv":       "198.51.100.123",
		"search":       "example.net corp.example.net",
		"staticroutes": "198.51.100.0/24 203.0.113.1",
		"opt150":       "c6336445c6336446",
	})
}

// checkEnv fails the test unless env holds every variable of want with its
// value.
func checkEnv(t *testing.T, client string, env, want map[string]string) {
	t.Helper()
	if env == nil {
		t.Errorf("%s: its script recorded no environment for the binding", client)
		return
	}
	got := map[string]string{}
	for k := range want {
		got[k] = env[k]
	}
	if diff := cmpDiff(want, got); diff != "" {
		t.Errorf("%s: script environment (-want +got):\n%s", client, diff)
	}
}
