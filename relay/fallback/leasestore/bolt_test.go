package leasestore

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openTemp(t *testing.T) *BoltStore {
	t.Helper()
	st, err := OpenBolt(filepath.Join(t.TempDir(), "leases.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func putAll(t *testing.T, st Store, ls []Lease) {
	t.Helper()
	for _, l := range ls {
		if err := st.Put(l); err != nil {
			t.Fatalf("Put(%v): %v", l.Addr, err)
		}
	}
}

func TestStores(t *testing.T) {
	stores := map[string]func(t *testing.T) Store{
		"bolt": func(t *testing.T) Store { return openTemp(t) },
		"mem":  func(*testing.T) Store { return NewMemStore() },
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			ls := testLeases()
			putAll(t, st, ls)
			got, err := st.Load("eth1")
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(ls[:3], got); d != "" {
				t.Errorf("Load(eth1) (-want +got):\n%s", d)
			}
			// Put replaces; Delete removes; deleting twice is fine.
			changed := ls[0]
			changed.State, changed.Hostname = StateReleased, ""
			putAll(t, st, []Lease{changed})
			for range 2 {
				if err := st.Delete("eth1", ls[1].Addr); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.Delete("eth9", ls[1].Addr); err != nil {
				t.Errorf("Delete on an unknown interface: %v", err)
			}
			got, _ = st.Load("eth1")
			if d := diff([]Lease{changed, ls[2]}, got); d != "" {
				t.Errorf("Load after Put and Delete (-want +got):\n%s", d)
			}
			if got, err := st.Load("eth9"); err != nil || len(got) != 0 {
				t.Errorf("Load(unknown interface) = %v, %v; want nothing", got, err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, err := st.Load("eth1"); !errors.Is(err, ErrClosed) {
				t.Errorf("Load after Close: %v, want ErrClosed", err)
			}
			if err := st.Put(ls[0]); !errors.Is(err, ErrClosed) {
				t.Errorf("Put after Close: %v, want ErrClosed", err)
			}
		})
	}
}

func TestBoltDurableAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "leases.db") // parents are created
	st, err := OpenBolt(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	putAll(t, st, testLeases())
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Dir(path))
	if err != nil || info.Mode().Perm() != 0o750 {
		t.Errorf("directory mode %v (%v), want 0750", info.Mode().Perm(), err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v (%v), want 0600", info.Mode().Perm(), err)
	}
	st, err = OpenBolt(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Load("eth1.10")
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(testLeases()[3:], got); d != "" {
		t.Errorf("Load after reopen (-want +got):\n%s", d)
	}
}

// TestStoresMeta: metadata is kept apart from every interface's records,
// survives a reopen, and reads back nil when absent.
func TestStoresMeta(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leases.db")
	bolt, err := OpenBolt(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]Store{"bolt": bolt, "mem": NewMemStore()} {
		t.Run(name, func(t *testing.T) {
			if v, err := st.GetMeta("failover"); v != nil || err != nil {
				t.Fatalf("absent key: %q, %v", v, err)
			}
			if err := st.PutMeta("failover", []byte("NORMAL")); err != nil {
				t.Fatal(err)
			}
			putAll(t, st, testLeases())
			if v, err := st.GetMeta("failover"); string(v) != "NORMAL" || err != nil {
				t.Errorf("GetMeta: %q, %v", v, err)
			}
			if got, err := st.Load("eth1"); err != nil || diff(testLeases()[:3], got) != "" {
				t.Errorf("the metadata changed an interface's records: %+v, %v", got, err)
			}
		})
	}
	if err := bolt.Close(); err != nil {
		t.Fatal(err)
	}
	bolt, err = OpenBolt(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer bolt.Close()
	if v, err := bolt.GetMeta("failover"); string(v) != "NORMAL" || err != nil {
		t.Errorf("after reopen: %q, %v", v, err)
	}
}

func TestBoltLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leases.db")
	first, err := OpenBolt(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	start := time.Now()
	second, err := OpenBolt(path, 200*time.Millisecond)
	if err == nil {
		second.Close()
		t.Fatal("second OpenBolt succeeded while the first holds the lock")
	}
	// bbolt retries the flock every 50 ms and stops one retry short.
	if waited := time.Since(start); waited < 100*time.Millisecond || waited > 5*time.Second {
		t.Errorf("gave up after %v, want about 200ms", waited)
	}
	want := `failed to open lease database "` + path + `": another process holds the lease database (gave up after 200ms)`
	if !errors.Is(err, ErrLocked) || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	// Once the holder closes, the database opens.
	first.Close()
	third, err := OpenBolt(path, 0) // 0: DefaultLockTimeout, not forever
	if err != nil {
		t.Fatalf("OpenBolt after Close: %v", err)
	}
	third.Close()
}

func TestBoltOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a bolt file ", 512)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := OpenBolt(notDB, time.Second)
	if err == nil || !strings.HasPrefix(err.Error(), `failed to open lease database "`+notDB+`": `) {
		t.Errorf("OpenBolt(garbage): %v", err)
	}
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = OpenBolt(filepath.Join(blocker, "leases.db"), time.Second)
	if err == nil || !strings.HasPrefix(err.Error(), "failed to create the lease database directory: ") {
		t.Errorf("OpenBolt under a file: %v", err)
	}
}

func TestBoltLoadSkipsCorruptRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leases.db")
	st, err := OpenBolt(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	putAll(t, st, testLeases()[:2])
	st.Close()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("eth1")).Put(addrKey(ip("203.0.113.101")), []byte("garbage"))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err = OpenBolt(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Load("eth1")
	if !errors.Is(err, ErrCorruptRecord) {
		t.Errorf("Load: %v, want ErrCorruptRecord", err)
	}
	if d := diff(testLeases()[:1], got); d != "" {
		t.Errorf("Load kept (-want +got):\n%s", d)
	}
}

// TestBoltBindings: the saved binding table survives a reopen, a new save
// replaces the old one whole.
func TestBoltBindings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leases.db")
	s, err := OpenBolt(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.LoadBindings(); err != nil || len(got) != 0 {
		t.Fatalf("LoadBindings of a new database = %q, %v", got, err)
	}
	if err := s.ReplaceBindings([][]byte{[]byte("a"), []byte("b"), []byte("c")}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceBindings([][]byte{[]byte("x"), []byte("y")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = OpenBolt(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.LoadBindings()
	if err != nil {
		t.Fatal(err)
	}
	if d := diff([][]byte{[]byte("x"), []byte("y")}, got); d != "" {
		t.Errorf("LoadBindings after reopen (-want +got):\n%s", d)
	}
}
