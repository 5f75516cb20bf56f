package control

import (
	"maps"
	"slices"

	"github.com/iphelper/iphelper/relay/status"
)

// DDNSScope is one fallback scope's dynamic DNS (`show ddns`,
// docs/ddns.md): its queue, its registrations and the outcome of its
// updates, per zone.
type DDNSScope struct {
	Interface  string `json:"interface"`
	Pending    int    `json:"pending"`    // updates queued
	Registered int    `json:"registered"` // addresses with a registration (one whose name was left alone to another client included)
	Done       uint64 `json:"done"`       // updates completed
	Conflicts  uint64 `json:"conflicts"`  // names left alone: another client's
	QueueFull  uint64 `json:"queue_full"` // updates dropped: the queue was full
	// Failed counts failed attempts by reason (timeout, refused, notauth,
	// tsig, gave_up, …); conflicts are counted in Conflicts and per zone.
	Failed map[string]uint64 `json:"failed"`
	Zones  []DDNSZone        `json:"zones"` // by name
}

// DDNSZone counts the update steps sent to one zone.
type DDNSZone struct {
	Zone   string            `json:"zone"`
	Done   uint64            `json:"done"`
	Failed map[string]uint64 `json:"failed"`
}

// ddnsOf lists the scopes with dynamic DNS, in interface order.
func ddnsOf(st status.Status) []DDNSScope {
	out := []DDNSScope{}
	for _, sc := range st.Scopes {
		d := sc.DDNS
		if d == nil {
			continue
		}
		v := DDNSScope{
			Interface: sc.Interface, Pending: d.Pending, Registered: d.Registered, Done: d.Done,
			Conflicts: d.Conflicts, QueueFull: d.QueueFull, Failed: maps.Clone(d.Failed), Zones: []DDNSZone{},
		}
		if v.Failed == nil {
			v.Failed = map[string]uint64{}
		}
		for _, zone := range slices.Sorted(maps.Keys(d.Zones)) {
			z := d.Zones[zone]
			f := maps.Clone(z.Failed)
			if f == nil {
				f = map[string]uint64{}
			}
			v.Zones = append(v.Zones, DDNSZone{Zone: zone, Done: z.Done, Failed: f})
		}
		out = append(out, v)
	}
	return out
}
