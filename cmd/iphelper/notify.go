package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
)

// The sd_notify(3) states the daemon sends.
const (
	sdReady    = "READY=1\nSTATUS=relaying"
	sdStopping = "STOPPING=1\nSTATUS=stopping"
)

// sdNotify sends state, newline-separated VAR=value assignments (see
// sd_notify(3)), to the service manager's notification socket: a unix
// datagram socket named by an absolute path or, with a leading '@', by an
// abstract name (the value of $NOTIFY_SOCKET, read by the caller). With
// socket "" (not started by systemd, or Type= is not notify) it does
// nothing. It is safe for concurrent use.
func sdNotify(socket, state string) error {
	if socket == "" {
		return nil
	}
	if socket[0] != '/' && socket[0] != '@' {
		return fmt.Errorf("unsupported NOTIFY_SOCKET %q: want an absolute path or an @abstract name", socket)
	}
	// Go turns a leading '@' into the NUL byte of an abstract address.
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("failed to reach the notify socket %q: %w", socket, err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("failed to send %q to the notify socket %q: %w", firstLine(state), socket, err)
	}
	return nil
}

// notifySystemd is the daemon's systemd task: it sends READY=1 once every
// channel of ready is closed (the tasks that open the sockets say so), and
// STOPPING=1 when ctx ends, then returns nil. socket is $NOTIFY_SOCKET; ""
// makes it wait for ctx and send nothing. A failure to notify is logged,
// never fatal: the relay works the same without systemd.
func notifySystemd(ctx context.Context, socket string, log *slog.Logger, ready ...<-chan struct{}) error {
	send := func(state string) {
		if err := sdNotify(socket, state); err != nil {
			log.Warn("failed to notify systemd", "state", firstLine(state), "err", err)
		} else if socket != "" {
			log.Debug("notified systemd", "state", firstLine(state))
		}
	}
	for _, r := range ready {
		select {
		case <-ctx.Done():
			send(sdStopping)
			return nil
		case <-r:
		}
	}
	send(sdReady)
	<-ctx.Done()
	send(sdStopping)
	return nil
}

// firstLine is the first line of a notify state, for messages.
func firstLine(state string) string {
	line, _, _ := strings.Cut(state, "\n")
	return line
}
