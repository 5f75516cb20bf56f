// Package metrics exports the relay's counters to Prometheus: a
// prometheus.Collector that reads status.Status at scrape time (the hot
// paths keep their own atomic counters and pay nothing for metrics), an
// http.Handler for /metrics, and the HTTP server task behind
// --metrics-listen.
//
// Names follow iphelper_<subsystem>_<what>_<unit|total>; labels are
// bounded: interface, helper, reason — never a MAC, xid or client address.
// The registry is made by the caller (main), so tests use a private one.
package metrics
