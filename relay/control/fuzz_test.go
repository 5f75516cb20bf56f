package control

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzRespond decodes arbitrary request lines and answers them as the
// server does: nothing may panic, and every answer must encode.
func FuzzRespond(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"cmd":"show","what":"interfaces"}`,
		`{"v":1,"cmd":"show","what":"bindings","arg":"02:00:00:00:00:50"}`,
		`{"v":1,"cmd":"show","what":"bindings","arg":"203.0.113.50"}`,
		`{"v":1,"cmd":"clear","what":"statistics"}`,
		`{"v":1,"cmd":"debug","what":"nothing"}`,
		`{"v":1,"cmd":"show","what":"failover"}`,
		`{"v":1,"cmd":"failover","what":"partner-down"}`,
	} {
		f.Add([]byte(s))
	}
	s := NewServer("unused", Sources{Status: &fakeStatus{st: testStatus()}, Bindings: testBindings(), Leases: fakeLeases{},
		Failover: &fakeFailover{st: testFailover(), err: errors.New("partner-down is refused in state NORMAL")}}, Options{})
	f.Fuzz(func(t *testing.T, line []byte) {
		var req Request
		if json.Unmarshal(line, &req) != nil {
			return
		}
		resp := s.respond(context.Background(), req)
		if _, err := json.Marshal(resp); err != nil {
			t.Fatalf("response does not encode: %v", err)
		}
		if !resp.OK && resp.Code == "" {
			t.Fatalf("failed response without a code: %+v", resp)
		}
	})
}
