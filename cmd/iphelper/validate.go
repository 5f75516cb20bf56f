package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay"
)

// liveLinksTimeout bounds the netlink dump of check-config and of run's
// check before it starts.
const liveLinksTimeout = 5 * time.Second

// loadChecked builds the configuration from the file at path and the flags
// and checks it against links, this machine's links: the one validation
// of check-config, of run before it starts and of every reload (there with
// the running daemon's own view of the links). An error is the list of
// problems.
func loadChecked(path string, f config.Flags, links func() (map[string]iface.Link, error)) (*config.Config, error) {
	cfg, err := config.LoadWithFlags(path, f)
	if err != nil {
		return nil, err
	}
	ls, err := links()
	if err != nil {
		return nil, err
	}
	if err := relay.CheckConfig(cfg, ls, iface.NetlinkRoutes{}); err != nil {
		return nil, err
	}
	return cfg, nil
}

// liveLinks lists this machine's links (in the caller's network
// namespace) through netlink, as the daemon's watcher sees them. It needs
// no privilege.
func liveLinks() (map[string]iface.Link, error) {
	ctx, cancel := context.WithTimeout(context.Background(), liveLinksTimeout)
	defer cancel()
	w := iface.NewWatcher(slog.New(slog.DiscardHandler))
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var err error
	select {
	case <-w.Ready():
	case <-ctx.Done():
		err = fmt.Errorf("failed to list the network interfaces within %v", liveLinksTimeout)
	}
	links := w.Links()
	cancel()
	if runErr := <-done; runErr != nil {
		err = errors.Join(err, runErr)
	}
	if err != nil {
		return nil, err
	}
	return links, nil
}
