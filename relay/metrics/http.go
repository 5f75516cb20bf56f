package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Path is where the Server serves the metrics.
const Path = "/metrics"

// shutdownTimeout bounds the wait for scrapes in progress at shutdown.
const shutdownTimeout = 5 * time.Second

// Handler returns the /metrics handler for reg.
func Handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, MaxRequestsInFlight: 4, Timeout: 10 * time.Second})
}

// Server is the HTTP task behind --metrics-listen: it serves h on Path.
type Server struct {
	addr  string
	h     http.Handler
	log   *slog.Logger
	ready chan struct{}
	bound net.Addr
}

// NewServer returns a server that will listen on addr (host:port; port 0
// picks one) and serve h on Path. A nil log discards.
func NewServer(addr string, h http.Handler, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{addr: addr, h: h, log: log.With("task", "metrics"), ready: make(chan struct{})}
}

// String names the task.
func (s *Server) String() string { return "metrics server " + s.addr }

// Ready is closed once the server listens.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addr is the address the server listens on; valid once Ready is closed.
func (s *Server) Addr() net.Addr { return s.bound }

// Run serves until ctx ends, then shuts down gracefully. It fails when the
// address cannot be bound.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("failed to listen for metrics on %s: %w", s.addr, err)
	}
	s.bound = ln.Addr()
	mux := http.NewServeMux()
	mux.Handle(Path, s.h)
	srv := &http.Server{
		Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	close(s.ready)
	s.log.Info("serving metrics", "addr", s.bound.String(), "path", Path)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("metrics server on %s failed: %w", s.bound, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics server on %s failed: %w", s.bound, err)
	}
	return nil
}
