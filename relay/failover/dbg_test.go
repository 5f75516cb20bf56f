package failover

import (
	"fmt"
	"testing"
)

func TestDbgSeed(t *testing.T) {
	s := newSim(110)
	for range 3000 {
		before := len(s.hist)
		s.step()
		for _, h := range s.hist[before:] {
			if h > "" || (contains(h, "addr 3") || contains(h, "connected") || contains(h, "->") || contains(h, "restart") || contains(h, "kill") || contains(h, "link") || contains(h, "sees")) {
				fmt.Println(h)
			}
		}
		if s.failed != "" {
			fmt.Println(s.failed)
			return
		}
	}
}

func contains(a, b string) bool { return len(a) >= len(b) && (func() bool { for i := 0; i+len(b) <= len(a); i++ { if a[i:i+len(b)] == b { return true } }; return false })() }
