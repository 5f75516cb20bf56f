package lab

import (
	"fmt"
	"os"
	"strings"
)

// The options StartClientAsking can ask for, by code: each client's name
// for it, and for dhclient the declaration of those it does not know.
var askable = map[uint8]struct{ dhclient, decl, udhcpc string }{
	42:  {dhclient: "ntp-servers", udhcpc: "ntpsrv"},
	119: {dhclient: "domain-search", udhcpc: "search"},
	121: {dhclient: "rfc3442-classless-static-routes", decl: "code 121 = array of unsigned integer 8", udhcpc: "staticroutes"},
	150: {dhclient: "tftp-server-address", decl: "code 150 = array of ip-address", udhcpc: "150"},
}

// StartClientAsking starts a Dhclient or Udhcpc client that asks for the
// option codes (42, 119, 121, 150) besides its usual ones: dhclient
// through a request statement of its config file, udhcpc with -O. Its
// script records, besides the events, its whole environment at each event
// (see Env).
func (l *Lab) StartClientAsking(kind ClientKind, ns, ifname string, codes ...uint8) *Client {
	l.t.Helper()
	c := &Client{Kind: kind, l: l, ns: ns, ifname: ifname, record: l.nextName(string(kind)+"-"+ifname, ".events")}
	env := c.record + ".env"
	if strings.ContainsAny(c.record, "'\n") {
		l.t.Fatalf("failed to start %s: the lab directory %q cannot be quoted in a script", kind, l.dir)
	}
	if err := os.WriteFile(c.record, nil, 0o600); err != nil {
		l.t.Fatalf("failed to create %s: %v", c.record, err)
	}
	event := `"$reason"`
	if kind != Dhclient {
		event = `"$1"`
	}
	dump := fmt.Sprintf("{ echo \"@@ %s\"; env; } >> '%s'\n", event, env)
	script := l.nextName(string(kind)+"-script", ".sh")
	if err := os.WriteFile(script, []byte(clientScript(kind, c.record)+dump), 0o700); err != nil {
		l.t.Fatalf("failed to write client script: %v", err)
	}
	var spec ProcSpec
	switch kind {
	case Dhclient:
		spec = l.dhclientSpec(ns, ifname, script, nil)
		spec.Args[argIndex(spec.Args, "-cf")+1] = l.dhclientAskingConf(codes)
	case Udhcpc:
		spec = udhcpcSpec(ns, ifname, script, false)
		for _, code := range codes {
			spec.Args = append(spec.Args, "-O", askable[code].udhcpc)
		}
	default:
		l.t.Fatalf("StartClientAsking: %s is not dhclient or udhcpc", kind)
	}
	c.Proc = l.StartProc(spec)
	return c
}

// argIndex returns the index of s in args, or -1.
func argIndex(args []string, s string) int {
	for i, a := range args {
		if a == s {
			return i
		}
	}
	return -1
}

// dhclientAskingConf writes a dhclient config whose request statement
// names the usual options and the codes.
func (l *Lab) dhclientAskingConf(codes []uint8) string {
	l.t.Helper()
	var b strings.Builder
	req := []string{"subnet-mask", "broadcast-address", "routers", "domain-name", "domain-name-servers"}
	for _, code := range codes {
		a, ok := askable[code]
		if !ok {
			l.t.Fatalf("StartClientAsking: option %d is not one the lab can ask for", code)
		}
		if a.decl != "" {
			fmt.Fprintf(&b, "option %s %s;\n", a.dhclient, a.decl)
		}
		req = append(req, a.dhclient)
	}
	fmt.Fprintf(&b, "timeout %d;\nretry 5;\ninitial-interval 1;\nbackoff-cutoff 2;\nrequest %s;\n",
		int(clientTimeout.Seconds()), strings.Join(req, ", "))
	conf := l.nextName("dhclient-asking", ".conf")
	if err := os.WriteFile(conf, []byte(b.String()), 0o600); err != nil {
		l.t.Fatalf("failed to write dhclient config: %v", err)
	}
	return conf
}

// Env returns the environment the client's script had at the last event
// named event (as the client spells it: BOUND for dhclient, bound for
// udhcpc), for a client of StartClientAsking; nil if there was none.
func (c *Client) Env(event string) map[string]string {
	c.l.t.Helper()
	data, err := os.ReadFile(c.record + ".env")
	if err != nil {
		return nil
	}
	var env map[string]string
	for _, block := range strings.Split(string(data), "@@ ")[1:] {
		lines := strings.Split(block, "\n")
		if lines[0] != event {
			continue
		}
		env = map[string]string{}
		for _, kv := range lines[1:] {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
	}
	return env
}
