package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The lease-store: values.
const (
	LeaseStoreBolt = "bolt" // one node's file, lease-db
	LeaseStoreEtcd = "etcd" // an etcd cluster the nodes of a site share
)

// Etcd is the etcd: block: how the fallback servers reach the etcd cluster
// that holds the leases of a site's nodes (lease-store: etcd; see
// docs/cluster.md).
type Etcd struct {
	// Endpoints are the members' client URLs (http, https, unix, unixs).
	Endpoints []string
	// Prefix starts every key the daemon writes.
	Prefix string
	// DialTimeout bounds the connection to a member; RequestTimeout one
	// request: a lease write that takes longer fails and sends no ACK.
	DialTimeout    time.Duration
	RequestTimeout time.Duration
	// TLSCert and TLSKey are the client certificate (both or neither),
	// TLSCA the authority that signed the members' certificates ("": the
	// system's).
	TLSCert, TLSKey, TLSCA string
	// Username authenticates with the password in PasswordFile (both or
	// neither).
	Username, PasswordFile string
}

// TLS reports whether the connection to the members uses TLS.
func (e *Etcd) TLS() bool {
	if e.TLSCert != "" || e.TLSCA != "" {
		return true
	}
	for _, ep := range e.Endpoints {
		if strings.HasPrefix(ep, "https://") || strings.HasPrefix(ep, "unixs://") {
			return true
		}
	}
	return false
}

// LeaseStore returns the lease-store: value, LeaseStoreBolt or
// LeaseStoreEtcd.
func (c *Config) LeaseStore() string {
	if c.Etcd != nil {
		return LeaseStoreEtcd
	}
	return LeaseStoreBolt
}

// rawEtcd is the etcd: block as written.
type rawEtcd struct {
	Endpoints      *[]string `yaml:"endpoints,omitempty,flow"`
	Prefix         *string   `yaml:"prefix,omitempty"`
	DialTimeout    *string   `yaml:"dial-timeout,omitempty"`
	RequestTimeout *string   `yaml:"request-timeout,omitempty"`
	TLSCert        *string   `yaml:"tls-cert,omitempty"`
	TLSKey         *string   `yaml:"tls-key,omitempty"`
	TLSCA          *string   `yaml:"tls-ca,omitempty"`
	Username       *string   `yaml:"username,omitempty"`
	PasswordFile   *string   `yaml:"password-file,omitempty"`
}

// The ranges of the etcd block's durations (see defaults.go).
var ruleEtcdTimeout = durationRule{lo: MinEtcdTimeout, hi: MaxEtcdTimeout}

// buildLeaseStore sets cfg.Etcd from lease-store: and the etcd: block, the
// flags over the file: nil for the bolt file.
func buildLeaseStore(cfg *Config, raw rawFile, f Flags, errs *errList) {
	kind := pickWord(f.LeaseStore, "--lease-store", raw.LeaseStore, "lease-store",
		DefaultLeaseStore, []string{LeaseStoreBolt, LeaseStoreEtcd}, errs)
	if kind != LeaseStoreEtcd {
		if raw.Etcd != nil || len(f.EtcdEndpoints) > 0 {
			errs.addf("etcd: ", "is set but lease-store is %s: set lease-store: etcd (or --lease-store etcd) to use it", kind)
		}
		return
	}
	re := raw.Etcd
	if re == nil {
		re = &rawEtcd{}
	}
	e := &Etcd{Prefix: DefaultEtcdPrefix, DialTimeout: DefaultEtcdDialTimeout, RequestTimeout: DefaultEtcdRequestTimeout}
	eps, where := f.EtcdEndpoints, "--etcd-endpoint: "
	if len(eps) == 0 && re.Endpoints != nil {
		eps, where = *re.Endpoints, "etcd.endpoints: "
	}
	if len(eps) == 0 {
		errs.addf("etcd.endpoints: ", "missing: lease-store etcd needs the members' client URLs (or --etcd-endpoint)")
	}
	for _, ep := range eps {
		if err := checkEtcdEndpoint(ep); err != nil {
			errs.addf(where, "%w", err)
		}
	}
	e.Endpoints = append([]string(nil), eps...)
	if re.Prefix != nil {
		e.Prefix = *re.Prefix
		if !strings.HasPrefix(e.Prefix, "/") || strings.ContainsRune(e.Prefix, 0) {
			errs.addf("etcd.prefix: ", "%q must start with / and hold no NUL byte", e.Prefix)
		}
	}
	if d := durationKey(re.DialTimeout, ruleEtcdTimeout, "etcd.dial-timeout: ", errs); d != nil {
		e.DialTimeout = *d
	}
	if d := durationKey(re.RequestTimeout, ruleEtcdTimeout, "etcd.request-timeout: ", errs); d != nil {
		e.RequestTimeout = *d
	}
	etcdCredentials(e, re, errs)
	cfg.Etcd = e
}

// etcdCredentials sets the certificate and the user of the etcd: block.
func etcdCredentials(e *Etcd, re *rawEtcd, errs *errList) {
	for _, k := range []struct {
		name string
		v    *string
		dst  *string
	}{{"tls-cert", re.TLSCert, &e.TLSCert}, {"tls-key", re.TLSKey, &e.TLSKey}, {"tls-ca", re.TLSCA, &e.TLSCA},
		{"password-file", re.PasswordFile, &e.PasswordFile}} {
		if k.v != nil {
			*k.dst = pathKey(*k.v, "etcd."+k.name+": ", errs)
		}
	}
	if (re.TLSCert == nil) != (re.TLSKey == nil) {
		errs.addf("etcd: ", "tls-cert and tls-key go together: a client certificate needs its key")
	}
	if re.Username != nil {
		e.Username = *re.Username
	}
	if (e.Username == "") != (re.PasswordFile == nil) {
		errs.addf("etcd: ", "username and password-file go together")
	}
}

// checkEtcdEndpoint checks one member's client URL.
func checkEtcdEndpoint(ep string) error {
	if !strings.Contains(ep, "://") {
		return fmt.Errorf("%q: want scheme://host:port, e.g. http://%s", ep, ep)
	}
	u, err := url.Parse(ep)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", ep, err)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Hostname() == "" || u.Port() == "" {
			return fmt.Errorf("%q: want scheme://host:port", ep)
		}
	case "unix", "unixs":
		if u.Host == "" && u.Path == "" {
			return fmt.Errorf("%q: want unix://PATH", ep)
		}
	default:
		return fmt.Errorf("%q: unknown scheme %q: want http, https, unix or unixs", ep, u.Scheme)
	}
	return nil
}

// rawFromEtcd writes the lease store back in file form (Effective).
func rawFromEtcd(c *Config, raw *rawFile) {
	raw.LeaseStore = ptr(c.LeaseStore())
	e := c.Etcd
	if e == nil {
		return
	}
	eps := append([]string(nil), e.Endpoints...)
	re := &rawEtcd{Endpoints: &eps, Prefix: ptr(e.Prefix),
		DialTimeout: ptr(e.DialTimeout.String()), RequestTimeout: ptr(e.RequestTimeout.String())}
	for _, k := range []struct {
		v   string
		dst **string
	}{{e.TLSCert, &re.TLSCert}, {e.TLSKey, &re.TLSKey}, {e.TLSCA, &re.TLSCA}, {e.Username, &re.Username}, {e.PasswordFile, &re.PasswordFile}} {
		if k.v != "" {
			*k.dst = ptr(k.v)
		}
	}
	raw.Etcd = re
}
