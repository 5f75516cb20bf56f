package control

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type fakeReloader struct {
	res   ReloadResult
	err   error
	calls int
}

func (f *fakeReloader) Reload() (ReloadResult, error) {
	f.calls++
	return f.res, f.err
}

// TestReload: the daemon's answer to reload comes back to the client: the
// keys that wait for a restart when applied, a CodeRejected error that
// carries the validation errors when not.
func TestReload(t *testing.T) {
	tests := []struct {
		name    string
		res     ReloadResult
		err     error
		want    string // "" = accepted
		wantErr Code
	}{
		{name: "accepted"},
		{name: "accepted, a key waits for a restart", res: ReloadResult{RestartNeeded: []string{"log.format"}}},
		{name: "rejected", err: errors.New(`config file c.yaml: line 3: unknown key "helper-adresses"`),
			want: "configuration rejected, the running one stays:\nconfig file c.yaml: line 3: unknown key \"helper-adresses\" (rejected)", wantErr: CodeRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeReloader{res: tt.res, err: tt.err}
			path, _ := startServer(t, Sources{Reload: r}, Options{})
			c, err := Dial(path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			res, err := c.Reload(context.Background())
			if r.calls != 1 {
				t.Errorf("Reload called %d times, want 1", r.calls)
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Reload: %v", err)
				}
				if diff := cmp.Diff(tt.res, res); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Code != tt.wantErr || err.Error() != tt.want {
				t.Fatalf("Reload error %q, want %q with code %s", err, tt.want, tt.wantErr)
			}
		})
	}
}
