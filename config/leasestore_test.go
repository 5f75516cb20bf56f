package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const etcdIfs = "interfaces: [{name: eth1, helper-addresses: [198.51.100.2]}]\n"

func TestLeaseStoreParse(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  *Etcd
	}{
		{name: "default bolt", data: etcdIfs},
		{name: "bolt spelled out", data: "lease-store: bolt\n" + etcdIfs},
		{name: "etcd defaults", data: "lease-store: etcd\netcd: {endpoints: [http://198.51.100.65:2379]}\n" + etcdIfs,
			want: &Etcd{Endpoints: []string{"http://198.51.100.65:2379"}, Prefix: "/iphelper/",
				DialTimeout: 5 * time.Second, RequestTimeout: 3 * time.Second}},
		{name: "every key", data: "lease-store: etcd\netcd: {endpoints: [https://198.51.100.65:2379, unix:///run/etcd.sock], prefix: /site1/, " +
			"dial-timeout: 2s, request-timeout: 1500ms, tls-cert: /c.pem, tls-key: /k.pem, tls-ca: /ca.pem, username: iphelper, password-file: /pw}\n" + etcdIfs,
			want: &Etcd{Endpoints: []string{"https://198.51.100.65:2379", "unix:///run/etcd.sock"}, Prefix: "/site1/",
				DialTimeout: 2 * time.Second, RequestTimeout: 1500 * time.Millisecond, TLSCert: "/c.pem", TLSKey: "/k.pem", TLSCA: "/ca.pem",
				Username: "iphelper", PasswordFile: "/pw"}},
		{name: "flags only", data: etcdIfs, flags: Flags{LeaseStore: ptrTo("etcd"), EtcdEndpoints: []string{"http://198.51.100.65:2379", "http://198.51.100.66:2379"}},
			want: &Etcd{Endpoints: []string{"http://198.51.100.65:2379", "http://198.51.100.66:2379"}, Prefix: "/iphelper/",
				DialTimeout: 5 * time.Second, RequestTimeout: 3 * time.Second}},
		{name: "flag endpoints replace the file's", data: "lease-store: etcd\netcd: {endpoints: [http://198.51.100.65:2379]}\n" + etcdIfs,
			flags: Flags{EtcdEndpoints: []string{"http://198.51.100.70:2379"}},
			want: &Etcd{Endpoints: []string{"http://198.51.100.70:2379"}, Prefix: "/iphelper/",
				DialTimeout: 5 * time.Second, RequestTimeout: 3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseTest(tt.data, tt.flags)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, cfg.Etcd); diff != "" {
				t.Errorf("Etcd (-want +got):\n%s", diff)
			}
			wantKind := LeaseStoreBolt
			if tt.want != nil {
				wantKind = LeaseStoreEtcd
			}
			if got := cfg.LeaseStore(); got != wantKind {
				t.Errorf("LeaseStore() = %q, want %q", got, wantKind)
			}
			// The effective config parses back to the same store.
			if diff := cmp.Diff(cfg.Etcd, effectiveRoundTrip(t, cfg).Etcd); diff != "" {
				t.Errorf("effective round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLeaseStoreErrors(t *testing.T) {
	const ep = "etcd: {endpoints: [http://198.51.100.65:2379]"
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  string
	}{
		{name: "unknown store", data: "lease-store: redis\n" + etcdIfs, want: `lease-store: unknown value "redis": want one of [bolt etcd]`},
		{name: "unknown store flag", data: etcdIfs, flags: Flags{LeaseStore: ptrTo("zk")}, want: `--lease-store: unknown value "zk": want one of [bolt etcd]`},
		{name: "etcd block without etcd store", data: ep + "}\n" + etcdIfs,
			want: "etcd: is set but lease-store is bolt: set lease-store: etcd (or --lease-store etcd) to use it"},
		{name: "endpoint flag without etcd store", data: etcdIfs, flags: Flags{EtcdEndpoints: []string{"http://198.51.100.65:2379"}},
			want: "etcd: is set but lease-store is bolt: set lease-store: etcd (or --lease-store etcd) to use it"},
		{name: "no endpoints", data: "lease-store: etcd\n" + etcdIfs,
			want: "etcd.endpoints: missing: lease-store etcd needs the members' client URLs (or --etcd-endpoint)"},
		{name: "endpoint without port", data: "lease-store: etcd\netcd: {endpoints: [http://198.51.100.65]}\n" + etcdIfs,
			want: `etcd.endpoints: "http://198.51.100.65": want scheme://host:port`},
		{name: "endpoint scheme", data: etcdIfs, flags: Flags{LeaseStore: ptrTo("etcd"), EtcdEndpoints: []string{"198.51.100.65:2379"}},
			want: `--etcd-endpoint: "198.51.100.65:2379": want scheme://host:port, e.g. http://198.51.100.65:2379`},
		{name: "endpoint unknown scheme", data: "lease-store: etcd\netcd: {endpoints: [\"grpc://198.51.100.65:2379\"]}\n" + etcdIfs,
			want: `etcd.endpoints: "grpc://198.51.100.65:2379": unknown scheme "grpc": want http, https, unix or unixs`},
		{name: "prefix", data: "lease-store: etcd\n" + ep + ", prefix: iphelper}\n" + etcdIfs,
			want: `etcd.prefix: "iphelper" must start with / and hold no NUL byte`},
		{name: "request timeout", data: "lease-store: etcd\n" + ep + ", request-timeout: 2m}\n" + etcdIfs,
			want: "etcd.request-timeout: 2m0s is out of range [100ms, 1m0s]"},
		{name: "dial timeout", data: "lease-store: etcd\n" + ep + ", dial-timeout: soon}\n" + etcdIfs,
			want: `etcd.dial-timeout: "soon" is not a duration: write a number and a unit, e.g. 90s, 5m or 1h30m`},
		{name: "cert without key", data: "lease-store: etcd\n" + ep + ", tls-cert: /c.pem}\n" + etcdIfs,
			want: "etcd: tls-cert and tls-key go together: a client certificate needs its key"},
		{name: "relative ca", data: "lease-store: etcd\n" + ep + ", tls-ca: ca.pem}\n" + etcdIfs,
			want: `etcd.tls-ca: "ca.pem" is not an absolute path`},
		{name: "user without password", data: "lease-store: etcd\n" + ep + ", username: u}\n" + etcdIfs,
			want: "etcd: username and password-file go together"},
		{name: "with failover", data: "lease-store: etcd\n" + ep + "}\nfailover: {role: primary, listen: 198.51.100.10, peer: 198.51.100.11, key-file: /k}\n" + etcdIfs,
			want: "lease-store: etcd and failover: exclude each other: the nodes of a site share the etcd store instead of pairing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTest(tt.data, tt.flags)
			if err == nil {
				t.Fatal("parse succeeded")
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}
