package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"
)

// serveConn answers the requests of one connection until the client
// closes it, stays idle too long, sends a bad line, or ctx ends.
func (s *Server) serveConn(ctx context.Context, c net.Conn) {
	// Ending ctx unblocks a pending read; writes have their own deadline.
	stop := context.AfterFunc(ctx, func() { c.SetReadDeadline(time.Now()) })
	defer stop()
	r := bufio.NewReaderSize(c, MaxRequestSize)
	peer, err := peerOf(c)
	if err != nil {
		s.log.Warn("control connection refused", "err", err)
		return
	}
	acc := accessOf(s.opts.Owner, s.opts.ReadOnly, peer)
	for {
		req, perr, ok := s.readRequest(ctx, c, r)
		if !ok {
			return
		}
		if perr == nil && !permits(acc, req) {
			perr = forbidden(acc, s.opts.ReadOnly, peer, req)
			s.log.Warn("control command refused", "cmd", req.Cmd, "what", req.What, "uid", peer.UID, "pid", peer.PID)
		}
		if perr != nil {
			_ = s.write(c, errorResponse(perr))
			return
		}
		if req.Cmd == CmdDebug && req.What == DebugPackets {
			s.stream(ctx, c, r, req)
			return
		}
		if err := s.write(c, s.respond(ctx, req)); err != nil {
			s.log.Debug("failed to answer a control request", "cmd", req.Cmd, "err", err)
			return
		}
	}
}

// readRequest reads and decodes one request line. ok is false when the
// connection ended (closed, idle, ctx over); perr is set when the line is
// not a valid request, which ends the connection after the error is sent.
func (s *Server) readRequest(ctx context.Context, c net.Conn, r *bufio.Reader) (req Request, perr *Error, ok bool) {
	_ = c.SetReadDeadline(time.Now().Add(s.opts.IdleTimeout))
	if ctx.Err() != nil { // checked after the deadline is set: serveConn's AfterFunc may have run before
		return req, nil, false
	}
	line, err := r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return req, &Error{Code: CodeRequestTooLarge, Message: fmt.Sprintf("request is longer than %d bytes", MaxRequestSize)}, true
	case err != nil:
		return req, nil, false
	}
	line = bytes.TrimSpace(line)
	if err := json.Unmarshal(line, &req); err != nil {
		return req, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("request is not a JSON object: %v", err)}, true
	}
	if req.V != Version {
		return req, &Error{Code: CodeUnsupportedVersion, Message: fmt.Sprintf("protocol version %d is not supported, this daemon speaks %d", req.V, Version)}, true
	}
	return req, nil, true
}

// write sends one response line within the write timeout.
func (s *Server) write(c net.Conn, resp Response) error {
	b, err := json.Marshal(resp)
	if err != nil {
		b, _ = json.Marshal(errorResponse(&Error{Code: CodeInternal, Message: fmt.Sprintf("failed to encode the response: %v", err)}))
	}
	b = append(b, '\n')
	if err := c.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout)); err != nil {
		return fmt.Errorf("failed to set the write deadline: %w", err)
	}
	if _, err := c.Write(b); err != nil {
		return fmt.Errorf("failed to write the response: %w", err)
	}
	return nil
}
