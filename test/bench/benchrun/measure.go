package main

import (
	"context"
	"errors"

	"github.com/iphelper/iphelper/test/bench/internal/dora"
)

// counters is a snapshot of everything a run is measured by, taken before
// and after it.
type counters struct {
	relayTicks   int64 // utime + stime of the relay
	relayRuntime int64 // ns on CPU of the relay's threads
	relayUDP     int64 // UdpRcvbufErrors in the relay's namespace
	relayPacket  int64 // sk_drops of the relay's packet sockets
	responder    int64 // UdpRcvbufErrors in the responder's namespace
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
	LinkDrops         int64   `json:"link_drops"`
	SoftnetDrops      int64   `json:"softnet_drops"`
	MeasurementErrors string  `json:"measurement_errors,omitempty"`
}

// relayDrops is what the relay's own sockets dropped.
func (r *run) relayDrops() int64 { return r.RelayUDPDrops + r.RelayPacketDrops }

// harnessDrops is what the lab (loadgen socket, responder socket, links,
// backlog) dropped: it should be 0 wherever the figures are read.
func (r *run) harnessDrops() int64 {
	return int64(r.Load.SocketDrops) + r.ResponderDrops + r.LinkDrops + r.SoftnetDrops
}

// snapshot reads the counters; relay is nil for the no-relay row.
func (b *bench) snapshot(relay *proc, direct bool) (counters, error) {
	var c counters
	var errs []error
	note := func(v int64, err error) int64 {
		errs = append(errs, err)
		return v
	}
	nss := []string{b.o.ns(nsClient), b.o.ns(nsRelay), b.o.ns(nsServer)}
	rs := b.responder
	if direct {
		nss = []string{b.o.ns(nsDirectCl), b.o.ns(nsDirectSrv)}
		rs = b.directRs
	}
	if relay != nil {
		c.relayTicks = note(cpuTicks(relay.pid()))
		c.relayRuntime = note(runtimeNanos(relay.pid()))
		c.relayUDP = note(udpCounter(relay.pid(), "RcvbufErrors"))
		c.relayPacket = note(packetDrops(b.o.ns(nsRelay), relay.pid()))
	}
	c.responder = note(udpCounter(rs.pid(), "RcvbufErrors"))
	for _, ns := range nss {
		c.links += note(linkDrops(ns))
	}
	c.softnet = note(softnetDrops())
	return c, errors.Join(errs...)
}

// measured runs the loadgen at rate for count DORAs and returns its result
// with the relay's CPU and drops and the lab's drops during the run.
func (b *bench) measured(ctx context.Context, relay *proc, direct bool, rate float64, count int) (run, error) {
	before, err0 := b.snapshot(relay, direct)
	res, err := b.load(ctx, direct, rate, count)
	if err != nil {
		return run{}, err
	}
	after, err1 := b.snapshot(relay, direct)
	r := run{
		Load:             res,
		RelayCPUTicks:    after.relayTicks - before.relayTicks,
		RelayUDPDrops:    after.relayUDP - before.relayUDP,
		RelayPacketDrops: after.relayPacket - before.relayPacket,
		ResponderDrops:   after.responder - before.responder,
		LinkDrops:        after.links - before.links,
		SoftnetDrops:     after.softnet - before.softnet,
	}
	if e := errors.Join(err0, err1); e != nil {
		r.MeasurementErrors = e.Error()
	}
	if relay != nil && res.Completed > 0 {
		r.CPUPerDORAus = float64(r.RelayCPUTicks) * 1e6 / clockTicks / float64(res.Completed)
		r.RuntimePerDORAus = float64(after.relayRuntime-before.relayRuntime) / 1e3 / float64(res.Completed)
	}
	return r, nil
}
