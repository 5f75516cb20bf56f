package iface

import (
	"errors"
	"fmt"
	"net"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestClassify(t *testing.T) {
	opErr := func(errno unix.Errno) error {
		return &net.OpError{Op: "listen", Net: "packet", Err: os.NewSyscallError("bind", errno)}
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"nil", nil, nil},
		{"ENETDOWN", opErr(unix.ENETDOWN), ErrLinkNotReady},
		{"ENXIO", opErr(unix.ENXIO), ErrLinkNotReady},
		{"ENODEV wrapped", fmt.Errorf("failed: %w", opErr(unix.ENODEV)), ErrLinkNotReady},
		{"EPERM", opErr(unix.EPERM), ErrPermission},
		{"EACCES", opErr(unix.EACCES), ErrPermission},
		{"already classified", fmt.Errorf("x: %w", ErrLinkNotReady), ErrLinkNotReady},
		{"EINVAL", opErr(unix.EINVAL), nil},
		{"deadline", os.ErrDeadlineExceeded, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// classify keeps the text and the errno, and adds the class.
func TestClassifyWrap(t *testing.T) {
	base := fmt.Errorf("failed to open packet socket on %q: %w", "eth0.10",
		&net.OpError{Op: "listen", Net: "packet", Err: os.NewSyscallError("bind", unix.ENODEV)})
	err := classify(base)
	if got, want := err.Error(), `failed to open packet socket on "eth0.10": listen packet: bind: no such device`; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	for _, target := range []error{ErrLinkNotReady, unix.ENODEV} {
		if !errors.Is(err, target) {
			t.Errorf("errors.Is(err, %v) = false", target)
		}
	}
	if errors.Is(err, ErrPermission) {
		t.Error("errors.Is(err, ErrPermission) = true")
	}
	plain := errors.New("other")
	if classify(plain) != plain {
		t.Error("classify changed an unclassified error")
	}
}
