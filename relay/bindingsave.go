package relay

import (
	"time"

	"github.com/iphelper/iphelper/relay/bindings"
)

// bindingStore is the part of the lease database that keeps the binding
// table across restarts (leasestore.BoltStore has it).
type bindingStore interface {
	LoadBindings() ([][]byte, error)
	ReplaceBindings(recs [][]byte) error
}

// bindingSaver writes the binding table to the lease database now and
// then, never on the reply path: a binding learned less than one interval
// before a crash is lost, the rest comes back at the next start. It is
// owned by Run's goroutine.
type bindingSaver struct {
	every time.Duration    // 0: the table is not saved
	now   func() time.Time // the bindings' clock: the reply path's, the system's
	saved uint64           // the table's version last saved or restored
}

// bindingsStore returns the lease database as a bindingStore, when the
// table is saved and the database is open.
func (r *Relay) bindingsStore() bindingStore {
	if r.bindings == nil || r.saver.every <= 0 || r.store == nil {
		return nil
	}
	s, _ := r.store.(bindingStore)
	return s
}

// restoreBindings loads the saved binding table, expired bindings left
// out (the start of Run).
func (r *Relay) restoreBindings() {
	s := r.bindingsStore()
	if s == nil {
		return
	}
	recs, err := s.LoadBindings()
	if err != nil {
		r.log.Error("saved bindings not restored", "err", err)
		return
	}
	n, err := r.bindings.Restore(recs, r.saver.now())
	if err != nil {
		r.log.Warn("some saved bindings not restored", "err", err)
	}
	r.saver.saved = r.bindings.Version()
	r.log.Info("bindings restored", "bindings", n, "saved", len(recs))
}

// saveBindings writes the table if it changed since the last save.
func (r *Relay) saveBindings() {
	s := r.bindingsStore()
	if s == nil || r.bindings.Version() == r.saver.saved {
		return
	}
	bs, version := r.bindings.Snapshot(r.saver.now())
	recs := make([][]byte, 0, len(bs))
	for _, b := range bs {
		rec, err := bindings.Encode(b)
		if err != nil {
			r.log.Warn("binding not saved", "addr", b.Addr, "err", err)
			continue
		}
		recs = append(recs, rec)
	}
	if err := s.ReplaceBindings(recs); err != nil {
		r.log.Error("bindings not saved", "err", err)
		return
	}
	r.saver.saved = version
	r.log.Debug("binding table saved", "bindings", len(recs))
}

// saveTicks returns the channel of the save timer, and its stop; a nil
// channel when the table is not saved.
func (r *Relay) saveTicks() (<-chan time.Time, func()) {
	if r.bindings == nil || r.saver.every <= 0 {
		return nil, func() {}
	}
	t := time.NewTicker(r.saver.every)
	return t.C, t.Stop
}
