package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// commandTimeout bounds each short command benchrun runs.
const commandTimeout = 10 * time.Second

// command runs a short command and returns its output.
func command(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).Output()
	if err != nil {
		return "", fmt.Errorf("failed to run %q: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

// packetDrops returns the drops of the AF_PACKET sockets pid holds in ns
// (sk_drops, as `ss -0 -m` shows it: frames lost because the socket's
// receive buffer was full; frames its filter rejects are not counted).
func packetDrops(ns string, pid int) (int64, error) {
	out, err := command("ip", "netns", "exec", ns, "ss", "-H", "-0", "-a", "-m", "-p")
	if err != nil {
		return 0, err
	}
	return parseSSDrops(out, pid), nil
}

var (
	ssDropRE = regexp.MustCompile(`skmem:\([^)]*\bd([0-9]+)\)`)
)

// parseSSDrops sums the skmem drop counts of the sockets of pid in `ss -H
// -m -p` output, where a socket's line may continue on indented lines.
func parseSSDrops(out string, pid int) int64 {
	owner := "pid=" + strconv.Itoa(pid) + ","
	var sum int64
	var rec strings.Builder
	flush := func() {
		s := rec.String()
		rec.Reset()
		if !strings.Contains(s, owner) {
			return
		}
		for _, m := range ssDropRE.FindAllStringSubmatch(s, -1) {
			if v, err := strconv.ParseInt(m[1], 10, 64); err == nil {
				sum += v
			}
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if line != "" && line[0] != ' ' && line[0] != '\t' {
			flush()
		}
		rec.WriteString(line)
		rec.WriteByte(' ')
	}
	flush()
	return sum
}

// linkDrops returns the sum of rx and tx drops of every link in ns (the
// veth ends: frames the kernel dropped between the namespaces).
func linkDrops(ns string) (int64, error) {
	out, err := command("ip", "-n", ns, "-s", "-j", "link", "show")
	if err != nil {
		return 0, err
	}
	return parseLinkDrops(out)
}

// parseLinkDrops sums stats64 rx/tx dropped over the links of `ip -s -j
// link show` output.
func parseLinkDrops(out string) (int64, error) {
	var links []struct {
		Stats struct {
			RX struct {
				Dropped int64 `json:"dropped"`
			} `json:"rx"`
			TX struct {
				Dropped int64 `json:"dropped"`
			} `json:"tx"`
		} `json:"stats64"`
	}
	if err := json.Unmarshal([]byte(out), &links); err != nil {
		return 0, fmt.Errorf("failed to parse ip -s -j link output: %w", err)
	}
	var sum int64
	for _, l := range links {
		sum += l.Stats.RX.Dropped + l.Stats.TX.Dropped
	}
	return sum, nil
}

// softnetDrops returns the frames the kernel dropped because a CPU's input
// backlog was full (the second column of /proc/net/softnet_stat, summed
// over CPUs). It is machine-wide.
func softnetDrops() (int64, error) {
	b, err := os.ReadFile("/proc/net/softnet_stat")
	if err != nil {
		return 0, fmt.Errorf("failed to read softnet_stat: %w", err)
	}
	return parseSoftnet(string(b))
}

func parseSoftnet(s string) (int64, error) {
	var sum int64
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseInt(f[1], 16, 64)
		if err != nil {
			return 0, fmt.Errorf("failed to parse softnet_stat: %w", err)
		}
		sum += v
	}
	return sum, nil
}

// iphelperOverflows returns what iphelper counted as dropped by its full
// sockets (socket_overflow: its packet sockets' queues and rings, from
// PACKET_STATISTICS; reply_overflow: UDP receive buffers of its
// namespace), read with `show statistics --json` over its control socket.
// A ring's drops are not in the sk_drops that ss shows.
func iphelperOverflows(bin, controlSocket string) (packet, udp int64, err error) {
	out, err := command(bin, "show", "statistics", "--json", "--control-socket", controlSocket)
	if err != nil {
		return 0, 0, err
	}
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return 0, 0, fmt.Errorf("failed to parse iphelper's statistics: %w", err)
	}
	packet, udp = sumKey(v, "socket_overflow"), sumKey(v, "reply_overflow")
	return packet, udp, nil
}

// sumKey adds up every number under the key name anywhere in v (decoded
// JSON).
func sumKey(v any, name string) int64 {
	var n int64
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if f, ok := e.(float64); ok && k == name {
				n += int64(f)
				continue
			}
			n += sumKey(e, name)
		}
	case []any:
		for _, e := range x {
			n += sumKey(e, name)
		}
	}
	return n
}
