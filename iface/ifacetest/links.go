package ifacetest

import (
	"maps"
	"sync"

	"github.com/iphelper/iphelper/iface"
)

// Links is an iface.LinkSource whose table the test sets. It becomes ready
// on the first change. All methods may be called concurrently.
type Links struct {
	mu        sync.Mutex
	links     map[string]iface.Link
	ready     chan struct{}
	readyOnce sync.Once
	changes   chan struct{}
}

var _ iface.LinkSource = (*Links)(nil)

// NewLinks returns an empty Links that is not ready.
func NewLinks() *Links {
	return &Links{
		links:   map[string]iface.Link{},
		ready:   make(chan struct{}),
		changes: make(chan struct{}, 1),
	}
}

// Set replaces the table with links, marks it ready and notifies Changes.
func (l *Links) Set(links ...iface.Link) {
	l.edit(func(m map[string]iface.Link) {
		clear(m)
		for _, k := range links {
			m[k.Name] = k
		}
	})
}

// Update adds or replaces one link, marks the table ready and notifies
// Changes.
func (l *Links) Update(link iface.Link) {
	l.edit(func(m map[string]iface.Link) { m[link.Name] = link })
}

// Delete removes the link named name, marks the table ready and notifies
// Changes.
func (l *Links) Delete(name string) {
	l.edit(func(m map[string]iface.Link) { delete(m, name) })
}

// edit changes the table under the lock, then signals.
func (l *Links) edit(f func(map[string]iface.Link)) {
	l.mu.Lock()
	f(l.links)
	l.mu.Unlock()
	l.readyOnce.Do(func() { close(l.ready) })
	select {
	case l.changes <- struct{}{}:
	default:
	}
}

// Ready is closed after the first Set, Update or Delete.
func (l *Links) Ready() <-chan struct{} { return l.ready }

// Links returns a copy of the table.
func (l *Links) Links() map[string]iface.Link {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.links)
}

// Changes receives a value, coalesced, after each change.
func (l *Links) Changes() <-chan struct{} { return l.changes }
