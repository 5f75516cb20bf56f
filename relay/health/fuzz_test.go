package health

import (
	"testing"
	"time"
)

// model is a plain reference implementation of the Tracker's rules, for
// FuzzTracker: a slice of pending transactions in forwarding order.
type model struct {
	cfg     Config
	pend    []modelTxn
	state   State
	streak  int
	clients map[[16]byte]bool // the streak's different chaddrs
	c       counters
}

type modelTxn struct {
	k    Txn
	sent time.Time
}

func (m *model) expire(now time.Time) {
	for len(m.pend) > 0 && now.Sub(m.pend[0].sent) > m.cfg.Timeout {
		if m.clients == nil {
			m.clients = make(map[[16]byte]bool)
		}
		m.clients[m.pend[0].k.CHAddr] = true
		m.pend = m.pend[1:]
		m.c.timedOut++
		m.streak++
		if len(m.clients) >= m.cfg.DownAfter {
			m.state = Down
		}
	}
}

func (m *model) find(k Txn) int {
	for i, p := range m.pend {
		if p.k == k {
			return i
		}
	}
	return -1
}

func (m *model) forwarded(k Txn, now time.Time) {
	m.expire(now)
	if m.find(k) >= 0 {
		m.c.retransmitted++
		return
	}
	if len(m.pend) == m.cfg.MaxPending {
		m.pend = m.pend[1:]
		m.c.evicted++
	}
	m.pend = append(m.pend, modelTxn{k: k, sent: now})
	m.c.forwarded++
}

func (m *model) answered(k Txn, now time.Time) (time.Duration, bool) {
	m.expire(now)
	i := m.find(k)
	if i < 0 {
		return 0, false
	}
	lat := max(now.Sub(m.pend[i].sent), 0)
	m.pend = append(m.pend[:i], m.pend[i+1:]...)
	m.c.answered++
	m.streak = 0
	clear(m.clients)
	m.state = Up
	return lat, true
}

// FuzzTracker runs random sequences of calls, with a clock that mostly
// goes forward and sometimes back, on a Tracker and on the model, and
// checks that they agree after every call.
func FuzzTracker(f *testing.F) {
	f.Add([]byte{0x12, 0, 1, 0, 2, 0, 3, 0, 2, 200})
	f.Add([]byte{0x00, 0, 1, 3, 10, 6, 2, 1, 30, 4, 1})
	f.Add([]byte{0xff, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 5, 5, 8, 8})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 1 {
			return
		}
		cfg := Config{
			DownAfter:  1 + int(data[0]%4),
			MaxPending: 1 + int(data[0]>>2%5),
			Timeout:    time.Duration(1+data[0]>>5) * 100 * time.Millisecond,
			Start:      t0,
		}
		tr, m := NewTracker(cfg), &model{cfg: cfg}
		now := t0
		for i := 1; i+1 < len(data); i += 2 {
			op, arg := data[i], data[i+1]
			now = now.Add(time.Duration(int(arg)-16) * 25 * time.Millisecond)
			k := txn(uint32(op>>2%6), op>>5%4) // six xids of four clients
			switch op % 3 {
			case 0:
				tr.Forwarded(k, now)
				m.forwarded(k, now)
			case 1:
				lat, ok := tr.Answered(k, now)
				mlat, mok := m.answered(k, now)
				if lat != mlat || ok != mok {
					t.Fatalf("op %d: Answered = %v, %v; model %v, %v", i, lat, ok, mlat, mok)
				}
			case 2:
				tr.Expire(now)
				m.expire(now)
			}
			st := tr.Stats()
			state, _, _ := tr.State()
			got := counters{st.Forwarded, st.Retransmitted, st.Answered, st.TimedOut, st.Evicted}
			clients := min(len(m.clients), cfg.DownAfter)
			if got != m.c || state != m.state || st.Streak != m.streak || st.StreakClients != clients || st.Pending != len(m.pend) {
				t.Fatalf("op %d: tracker %v %+v, model %v %+v streak %d pending %d", i, state, st, m.state, m.c, m.streak, len(m.pend))
			}
			if st.Forwarded != st.Answered+st.TimedOut+st.Evicted+uint64(st.Pending) {
				t.Fatalf("op %d: counters do not add up: %+v", i, st)
			}
		}
	})
}
