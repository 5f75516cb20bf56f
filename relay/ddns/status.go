package ddns

import "maps"

// Status is what `show ddns` reports for one scope.
type Status struct {
	Pending    int               // updates queued
	Registered int               // addresses with records
	Done       uint64            // updates completed
	Conflicts  uint64            // names left alone: another client's
	QueueFull  uint64            // updates dropped: the queue was full
	Failed     map[string]uint64 // failed attempts by reason
	Zones      map[string]*ZoneStatus
}

// ZoneStatus counts the updates sent to one zone.
type ZoneStatus struct {
	Done   uint64            // steps that succeeded
	Failed map[string]uint64 // steps that failed, by reason
}

func newStatus() Status {
	return Status{Failed: make(map[string]uint64), Zones: make(map[string]*ZoneStatus)}
}

// zone returns the counters of zone, made on first use.
func (s *Status) zone(zone string) *ZoneStatus {
	z := s.Zones[zone]
	if z == nil {
		z = &ZoneStatus{Failed: make(map[string]uint64)}
		s.Zones[zone] = z
	}
	return z
}

// Status returns a copy of the counters.
func (u *Updater) Status() Status {
	u.mu.Lock()
	defer u.mu.Unlock()
	s := u.stats
	s.Pending, s.Registered = len(u.ops), len(u.regs)
	s.Failed = maps.Clone(u.stats.Failed)
	s.Zones = make(map[string]*ZoneStatus, len(u.stats.Zones))
	for k, z := range u.stats.Zones {
		s.Zones[k] = &ZoneStatus{Done: z.Done, Failed: maps.Clone(z.Failed)}
	}
	return s
}
