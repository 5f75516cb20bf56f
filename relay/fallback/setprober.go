package fallback

// SetProber replaces the conflict prober; nil turns conflict detection
// off. The relay calls it when a reload changes the probe settings or the
// interface's address changes. It waits for a Handle, Stage, Probe or
// Commit in progress; DISCOVERs staged for a probe are probed by the new
// prober.
func (s *Server) SetProber(p Prober) {
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	s.prober = p
}
