package control

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/iphelper/iphelper/relay/trace"
)

// maxIfNameLen bounds the interface name of `debug packets`.
const maxIfNameLen = 64

// stream serves `debug packets`: it confirms the request, then writes one
// line per traced event until the client goes away, a write times out (a
// client that stopped reading), the tracer ends the subscription, or ctx
// ends.
func (s *Server) stream(ctx context.Context, c net.Conn, r *bufio.Reader, req Request) {
	if s.src.Trace == nil {
		_ = s.write(c, errorResponse(unavailable("the packet tracer")))
		return
	}
	if len(req.Interface) > maxIfNameLen {
		_ = s.write(c, errorResponse(&Error{Code: CodeBadArgument, Message: fmt.Sprintf("interface name is longer than %d bytes", maxIfNameLen)}))
		return
	}
	start, cerr := s.traceStart(req.Interface)
	if cerr != nil {
		_ = s.write(c, errorResponse(cerr))
		return
	}
	data, err := json.Marshal(start)
	if err != nil {
		_ = s.write(c, errorResponse(&Error{Code: CodeInternal, Message: err.Error()}))
		return
	}
	events, cancel := s.src.Trace.Subscribe(req.Interface)
	defer cancel()
	if err := s.write(c, Response{V: Version, OK: true, Data: data}); err != nil {
		return
	}
	s.log.Info("packet trace started", "iface", req.Interface)
	defer s.log.Info("packet trace stopped", "iface", req.Interface)

	// The client sends nothing more; reading tells when it leaves.
	if ctx.Err() == nil {
		_ = c.SetReadDeadline(time.Time{})
	}
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		_, _ = io.Copy(io.Discard, r)
	}()
	defer func() {
		_ = c.SetReadDeadline(time.Now())
		<-gone
	}()
	s.pump(ctx, c, events, gone)
}

// traceStart checks the interface of `debug packets` against the relay's
// interfaces: one that is neither served nor configured by name would
// show nothing, and is refused; one configured and not there yet is
// accepted, and the answer says that it is waited for. Without a status
// source every name is accepted.
func (s *Server) traceStart(name string) (TraceStart, *Error) {
	start := TraceStart{Interface: name}
	if name == "" || s.src.Status == nil {
		return start, nil
	}
	st := s.src.Status.Status()
	known := make([]string, 0, len(st.Interfaces))
	for _, is := range st.Interfaces {
		if is.Name == name {
			start.State = is.State
			return start, nil
		}
		known = append(known, is.Name)
	}
	msg := fmt.Sprintf("no interface %q is served or configured", name)
	if len(known) > 0 {
		msg += " (known: " + strings.Join(known, ", ") + ")"
	}
	return start, &Error{Code: CodeBadArgument, Message: msg}
}

// pump writes events to c until ctx ends, the client is gone, the
// subscription ends or a write fails.
func (s *Server) pump(ctx context.Context, c net.Conn, events <-chan trace.Event, gone <-chan struct{}) {
	stopping := errorResponse(&Error{Code: CodeShuttingDown, Message: "the daemon is stopping"})
	for {
		select {
		case <-ctx.Done():
			_ = s.write(c, stopping)
			return
		case <-gone:
			if ctx.Err() != nil {
				_ = s.write(c, stopping)
			}
			return
		case e, ok := <-events:
			if !ok {
				return
			}
			if err := s.write(c, Response{V: Version, OK: true, Event: traceEventOf(e)}); err != nil {
				return
			}
		}
	}
}
