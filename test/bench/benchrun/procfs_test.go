package main

import (
	"bufio"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    int64
		wantErr string
	}{
		{
			name: "plain name",
			line: "1234 (dhcrelay) S 1 1234 1234 0 -1 4194560 90 0 0 0 17 25 0 0 20 0 1 0 100 5000000 300 18446744073709551615",
			want: 42,
		},
		{
			name: "name with spaces and parentheses",
			line: "7 (a) b (c)) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 1 1",
			want: 7,
		},
		{name: "no name", line: "1234 S 1", wantErr: "failed to parse /proc/PID/stat: no command name"},
		{name: "short", line: "1 (x) S 1 2 3", wantErr: "failed to parse /proc/PID/stat: 4 fields after the name"},
		{
			name:    "not a number",
			line:    "1 (x) S 1 1 1 0 -1 0 0 0 0 0 x 4 0",
			wantErr: `failed to parse /proc/PID/stat: strconv.ParseInt: parsing "x": invalid syntax`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU(tt.line)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ticks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseStatusField(t *testing.T) {
	status := "Name:\tiphelper\nVmPeak:\t 1253460 kB\nVmHWM:\t   12044 kB\nVmRSS:\t   11000 kB\n"
	got, err := parseStatusField(bufio.NewScanner(strings.NewReader(status)), "VmHWM:")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(int64(12044), got); diff != "" {
		t.Errorf("VmHWM (-want +got):\n%s", diff)
	}
	_, err = parseStatusField(bufio.NewScanner(strings.NewReader("Name:\tx\n")), "VmHWM:")
	if want := "no VmHWM: line in /proc/PID/status"; err == nil || err.Error() != want {
		t.Errorf("got error %v, want %q", err, want)
	}
}

const snmp = `Ip: Forwarding DefaultTTL InReceives
Ip: 1 64 100
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 8686 0 4991 6502 991 0 0 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 0 0 0 0 7 0 0 0 0
`

func TestParseSNMP(t *testing.T) {
	tests := []struct {
		name, proto, counter string
		want                 int64
		wantErr              string
	}{
		{name: "udp rcvbuf", proto: "Udp:", counter: "RcvbufErrors", want: 991},
		{name: "udp in errors", proto: "Udp:", counter: "InErrors", want: 4991},
		{name: "udplite is another table", proto: "UdpLite:", counter: "RcvbufErrors", want: 7},
		{name: "missing counter", proto: "Udp:", counter: "Nope", wantErr: "no Udp: Nope counter in snmp"},
		{name: "missing table", proto: "Tcp:", counter: "RcvbufErrors", wantErr: "no Tcp: RcvbufErrors counter in snmp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSNMP(snmp, tt.proto, tt.counter)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("counter (-want +got):\n%s", diff)
			}
		})
	}
}
