package relay

import (
	"context"
	"fmt"
	"strings"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/ddns"
	"github.com/iphelper/iphelper/relay/fallback"
)

// newUpdater returns the dynamic DNS updater of an interface's fallback
// scope; nil when the scope has none. A key file that others may read is
// refused: the scope then runs without dynamic DNS, and says why in the log.
func (r *Relay) newUpdater(name string, fc *config.Fallback) *ddns.Updater {
	d := fc.DDNS
	if d == nil || r.store == nil {
		return nil
	}
	u, err := r.buildUpdater(name, fc, d)
	if err != nil {
		r.log.Error("dynamic DNS disabled", "iface", name, "err", err)
		return nil
	}
	return u
}

func (r *Relay) buildUpdater(name string, fc *config.Fallback, d *config.DDNS) (*ddns.Updater, error) {
	key, err := ddns.LoadKey(d.KeyFile, d.KeyName)
	if err != nil {
		return nil, fmt.Errorf("failed to load the TSIG key of %q: %w", name, err)
	}
	domain := fc.Domain
	if domain == "" {
		domain = d.ForwardZone
	}
	cfg := ddns.Config{
		Iface: name, Tracer: r.tracer, ForwardZone: d.ForwardZone, ReverseZone: d.ReverseZone, Server: d.Server, Key: key,
		Rules: ddns.NameRules{Domain: strings.TrimSuffix(domain, "."), Override: d.OverrideClientUpdate, GeneratedName: d.GeneratedName, ReplaceChar: d.ReplaceChar},
	}
	return ddns.New(cfg, r.store, r.clock, r.log)
}

// startDDNS runs the worker's updater, if any, until ctx ends; the worker's
// done channel waits for it through f.ddnsDone. The worker's first loop
// reconciles the stored registrations with the leases: an add stored
// before a commit that then failed (or a crash in between) is undone.
func (f *fallbackWorker) startDDNS(ctx context.Context) {
	if f.ddns == nil {
		return
	}
	f.ddnsStale = true
	f.ddnsDone = make(chan struct{})
	go func() {
		defer close(f.ddnsDone)
		f.ddns.Run(ctx)
	}()
}

// ddnsAcks registers the clients of the batch's ACKs (which may get their
// option 81 answer) and stores the queued adds before the batch's leases
// are committed: an ACK that leaves has its add on disk. Nothing is
// written when no registration changed. When the store fails the ACKs
// still go out; the adds wait in memory for the updater's next store.
func (f *fallbackWorker) ddnsAcks() {
	if f.ddns == nil {
		return
	}
	for _, a := range f.batch {
		if a.outcome == fallback.OutcomeAck && a.reply != nil && a.req != nil {
			f.ddns.Ack(a.req, a.reply)
		}
	}
	if err := f.ddns.Persist(); err != nil {
		f.log.Error("dynamic DNS adds not stored before the leases' commit", "err", err)
	}
}

// ddnsAnswered tells the updater about an answer sent: a RELEASE or
// DECLINE, and an ACK that did not leave after all (its commit failed or
// its partner did not acknowledge it), mark the registrations for a
// reconcile.
func (f *fallbackWorker) ddnsAnswered(a fallbackAnswer) {
	if f.ddns == nil {
		return
	}
	switch a.outcome {
	case fallback.OutcomeReleased, fallback.OutcomeDeclined, fallback.OutcomeStoreFailed, fallback.OutcomeAckTimeout:
		f.ddnsStale = true
	}
}

// ddnsReconcile removes the records of leases that ended, when a release,
// decline or sweep may have ended some.
func (f *fallbackWorker) ddnsReconcile() {
	if f.ddns == nil || !f.ddnsStale {
		return
	}
	f.ddnsStale = false
	f.ddns.Reconcile(f.srv.Leases(), f.r.clock.Now())
}
