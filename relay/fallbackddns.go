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
		Iface: name, ForwardZone: d.ForwardZone, ReverseZone: d.ReverseZone, Server: d.Server, Key: key,
		Rules: ddns.NameRules{Domain: strings.TrimSuffix(domain, "."), Override: d.OverrideClientUpdate, GeneratedName: d.GeneratedName, ReplaceChar: d.ReplaceChar},
	}
	return ddns.New(cfg, r.store, r.clock, r.log)
}

// startDDNS runs the worker's updater, if any, until ctx ends; the worker's
// done channel waits for it through f.ddnsDone.
func (f *fallbackWorker) startDDNS(ctx context.Context) {
	if f.ddns == nil {
		return
	}
	f.ddnsDone = make(chan struct{})
	go func() {
		defer close(f.ddnsDone)
		f.ddns.Run(ctx)
	}()
}

// ddnsAnswered tells the updater about an answer about to be sent: a
// committed ACK registers its client (and may get option 81); a RELEASE or
// DECLINE marks the registrations for a reconcile.
func (f *fallbackWorker) ddnsAnswered(a fallbackAnswer) {
	if f.ddns == nil {
		return
	}
	switch a.outcome {
	case fallback.OutcomeAck:
		if a.reply != nil && a.req != nil {
			f.ddns.Ack(a.req, a.reply)
		}
	case fallback.OutcomeReleased, fallback.OutcomeDeclined:
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
