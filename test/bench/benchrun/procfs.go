package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat: 100
// on every Linux architecture Go supports.
const clockTicks = 100

// cpuTicks returns utime + stime of pid, in clock ticks, from /proc/PID/stat.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("failed to read cpu time of pid %d: %w", pid, err)
	}
	return parseStatCPU(string(b))
}

// parseStatCPU takes utime (field 14) and stime (field 15) from a
// /proc/PID/stat line. The command name (field 2) may hold spaces and
// parentheses, so fields are counted after its last ')'.
func parseStatCPU(s string) (int64, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("failed to parse /proc/PID/stat: no command name")
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("failed to parse /proc/PID/stat: %d fields after the name", len(f))
	}
	var sum int64
	for _, s := range f[11:13] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("failed to parse /proc/PID/stat: %w", err)
		}
		sum += v
	}
	return sum, nil
}

// runtimeNanos returns the time pid's threads have spent on a CPU, in
// nanoseconds: the first field of /proc/PID/task/*/schedstat, summed. It is
// finer than cpuTicks (which counts in 10 ms ticks) and is reported beside
// it as a check.
func runtimeNanos(pid int) (int64, error) {
	paths, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(paths) == 0 {
		return 0, fmt.Errorf("failed to list threads of pid %d", pid)
	}
	var sum int64
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread ended
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("failed to parse %s: %w", p, err)
		}
		sum += v
	}
	return sum, nil
}

// peakRSSKiB returns VmHWM of pid, in KiB.
func peakRSSKiB(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("failed to read peak RSS of pid %d: %w", pid, err)
	}
	defer f.Close()
	return parseStatusField(bufio.NewScanner(f), "VmHWM:")
}

// parseStatusField returns the number in the /proc/PID/status line that
// starts with key ("VmHWM:   1234 kB").
func parseStatusField(sc *bufio.Scanner, key string) (int64, error) {
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == key {
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s line in /proc/PID/status", key)
}

// udpCounter returns a counter of the Udp lines of /proc/PID/net/snmp, for
// the network namespace pid lives in ("RcvbufErrors": datagrams dropped
// because a socket's receive buffer was full).
func udpCounter(pid int, name string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/snmp", pid))
	if err != nil {
		return 0, fmt.Errorf("failed to read udp counters of pid %d: %w", pid, err)
	}
	return parseSNMP(string(b), "Udp:", name)
}

// parseSNMP finds counter name in the table of /proc/net/snmp whose lines
// start with proto: a header line of names, then a line of values.
func parseSNMP(s, proto, name string) (int64, error) {
	var header []string
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != proto {
			continue
		}
		if header == nil {
			header = f
			continue
		}
		for i, h := range header {
			if h == name && i < len(f) {
				return strconv.ParseInt(f[i], 10, 64)
			}
		}
		break
	}
	return 0, fmt.Errorf("no %s %s counter in snmp", proto, name)
}

// nsUDPCounter is udpCounter for a namespace in which benchrun has no
// long-lived process (perfdhcp's): its /proc/net/snmp, read from inside.
func nsUDPCounter(ns, name string) (int64, error) {
	out, err := command("ip", "netns", "exec", ns, "cat", "/proc/net/snmp")
	if err != nil {
		return 0, err
	}
	return parseSNMP(out, "Udp:", name)
}
