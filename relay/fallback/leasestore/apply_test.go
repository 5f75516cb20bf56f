package leasestore

import (
	"path/filepath"
	"testing"
	"time"
)

func TestApply(t *testing.T) {
	ls := testLeases()
	released := ls[0]
	released.State = StateReleased
	tests := []struct {
		name    string
		batch   []Write
		want    map[string][]Lease
		wantErr string
	}{
		{
			name:  "puts across interfaces, in order",
			batch: []Write{PutWrite(ls[0]), PutWrite(ls[3]), PutWrite(released)},
			want:  map[string][]Lease{"eth1": {released, ls[1], ls[2]}, "eth1.10": {ls[3]}},
		},
		{
			name:  "put then delete of one record",
			batch: []Write{PutWrite(ls[3]), DeleteWrite("eth1.10", ls[3].Addr), DeleteWrite("eth9", ls[3].Addr)},
			want:  map[string][]Lease{"eth1": ls[:3], "eth1.10": nil},
		},
		{
			name:    "one invalid write: none is made",
			batch:   []Write{DeleteWrite("eth1", ls[1].Addr), PutWrite(Lease{Interface: "eth1", Addr: ip("203.0.113.9")})},
			want:    map[string][]Lease{"eth1": ls[:3]},
			wantErr: "failed to store lease: invalid lease: unknown state 0",
		},
		{
			name:    "delete of an IPv6 address",
			batch:   []Write{DeleteWrite("eth1", ip("2001:db8::1"))},
			want:    map[string][]Lease{"eth1": ls[:3]},
			wantErr: "failed to store lease: invalid lease: address 2001:db8::1 is not IPv4",
		},
		{name: "empty batch", want: map[string][]Lease{"eth1": ls[:3]}},
	}
	for _, tt := range tests {
		for name, open := range map[string]func(t *testing.T) Store{
			"bolt": func(t *testing.T) Store { return openTemp(t) },
			"mem":  func(*testing.T) Store { return NewMemStore() },
		} {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				st := open(t)
				putAll(t, st, ls[:3])
				err := st.Apply(tt.batch)
				if got := errText(err); got != tt.wantErr {
					t.Errorf("Apply error %q, want %q", got, tt.wantErr)
				}
				for iface, want := range tt.want {
					got, err := st.Load(iface)
					if err != nil {
						t.Fatal(err)
					}
					if d := diff(want, got); d != "" {
						t.Errorf("Load(%s) after Apply (-want +got):\n%s", iface, d)
					}
				}
			})
		}
	}
}

// TestApplyIsDurable reopens the file a batch was applied to.
func TestApplyIsDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leases.db")
	st, err := OpenBolt(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ls := testLeases()
	var batch []Write
	for _, l := range ls {
		batch = append(batch, PutWrite(l))
	}
	if err := st.Apply(batch); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err = OpenBolt(path, time.Second); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Load("eth1")
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(ls[:3], got); d != "" {
		t.Errorf("Load after reopen (-want +got):\n%s", d)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
