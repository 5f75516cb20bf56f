package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/control"
)

// poolWatchEvery is how often a poolWatch asks for the fallback's leases:
// well under any offer-hold, so that no offer can come and go unseen.
const poolWatchEvery = 500 * time.Millisecond

// poolPeak is what a poolWatch saw of one interface's fallback scope over
// its samples: the most at once, and the fewest free.
type poolPeak struct {
	// AttackOffered, AttackBound and AttackHeld count the records of
	// clients that are not the scenario's real ones: offered, bound, and
	// held in any state (a quarantine, which has no client, counts too).
	AttackOffered, AttackBound, AttackHeld int
	// MinFree is the fewest addresses of the pool that no record held.
	MinFree int
}

// poolWatch samples `show leases` over iphelper's control socket until
// stop, and keeps per interface the peaks of the attack's records.
type poolWatch struct {
	socket string
	real   map[string]bool // the real clients' MACs, as control.Hex prints them
	sizes  map[string]int  // pool size by interface

	mu      sync.Mutex
	peaks   map[string]poolPeak
	n       int   // samples taken
	errs    int   // samples that failed
	lastErr error // the last failure
	done    chan struct{}
	ended   chan struct{}
}

// startPoolWatch samples the fallback leases of the daemon at socket until
// stop; sizes gives each watched interface's pool size, real the MACs of
// the clients that are not the attack.
func startPoolWatch(t *testing.T, socket string, sizes map[string]int, real map[string]bool) *poolWatch {
	t.Helper()
	w := &poolWatch{socket: socket, real: real, sizes: sizes, peaks: make(map[string]poolPeak),
		done: make(chan struct{}), ended: make(chan struct{})}
	for name, size := range sizes {
		w.peaks[name] = poolPeak{MinFree: size}
	}
	go func() {
		defer close(w.ended)
		tick := time.NewTicker(poolWatchEvery)
		defer tick.Stop()
		for {
			w.sample()
			select {
			case <-w.done:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() { w.stop() })
	return w
}

// sample takes one reading of the leases.
func (w *poolWatch) sample() {
	leases, err := w.leases()
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.errs++
		w.lastErr = err
		return
	}
	w.n++
	held := make(map[string]int, len(w.sizes)) // every record, the real clients' too
	attack := make(map[string]poolPeak, len(w.sizes))
	for _, l := range leases {
		if _, ok := w.sizes[l.Interface]; !ok {
			continue
		}
		held[l.Interface]++
		if w.real[l.MAC.String()] {
			continue
		}
		a := attack[l.Interface]
		a.AttackHeld++
		switch l.State {
		case "offered":
			a.AttackOffered++
		case "bound":
			a.AttackBound++
		}
		attack[l.Interface] = a
	}
	for name, size := range w.sizes {
		p, a := w.peaks[name], attack[name]
		p.AttackOffered = max(p.AttackOffered, a.AttackOffered)
		p.AttackBound = max(p.AttackBound, a.AttackBound)
		p.AttackHeld = max(p.AttackHeld, a.AttackHeld)
		p.MinFree = min(p.MinFree, size-held[name])
		w.peaks[name] = p
	}
}

// leases is one `show leases` over the control socket: the records that
// hold an address (bound, offered, declined) of every scope.
func (w *poolWatch) leases() ([]control.Lease, error) {
	cl, err := control.Dial(w.socket)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), opsPollTimeout)
	defer cancel()
	return cl.Leases(ctx)
}

// stop ends the sampling (more than once is fine).
func (w *poolWatch) stop() {
	w.mu.Lock()
	select {
	case <-w.done:
	default:
		close(w.done)
	}
	w.mu.Unlock()
	<-w.ended
}

// result returns the peaks by interface, the number of samples taken and
// of samples that failed, with the last failure.
func (w *poolWatch) result() (map[string]poolPeak, int, int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]poolPeak, len(w.peaks))
	for k, v := range w.peaks {
		out[k] = v
	}
	return out, w.n, w.errs, w.lastErr
}
