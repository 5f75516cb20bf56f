package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"
)

// Client timeouts.
const (
	DialTimeout    = 2 * time.Second  // connecting to the socket
	RequestTimeout = 30 * time.Second // one request, unless the context says otherwise
)

// Client is a connection to the daemon's control socket. A Client is not
// safe for concurrent use: make one request at a time.
type Client struct {
	path string
	conn net.Conn
	dec  *json.Decoder
}

// Dial connects to the control socket at path.
func Dial(path string) (*Client, error) {
	c, err := net.DialTimeout("unix", path, DialTimeout)
	if err != nil {
		return nil, fmt.Errorf("failed to connect to the control socket %s: %w", path, err)
	}
	return &Client{path: path, conn: c, dec: json.NewDecoder(bufio.NewReader(c))}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Do sends req (its V is set to Version) and returns the response's data.
// A request the daemon refused comes back as an *Error.
func (c *Client) Do(ctx context.Context, req Request) (json.RawMessage, error) {
	done := c.bind(ctx, RequestTimeout)
	defer done()
	resp, err := c.roundTrip(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.Data, nil
}

// bind applies ctx (and a default timeout when ctx has no deadline) to the
// connection until the returned function is called.
func (c *Client) bind(ctx context.Context, timeout time.Duration) func() {
	dl, ok := ctx.Deadline()
	if !ok && timeout > 0 {
		dl = time.Now().Add(timeout)
	}
	_ = c.conn.SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Now()) })
	return func() { stop() }
}

// roundTrip writes req and reads the first response.
func (c *Client) roundTrip(ctx context.Context, req Request) (Response, error) {
	req.V = Version
	b, err := json.Marshal(req)
	if err != nil {
		return Response{}, fmt.Errorf("failed to encode the request: %w", err)
	}
	if _, err := c.conn.Write(append(b, '\n')); err != nil {
		// The server may have refused the connection (busy) and closed it
		// before reading: its answer is still there to read.
		if resp, rerr := c.read(ctx); rerr != nil && errors.As(rerr, new(*Error)) {
			return resp, rerr
		}
		return Response{}, c.ioError(ctx, "send the request", err)
	}
	return c.read(ctx)
}

// read decodes one response and turns a refusal into an *Error.
func (c *Client) read(ctx context.Context) (Response, error) {
	var resp Response
	if err := c.dec.Decode(&resp); err != nil {
		return Response{}, c.ioError(ctx, "read the response", err)
	}
	if resp.V != Version {
		return Response{}, fmt.Errorf("control socket %s answered with protocol version %d, this client speaks %d", c.path, resp.V, Version)
	}
	if !resp.OK {
		return Response{}, &Error{Code: resp.Code, Message: resp.Error}
	}
	return resp, nil
}

// ioError names what failed; when ctx ended, its error is returned
// instead of the deadline error it caused.
func (c *Client) ioError(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("failed to %s on the control socket %s: %w", what, c.path, err)
}

// Show asks for one show target and returns its raw data.
func (c *Client) Show(ctx context.Context, what, arg string) (json.RawMessage, error) {
	return c.Do(ctx, Request{Cmd: CmdShow, What: what, Arg: arg})
}

// Clear starts the counters that show displays over (`clear statistics`):
// every counter, or with iface those of that interface only.
func (c *Client) Clear(ctx context.Context, iface string) error {
	_, err := c.Do(ctx, Request{Cmd: CmdClear, What: ClearStatistics, Arg: iface})
	return err
}

// ClearConflicts frees the fallback server's quarantined address arg, or
// every one for "" or "*", and returns the addresses freed.
func (c *Client) ClearConflicts(ctx context.Context, arg string) ([]netip.Addr, error) {
	data, err := c.Do(ctx, Request{Cmd: CmdClear, What: ClearConflicts, Arg: arg})
	if err != nil {
		return nil, err
	}
	var res ClearedConflicts
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("failed to decode the daemon's answer to clear conflicts: %w", err)
	}
	return res.Freed, nil
}

// Reload asks the daemon to re-read and apply its configuration; a
// rejected one comes back as an *Error with CodeRejected. The result says
// what of an applied one waits for a restart.
func (c *Client) Reload(ctx context.Context) (ReloadResult, error) {
	data, err := c.Do(ctx, Request{Cmd: CmdReload})
	if err != nil || len(data) == 0 {
		return ReloadResult{}, err
	}
	var res ReloadResult
	if err := json.Unmarshal(data, &res); err != nil {
		return ReloadResult{}, fmt.Errorf("failed to decode the daemon's answer to reload: %w", err)
	}
	return res, nil
}

// Failover returns `show failover`; a daemon without a failover pair
// answers with CodeUnavailable.
func (c *Client) Failover(ctx context.Context) (Failover, error) {
	return showAs[Failover](ctx, c, ShowFailover, "")
}

// DDNS returns `show ddns`: the scopes with dynamic DNS.
func (c *Client) DDNS(ctx context.Context) ([]DDNSScope, error) {
	return showAs[[]DDNSScope](ctx, c, ShowDDNS, "")
}

// PartnerDown tells the daemon's failover pair that its partner is down
// (`failover partner-down`) and returns the pair's state after it. A
// state that does not allow it comes back as an *Error with CodeRefused.
func (c *Client) PartnerDown(ctx context.Context) (Failover, error) {
	var f Failover
	data, err := c.Do(ctx, Request{Cmd: CmdFailover, What: FailoverPartnerDown})
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("failed to decode the daemon's answer to failover partner-down: %w", err)
	}
	return f, nil
}

// Interfaces returns `show interfaces`.
func (c *Client) Interfaces(ctx context.Context) ([]Interface, error) {
	return showAs[[]Interface](ctx, c, ShowInterfaces, "")
}

// Helpers returns `show helpers`.
func (c *Client) Helpers(ctx context.Context) ([]Helper, error) {
	return showAs[[]Helper](ctx, c, ShowHelpers, "")
}

// Statistics returns `show statistics`.
func (c *Client) Statistics(ctx context.Context) (Statistics, error) {
	return showAs[Statistics](ctx, c, ShowStatistics, "")
}

// Bindings returns `show bindings [query]`; query is an IPv4 address, a
// MAC address or empty for every binding.
func (c *Client) Bindings(ctx context.Context, query string) ([]Binding, error) {
	return showAs[[]Binding](ctx, c, ShowBindings, query)
}

// Leases returns `show leases`.
func (c *Client) Leases(ctx context.Context) ([]Lease, error) {
	return showAs[[]Lease](ctx, c, ShowLeases, "")
}

func showAs[T any](ctx context.Context, c *Client, what, arg string) (T, error) {
	var out T
	data, err := c.Show(ctx, what, arg)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return out, fmt.Errorf("failed to decode show %s from the control socket %s: %w", what, c.path, err)
	}
	return out, nil
}

// ErrTraceEnded is returned by Trace when the daemon ended the stream
// without saying why.
var ErrTraceEnded = errors.New("the daemon ended the packet trace")

// Trace runs `debug packets` for iface (empty: every interface), calling fn
// for each event in order, until ctx ends (then it returns nil) or the
// daemon ends the stream (an *Error with CodeShuttingDown when it stops).
// Trace closes the connection when it returns, which tells the daemon to
// stop tracing; the Client cannot be used afterwards.
func (c *Client) Trace(ctx context.Context, iface string, fn func(TraceEvent)) error {
	return c.TraceStarted(ctx, iface, nil, fn)
}

// TraceStarted is Trace that first calls started, when not nil, with the
// daemon's answer to the request: the interface's state (a configured
// interface that does not exist yet is waited for). An interface the
// daemon neither serves nor has configured is refused with
// CodeBadArgument.
func (c *Client) TraceStarted(ctx context.Context, iface string, started func(TraceStart), fn func(TraceEvent)) error {
	defer c.conn.Close()
	done := c.bind(ctx, RequestTimeout)
	resp, err := c.roundTrip(ctx, Request{Cmd: CmdDebug, What: DebugPackets, Interface: iface})
	if err != nil {
		done()
		return err
	}
	done()
	if started != nil {
		var st TraceStart
		if len(resp.Data) > 0 {
			if err := json.Unmarshal(resp.Data, &st); err != nil {
				return fmt.Errorf("failed to decode the start of the packet trace from the control socket %s: %w", c.path, err)
			}
		}
		started(st)
	}
	done = c.bind(ctx, 0) // no deadline while tracing
	defer done()
	for {
		resp, err := c.read(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return ErrTraceEnded
		case err != nil:
			return err
		case resp.Event == nil:
			return ErrTraceEnded
		}
		fn(*resp.Event)
	}
}
