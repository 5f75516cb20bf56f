package control

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultMaxConns     = 16
	DefaultIdleTimeout  = 30 * time.Second
	DefaultWriteTimeout = 10 * time.Second
)

// Options tune a Server; the zero value is usable.
type Options struct {
	// Log receives errors and, at debug level, connection events; nil
	// discards.
	Log *slog.Logger
	// MaxConns bounds the connections served at once; one more is answered
	// with CodeBusy and closed. <= 0 means DefaultMaxConns.
	MaxConns int
	// IdleTimeout is how long a connection may wait before (and between)
	// requests; <= 0 means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// WriteTimeout bounds the writing of one response or trace line; a
	// client that does not read for that long is disconnected. <= 0 means
	// DefaultWriteTimeout.
	WriteTimeout time.Duration
	// Now is the clock used to hide expired bindings; nil means time.Now.
	Now func() time.Time
	// Build is the daemon's build and Started when it started, for `show
	// version`; a zero Started leaves the uptime 0.
	Build   Build
	Started time.Time
	// ReadOnly is the group whose members may run show and debug only;
	// the socket is then mode 0660 with that group. The zero Group keeps
	// the socket owner-only. The daemon's user and root may do everything.
	ReadOnly Group
	// Owner is the uid with every right besides root; the zero value
	// means the daemon's effective uid.
	Owner uint32
}

// Server is the control socket task. Create it with NewServer and run it
// under the daemon's errgroup.
type Server struct {
	path  string
	src   Sources
	opts  Options
	log   *slog.Logger
	sem   chan struct{}
	ready chan struct{}
	// base is the baseline of clear statistics, which show subtracts.
	base baseline
}

// NewServer returns a server that will listen on path and answer from src.
func NewServer(path string, src Sources, opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Owner == 0 {
		opts.Owner = uint32(os.Geteuid())
	}
	return &Server{
		path: path, src: src, opts: opts, log: opts.Log.With("task", "control"),
		sem: make(chan struct{}, opts.MaxConns), ready: make(chan struct{}),
	}
}

// Serve runs a Server for path and src until ctx ends: NewServer(path,
// src, opts).Run(ctx).
func Serve(ctx context.Context, path string, src Sources, opts Options) error {
	return NewServer(path, src, opts).Run(ctx)
}

// String names the task.
func (s *Server) String() string { return "control socket " + s.path }

// Ready is closed once the socket accepts connections.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Run creates the socket and serves it until ctx ends; then it closes
// every connection, waits for their goroutines and removes the socket. It
// returns an error only when the socket cannot be created.
func (s *Server) Run(ctx context.Context) error {
	ln, fi, madeDir, err := listen(s.path, s.opts.ReadOnly)
	if err != nil {
		return err
	}
	defer s.remove(fi, madeDir)
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	close(s.ready)
	s.log.Info("control socket listening", "path", s.path)

	var wg sync.WaitGroup
	defer wg.Wait()
	defer ln.Close()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.log.Warn("failed to accept a control connection", "err", err)
			sleep(ctx, 50*time.Millisecond) // e.g. out of file descriptors: do not spin
			continue
		}
		select {
		case s.sem <- struct{}{}:
		default:
			s.reject(c)
			continue
		}
		wg.Go(func() {
			defer func() { <-s.sem }()
			defer c.Close()
			s.serveConn(ctx, c)
		})
	}
}

// reject tells a connection over the limit to come back later.
func (s *Server) reject(c net.Conn) {
	defer c.Close()
	s.log.Warn("too many control connections", "max", s.opts.MaxConns)
	_ = s.write(c, errorResponse(&Error{Code: CodeBusy, Message: "too many control connections, try again"}))
}

// remove deletes the socket file if it is still the one Run created, and
// the directory Run created for it if that is empty now.
func (s *Server) remove(fi os.FileInfo, madeDir bool) {
	if cur, err := os.Lstat(s.path); err == nil && os.SameFile(fi, cur) {
		os.Remove(s.path)
	}
	if madeDir {
		os.Remove(filepath.Dir(s.path)) // fails, harmlessly, unless empty
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
