package config

import "fmt"

// A reply finds its downstream interface by giaddr, then by the circuit-id
// and remote-id it carries back. Interfaces that share a giaddr and stamp
// the same pair cannot be told apart by them. checkStamps rejects what the
// configuration alone shows: entries that share a giaddr or a
// source-interface and whose templates expand to the same bytes whatever
// the link (literal text, hex: bytes, {hostname}). What depends on the link
// ({vlan} on links that are no VLANs, {mac} on the VLANs of one trunk) is
// found by the relay when it serves the links.

// checkStamps reports every pair of entries, and every pattern entry, that
// would stamp one option 82 on several interfaces sharing a giaddr.
func checkStamps(ifs []Interface, hostname string, errs *errList) {
	type stamped struct {
		entry int
		cid   string
		rid   string
	}
	groups := map[string][]stamped{}
	for i := range ifs {
		in := &ifs[i]
		shared, ok := sharedGIAddr(in)
		if !ok || !in.Option82.Insert {
			continue
		}
		cid, okc := in.Option82.CircuitID.fixedValue(hostname)
		rid, okr := in.Option82.RemoteID.fixedValue(hostname)
		if !okc || !okr {
			continue
		}
		if in.IsPattern() {
			errs.addf(fmt.Sprintf("interface %q: ", in.Name),
				"every link it matches shares %s and stamps circuit-id %q with remote-id %q, so their replies cannot be told apart: give a circuit-id that names the link, e.g. \"{ifname}\"",
				shared, cid, rid)
			continue
		}
		for _, o := range groups[shared] {
			if o.cid == string(cid) && o.rid == string(rid) {
				errs.addf("", "interfaces %q and %q share %s and stamp the same circuit-id %q with remote-id %q, so their replies cannot be told apart: give each its own circuit-id, e.g. \"{ifname}\"",
					ifs[o.entry].Name, in.Name, shared, cid, rid)
				break
			}
		}
		groups[shared] = append(groups[shared], stamped{entry: i, cid: string(cid), rid: string(rid)})
	}
}

// sharedGIAddr names what an entry relays with when other entries may
// relay with it too: its giaddr or its source-interface. Without either,
// each interface relays with its own address.
func sharedGIAddr(in *Interface) (string, bool) {
	switch {
	case in.GIAddr.IsValid():
		return "giaddr " + in.GIAddr.String(), true
	case in.SourceInterface != "":
		return "source-interface " + in.SourceInterface, true
	}
	return "", false
}

// fixedValue returns what t expands to on every link, when that does not
// depend on the link: t holds no variable but {hostname}.
func (t Template) fixedValue(hostname string) ([]byte, bool) {
	if t.IsZero() {
		return nil, false
	}
	for _, p := range t.parts {
		if p.v != varNone && p.v != varHostname {
			return nil, false
		}
	}
	b, err := t.Expand(TemplateVars{Hostname: hostname})
	if err != nil {
		return nil, false
	}
	return b, true
}
