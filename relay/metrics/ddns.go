package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/iphelper/iphelper/relay/status"
)

var (
	ddnsUpdates = desc("iphelper_ddns_updates_total",
		"Dynamic DNS update steps sent by the fallback scopes, by zone and result: success, or the failure's reason (timeout, network, tsig, conflict, refused, notauth, …).",
		"zone", "result")
	ddnsPending = desc("iphelper_ddns_pending",
		"Dynamic DNS updates queued, by interface.", "interface")
	ddnsDescs = []*prometheus.Desc{ddnsUpdates, ddnsPending}
)

// collectDDNS exports the scopes' dynamic DNS; scopes sharing a zone add
// up in its series.
func collectDDNS(ch chan<- prometheus.Metric, scopes []status.ScopeStatus) {
	type key struct{ zone, result string }
	sums := make(map[key]uint64)
	for _, sc := range scopes {
		if sc.DDNS == nil {
			continue
		}
		gauge(ch, ddnsPending, float64(sc.DDNS.Pending), sc.Interface)
		for zone, z := range sc.DDNS.Zones {
			sums[key{zone, "success"}] += z.Done
			for reason, n := range z.Failed {
				sums[key{zone, reason}] += n
			}
		}
	}
	for k, n := range sums {
		counter(ch, ddnsUpdates, n, k.zone, k.result)
	}
}
