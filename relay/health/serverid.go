package health

import "net/netip"

// maxServerIDs bounds the server identifiers a Tracker remembers: one per
// server of the set, plus one per interface whose relay address the
// servers put in option 54 (server-id-override, RFC 5107). Past it the
// Tracker forgets them all and learns them again from the next replies.
const maxServerIDs = 256

// LearnServerID records that a reply from the helper set carried id as
// its server identifier (option 54). The relay calls it from its reply
// path for every reply a helper sends; it allocates nothing.
func (t *Tracker) LearnServerID(id netip.Addr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.serverIDs[id]; ok {
		return
	}
	if len(t.serverIDs) >= maxServerIDs {
		clear(t.serverIDs)
	}
	t.serverIDs[id] = struct{}{}
}

// KnowsServerID reports whether a reply from the helper set has carried
// id as its server identifier (LearnServerID), recently enough not to be
// forgotten. A client's REQUEST naming such a server must be answered by
// the set; one naming any other server must not (RFC 2131 §4.3.2).
func (t *Tracker) KnowsServerID(id netip.Addr) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.serverIDs[id]
	return ok
}
