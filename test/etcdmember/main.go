// Command etcdmember runs one member of an etcd cluster with etcd's embed
// package, for the namespace tests of the shared lease store
// (docs/cluster.md): the lab starts one in each node's namespace. Every
// 100 ms it writes "leader" or "follower" to <data-dir>/role, so that a
// test finds the leader without a client of its own. It stops on SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "etcdmember:", err)
		os.Exit(1)
	}
}

func run() error {
	name := flag.String("name", "", "the member's name")
	dir := flag.String("data-dir", "", "the member's data directory")
	client := flag.String("client-url", "", "the client URL it listens on and advertises")
	peer := flag.String("peer-url", "", "the peer URL it listens on and advertises")
	cluster := flag.String("initial-cluster", "", "NAME=PEER-URL,… of every member")
	flag.Parse()
	cu, err := url.Parse(*client)
	if err != nil {
		return fmt.Errorf("bad -client-url: %w", err)
	}
	pu, err := url.Parse(*peer)
	if err != nil {
		return fmt.Errorf("bad -peer-url: %w", err)
	}
	cfg := embed.NewConfig()
	cfg.Name, cfg.Dir = *name, filepath.Join(*dir, "data")
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = *cluster
	cfg.InitialClusterToken = "iphelper-lab"
	cfg.LogLevel = "warn"
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return fmt.Errorf("failed to start the member: %w", err)
	}
	defer e.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	select {
	case <-e.Server.ReadyNotify():
		fmt.Println("etcdmember: ready")
	case err := <-e.Err():
		return fmt.Errorf("member failed: %w", err)
	case <-ctx.Done():
		return nil
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	role := filepath.Join(*dir, "role")
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-e.Err():
			return fmt.Errorf("member failed: %w", err)
		case <-tick.C:
			r := "follower"
			if e.Server.Leader() == e.Server.MemberID() {
				r = "leader"
			}
			if err := os.WriteFile(role+".tmp", []byte(r), 0o644); err == nil {
				_ = os.Rename(role+".tmp", role)
			}
		}
	}
}
