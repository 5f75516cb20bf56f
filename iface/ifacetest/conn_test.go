package ifacetest_test

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
)

var (
	macA  = net.HardwareAddr{0x02, 0, 0x5e, 0, 0, 1}
	macB  = net.HardwareAddr{0x02, 0, 0x5e, 0, 0, 2}
	bcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
)

// frame returns a minimal Ethernet frame to dst with a payload.
func frame(dst net.HardwareAddr, payload string) []byte {
	f := append(append([]byte{}, dst...), macA...)
	f = append(f, 0x08, 0x00)
	return append(f, payload...)
}

func TestConnReadFrame(t *testing.T) {
	c := ifacetest.NewConn(7, 4)
	f := frame(macB, "hello")
	if err := c.Deliver(f, iface.FrameInfo{Type: iface.PacketHost, ChecksumNotReady: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.Deliver(f, iface.FrameInfo{}); err != nil {
		t.Fatal(err)
	}
	linkDown := errors.New("link down")
	if err := c.DeliverError(linkDown); err != nil {
		t.Fatal(err)
	}

	buf := make([]byte, 100)
	n, info, err := c.ReadFrame(buf)
	if err != nil {
		t.Fatalf("ReadFrame: %v", err)
	}
	if diff := cmp.Diff(f, buf[:n]); diff != "" {
		t.Errorf("frame (-want +got):\n%s", diff)
	}
	want := iface.FrameInfo{IfIndex: 7, Type: iface.PacketHost, ChecksumNotReady: true, Len: len(f)}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("info (-want +got):\n%s", diff)
	}

	n, info, err = c.ReadFrame(buf[:5])
	if err != nil || n != 5 || !info.Truncated || info.Len != len(f) {
		t.Errorf("short read = %d, %+v, %v; want 5 bytes, truncated", n, info, err)
	}
	if _, _, err := c.ReadFrame(buf); !errors.Is(err, linkDown) {
		t.Errorf("third ReadFrame: %v, want the delivered error", err)
	}
}

func TestConnDeadlineAndClose(t *testing.T) {
	c := ifacetest.NewConn(1, 1)
	buf := make([]byte, 100)
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, _, err := c.ReadFrame(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("ReadFrame: %v, want a deadline error", err)
	}

	// A new deadline set while a read blocks takes effect.
	_ = c.SetReadDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() {
		_, _, err := c.ReadFrame(buf)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	_ = c.SetReadDeadline(time.Now())
	if err := <-errc; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("blocked ReadFrame: %v, want a deadline error", err)
	}

	// Close unblocks a read and is idempotent.
	_ = c.SetReadDeadline(time.Time{})
	go func() {
		_, _, err := c.ReadFrame(buf)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("blocked ReadFrame after Close: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Close did not unblock ReadFrame")
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := c.Deliver(frame(macB, "x"), iface.FrameInfo{}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Deliver after Close: %v", err)
	}
	if err := c.WriteFrame(frame(macB, "x"), nil); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteFrame after Close: %v", err)
	}
}

func TestConnWriteFrame(t *testing.T) {
	c := ifacetest.NewConn(3, 1)
	f := frame(macB, "reply")
	if err := c.WriteFrame(f, macB); err != nil {
		t.Fatalf("WriteFrame: %v", err)
	}
	f[len(f)-1] = '!' // the Conn keeps a copy
	got := <-c.Sent()
	want := ifacetest.Frame{Data: frame(macB, "reply"), Info: iface.FrameInfo{IfIndex: 3, Type: iface.PacketOutgoing, Len: len(f)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}

	tests := []struct {
		name  string
		setup func()
		frame []byte
		dst   net.HardwareAddr
		want  string
	}{
		{"short", func() {}, make([]byte, 13), nil, "ifacetest: write: frame of 13 bytes is too short"},
		{"wrong destination", func() {}, f, macA, "ifacetest: write: destination 02:00:5e:00:00:01 is not the frame's 02:00:5e:00:00:02"},
		{"queue full", func() { _ = c.WriteFrame(f, nil) }, f, nil, "ifacetest: write: Sent queue is full"},
		{"injected error", func() { c.SetWriteError(iface.ErrLinkNotReady) }, f, nil, "link not ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup()
			err := c.WriteFrame(tt.frame, tt.dst)
			if err == nil {
				t.Fatal("WriteFrame succeeded")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPipe(t *testing.T) {
	a, b := ifacetest.Pipe(1, 2)
	for _, tt := range []struct {
		dst  net.HardwareAddr
		want iface.PacketType
	}{
		{macB, iface.PacketHost},
		{bcast, iface.PacketBroadcast},
		{net.HardwareAddr{0x01, 0, 0x5e, 0, 0, 1}, iface.PacketMulticast},
	} {
		if err := a.WriteFrame(frame(tt.dst, "x"), nil); err != nil {
			t.Fatalf("WriteFrame: %v", err)
		}
		buf := make([]byte, 100)
		n, info, err := b.ReadFrame(buf)
		if err != nil {
			t.Fatalf("ReadFrame: %v", err)
		}
		want := iface.FrameInfo{IfIndex: 2, Type: tt.want, Len: n}
		if diff := cmp.Diff(want, info); diff != "" {
			t.Errorf("info for %v (-want +got):\n%s", tt.dst, diff)
		}
	}
}
