package fallback

import (
	"net/netip"
	"slices"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// ClearConflicts ends the quarantine of addr at once, or of every
// quarantined address when addr is not valid (`clear conflicts`; IOS:
// clear ip dhcp conflict), and returns the addresses freed, in order. The
// quarantine records are deleted from the store too, so that a restart
// does not bring them back; if that write fails, they are freed in memory
// only and the error is logged. A failover partner keeps its own
// quarantines.
func (s *Server) ClearConflicts(addr netip.Addr) []netip.Addr {
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	s.mu.Lock()
	var freed []netip.Addr
	for a, b := range s.tab.byAddr {
		if b.state == leasestore.StateDeclined && (!addr.IsValid() || a == addr) {
			freed = append(freed, a)
		}
	}
	for _, a := range freed {
		s.tab.remove(a)
	}
	s.mu.Unlock()
	if len(freed) == 0 {
		return nil
	}
	slices.SortFunc(freed, func(a, b netip.Addr) int { return a.Compare(b) })
	for _, a := range freed {
		s.stage(leasestore.DeleteWrite(s.scope.Interface, a), nil)
	}
	if err := s.commitStaged(); err == nil {
		s.log.Info("quarantined addresses freed by clear conflicts", "addrs", freed)
	}
	return freed
}
