package main

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/iphelper/iphelper/test/bench/internal/dora"
)

// counters is a snapshot of everything a run is measured by, taken before
// and after it.
type counters struct {
	relayTicks   int64 // utime + stime of the relay
	relayRuntime int64 // ns on CPU of the relay's threads
	relayUDP     int64 // UdpRcvbufErrors in the relay's namespace
	relayPacket  int64 // sk_drops of the relay's packet sockets (iphelper: its socket_overflow drops)
	responder    int64 // UdpRcvbufErrors in the responder's namespace
	clientUDP    int64 // UdpRcvbufErrors in perfdhcp's namespace (perfdhcp rows)
	links        int64 // rx+tx drops of the lab's links
	softnet      int64 // backlog drops, machine-wide
}

// run is one loadgen run with what the relay and the lab did meanwhile.
type run struct {
	Load dora.Result `json:"load"`

	RelayCPUTicks     int64   `json:"relay_cpu_ticks,omitempty"`
	CPUPerDORAus      float64 `json:"relay_cpu_us_per_dora,omitempty"`     // from utime+stime
	RuntimePerDORAus  float64 `json:"relay_runtime_us_per_dora,omitempty"` // from schedstat, finer
	RelayUDPDrops     int64   `json:"relay_udp_rcvbuf_drops"`
	RelayPacketDrops  int64   `json:"relay_packet_drops"`
	ResponderDrops    int64   `json:"responder_rcvbuf_drops"`
	ClientUDPDrops    int64   `json:"client_udp_rcvbuf_drops,omitempty"` // perfdhcp's namespace
	LinkDrops         int64   `json:"link_drops"`
	SoftnetDrops      int64   `json:"softnet_drops"`
	MeasurementErrors string  `json:"measurement_errors,omitempty"`
	// Perfdhcp is perfdhcp's own report of the run (perfdhcp rows).
	Perfdhcp *perfReport `json:"perfdhcp,omitempty"`
}

// relayDrops is what the relay's own sockets dropped.
func (r *run) relayDrops() int64 { return r.RelayUDPDrops + r.RelayPacketDrops }

// harnessDrops is what the lab (loadgen socket, responder socket, links,
// backlog) dropped: it should be 0 wherever the figures are read.
func (r *run) harnessDrops() int64 {
	return int64(r.Load.SocketDrops) + r.ResponderDrops + r.ClientUDPDrops + r.LinkDrops + r.SoftnetDrops
}

// snapshot reads the counters of target t.
func (b *bench) snapshot(t target) (counters, error) {
	var c counters
	var errs []error
	note := func(v int64, err error) int64 {
		errs = append(errs, err)
		return v
	}
	nss := []string{b.o.ns(nsClient), b.o.ns(nsRelay), b.o.ns(nsServer)}
	rs := b.responder
	if t.row.Direct {
		nss = []string{b.o.ns(nsDirectCl), b.o.ns(nsDirectSrv)}
		rs = b.directRs
	}
	if t.proc != nil {
		pid := t.proc.pid()
		c.relayTicks = note(cpuTicks(pid))
		c.relayRuntime = note(runtimeNanos(pid))
		c.relayUDP = note(udpCounter(pid, "RcvbufErrors"))
		if t.row.Base == "iphelper" && t.row.Kind == kindRelay {
			// Its own counters: PACKET_STATISTICS includes a ring's drops,
			// which sk_drops (ss) misses.
			// (reply_overflow is the namespace's UdpRcvbufErrors: relayUDP.)
			p, _, err := iphelperOverflows(b.o.iphelper, filepath.Join(b.o.dir, "iphelper-control.sock"))
			errs = append(errs, err)
			c.relayPacket = p
		} else {
			c.relayPacket = note(packetDrops(b.o.ns(t.row.serverNS()), pid))
		}
	}
	if rs != nil {
		c.responder = note(udpCounter(rs.pid(), "RcvbufErrors"))
	}
	if t.row.Perf {
		c.clientUDP = note(nsUDPCounter(b.o.ns(t.row.clientNS()), "RcvbufErrors"))
	}
	for _, ns := range nss {
		c.links += note(linkDrops(ns))
	}
	c.softnet = note(softnetDrops())
	return c, errors.Join(errs...)
}

// measured runs the row's load at rate for count DORAs and returns its
// result with the process's CPU and drops and the lab's drops during the
// run.
func (b *bench) measured(ctx context.Context, t target, rate float64, count int) (run, error) {
	return b.measuredLoad(t, func() (dora.Result, *perfReport, error) { return b.drive(ctx, t.row, rate, count) })
}

// measuredClosed is measured for a closed-loop run of the loadgen: the
// plan's inFlight transactions in flight for the search's step length.
func (b *bench) measuredClosed(ctx context.Context, t target) (run, error) {
	return b.measuredLoad(t, func() (dora.Result, *perfReport, error) {
		res, err := b.closedLoad(ctx, t.row.clientNS(), b.o.inFlight, b.o.plan.searchLen)
		b.completed += res.Completed
		return res, nil, err
	})
}

// measuredLoad runs load and returns its result with the process's CPU
// and drops and the lab's drops meanwhile.
func (b *bench) measuredLoad(t target, load func() (dora.Result, *perfReport, error)) (run, error) {
	before, err0 := b.snapshot(t)
	res, perf, err := load()
	if err != nil {
		return run{}, err
	}
	after, err1 := b.snapshot(t)
	r := run{
		Load:             res,
		Perfdhcp:         perf,
		RelayCPUTicks:    after.relayTicks - before.relayTicks,
		RelayUDPDrops:    after.relayUDP - before.relayUDP,
		RelayPacketDrops: after.relayPacket - before.relayPacket,
		ResponderDrops:   after.responder - before.responder,
		ClientUDPDrops:   after.clientUDP - before.clientUDP,
		LinkDrops:        after.links - before.links,
		SoftnetDrops:     after.softnet - before.softnet,
	}
	if e := errors.Join(err0, err1); e != nil {
		r.MeasurementErrors = e.Error()
	}
	if t.proc != nil && res.Completed > 0 {
		r.CPUPerDORAus = float64(r.RelayCPUTicks) * 1e6 / clockTicks / float64(res.Completed)
		r.RuntimePerDORAus = float64(after.relayRuntime-before.relayRuntime) / 1e3 / float64(res.Completed)
	}
	return r, nil
}
