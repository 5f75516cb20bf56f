package lru

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keys returns the list's keys, oldest first, walking the links both ways
// to check they agree.
func keys(t *testing.T, l *List[string, int]) []string {
	t.Helper()
	var fwd, back []string
	for r := l.head; r != none; r = l.slots[r].next {
		fwd = append(fwd, l.slots[r].key)
	}
	for r := l.tail; r != none; r = l.slots[r].prev {
		back = append([]string{l.slots[r].key}, back...)
	}
	if diff := cmp.Diff(fwd, back); diff != "" {
		t.Fatalf("links disagree (-forward +backward):\n%s", diff)
	}
	if len(fwd) != l.Len() {
		t.Fatalf("%d linked, Len %d", len(fwd), l.Len())
	}
	return fwd
}

func TestList(t *testing.T) {
	tests := []struct {
		name string
		ops  func(l *List[string, int])
		want []string
	}{
		{name: "push keeps order", ops: func(l *List[string, int]) { l.Push("a", 1); l.Push("b", 2); l.Push("c", 3) }, want: []string{"a", "b", "c"}},
		{name: "touch makes newest", ops: func(l *List[string, int]) {
			a := l.Push("a", 1)
			l.Push("b", 2)
			l.Push("c", 3)
			l.Touch(a)
		}, want: []string{"b", "c", "a"}},
		{name: "touch newest is a no-op", ops: func(l *List[string, int]) { l.Push("a", 1); c := l.Push("c", 3); l.Touch(c) }, want: []string{"a", "c"}},
		{name: "remove middle", ops: func(l *List[string, int]) { l.Push("a", 1); b := l.Push("b", 2); l.Push("c", 3); l.Remove(b) }, want: []string{"a", "c"}},
		{name: "remove oldest and newest", ops: func(l *List[string, int]) {
			a := l.Push("a", 1)
			l.Push("b", 2)
			c := l.Push("c", 3)
			l.Remove(a)
			l.Remove(c)
		}, want: []string{"b"}},
		{name: "evict oldest then push reuses the slot", ops: func(l *List[string, int]) {
			l.Push("a", 1)
			l.Push("b", 2)
			l.Push("c", 3)
			r, _ := l.Oldest()
			l.Remove(r)
			l.Push("d", 4)
		}, want: []string{"b", "c", "d"}},
		{name: "empty after removing all", ops: func(l *List[string, int]) { a := l.Push("a", 1); l.Remove(a) }, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New[string, int](3, 0)
			tt.ops(l)
			if diff := cmp.Diff(tt.want, keys(t, l)); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			if len(l.slots) > 3 {
				t.Errorf("%d slots, bound 3", len(l.slots))
			}
		})
	}
}

func TestGetValueFull(t *testing.T) {
	l := New[string, int](2, 2)
	if _, ok := l.Oldest(); ok {
		t.Fatal("Oldest of an empty list found one")
	}
	l.Push("a", 1)
	if l.Full() {
		t.Fatal("full with 1 of 2")
	}
	b := l.Push("b", 2)
	if !l.Full() {
		t.Fatal("not full with 2 of 2")
	}
	r, ok := l.Get("b")
	if !ok || r != b || l.Key(r) != "b" || *l.Value(r) != 2 {
		t.Fatalf("Get(b) = %v %v, value %d", r, ok, *l.Value(r))
	}
	*l.Value(r) = 7
	if r, _ := l.Get("b"); *l.Value(r) != 7 {
		t.Errorf("value changed in place reads %d, want 7", *l.Value(r))
	}
	if _, ok := l.Get("z"); ok {
		t.Error("Get found a key never pushed")
	}
	if r, _ := l.Oldest(); l.Key(r) != "a" {
		t.Errorf("oldest %q, want a", l.Key(r))
	}
}

// TestNoAllocWhenFull: once the list is full, evicting the oldest and
// pushing a new key, getting and touching allocate nothing, whether the
// slots were reserved or grown.
func TestNoAllocWhenFull(t *testing.T) {
	for _, reserve := range []int{0, 64} {
		l := New[int, int64](64, reserve)
		for i := range 64 {
			l.Push(i, 0)
		}
		n := 64
		allocs := testing.AllocsPerRun(1000, func() {
			r, _ := l.Oldest()
			l.Remove(r)
			l.Push(n, int64(n))
			if r, ok := l.Get(n - 10); ok {
				l.Touch(r)
			}
			n++
		})
		if allocs != 0 {
			t.Errorf("reserve %d: %.1f allocations per eviction, want 0", reserve, allocs)
		}
	}
}
