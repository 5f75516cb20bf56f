package control

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestRemovesTheDirectoryItMade: run outside systemd, the daemon leaves no
// runtime directory behind; a directory that was there before stays.
func TestRemovesTheDirectoryItMade(t *testing.T) {
	for _, existed := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "run")
		if existed {
			if err := os.Mkdir(dir, 0o750); err != nil {
				t.Fatal(err)
			}
		}
		s := NewServer(filepath.Join(dir, "control.sock"), Sources{}, Options{})
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- s.Run(ctx) }()
		<-s.Ready()
		cancel()
		if err := <-errc; err != nil {
			t.Fatalf("Run: %v", err)
		}
		_, err := os.Stat(dir)
		if gone := os.IsNotExist(err); gone == existed {
			t.Errorf("directory existed before: %v; gone after stop: %v", existed, gone)
		}
	}
}
