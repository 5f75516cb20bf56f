package control

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/iphelper/iphelper/relay/status"
)

// TestInterfaceReadMode: an interface's polling and receive-ring flags
// reach `show interfaces --json`, and are left out while false, so that
// a quiet relay's output does not change.
func TestInterfaceReadMode(t *testing.T) {
	for _, tt := range []struct {
		polling, ring bool
		want          []string
		absent        []string
	}{
		{false, false, nil, []string{`"polling"`, `"receive_ring"`}},
		{true, false, []string{`"polling":true`}, []string{`"receive_ring"`}},
		{true, true, []string{`"polling":true`, `"receive_ring":true`}, nil},
	} {
		ifs := interfacesOf(status.Status{Interfaces: []status.InterfaceStatus{{Name: "eth1", State: "up", Polling: tt.polling, Ring: tt.ring}}})
		b, err := json.Marshal(ifs)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("polling %v, ring %v: %s lacks %s", tt.polling, tt.ring, b, w)
			}
		}
		for _, a := range tt.absent {
			if strings.Contains(string(b), a) {
				t.Errorf("polling %v, ring %v: %s has %s", tt.polling, tt.ring, b, a)
			}
		}
	}
}
