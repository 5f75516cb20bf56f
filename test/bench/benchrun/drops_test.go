package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ssOut is `ss -H -a -m -p` output as seen in the lab: packet sockets on one
// line, UDP sockets with skmem on an indented second line.
const ssOut = `p_raw UNCONN 0      0      *:down0 * users:(("dhcrelay",pid=20855,fd=3)) skmem:(r0,rb212992,t0,tb212992,f0,w0,o768,bl0,d673)
p_raw UNCONN 0      0      *:up0   * users:(("dhcrelay",pid=20855,fd=4)) skmem:(r0,rb212992,t0,tb212992,f0,w0,o768,bl0,d174)
p_raw UNCONN 0      0      ip:down0 * users:(("iphelper",pid=208,fd=8)) skmem:(r0,rb8388608,t0,tb212992,f0,w0,o832,bl0,d5)
UNCONN 0      0      0.0.0.0:bootps 0.0.0.0:* users:(("dhcrelay",pid=20855,fd=5))
	 skmem:(r0,rb212992,t0,tb212992,f4096,w0,o0,bl0,d991)
`

func TestParseSSDrops(t *testing.T) {
	tests := []struct {
		name string
		pid  int
		want int64
	}{
		{name: "all sockets of a pid, across continuation lines", pid: 20855, want: 673 + 174 + 991},
		{name: "pid prefix does not match a longer pid", pid: 20, want: 0},
		{name: "another process", pid: 208, want: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseSSDrops(ssOut, tt.pid)); diff != "" {
				t.Errorf("drops (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseLinkDrops(t *testing.T) {
	out := `[{"ifname":"lo","stats64":{"rx":{"bytes":0,"dropped":0},"tx":{"dropped":0}}},
{"ifname":"eth0","stats64":{"rx":{"bytes":10,"dropped":3},"tx":{"dropped":4}}},{"ifname":"x"}]`
	got, err := parseLinkDrops(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(int64(7), got); diff != "" {
		t.Errorf("drops (-want +got):\n%s", diff)
	}
	_, err = parseLinkDrops("Cannot find device")
	if want := "failed to parse ip -s -j link output: invalid character 'C' looking for beginning of value"; err == nil || err.Error() != want {
		t.Errorf("got error %v, want %q", err, want)
	}
}

func TestParseSoftnet(t *testing.T) {
	out := "0000a000 00000002 00000000 00000000\n0000b000 00000010 00000001 00000000\n"
	got, err := parseSoftnet(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(int64(2+16), got); diff != "" {
		t.Errorf("drops (-want +got):\n%s", diff)
	}
	_, err = parseSoftnet("00 zz\n")
	if want := `failed to parse softnet_stat: strconv.ParseInt: parsing "zz": invalid syntax`; err == nil || err.Error() != want {
		t.Errorf("got error %v, want %q", err, want)
	}
}

func TestSumKey(t *testing.T) {
	in := `{"Interfaces":[{"Counters":{"Drops":{"socket_overflow":7,"malformed":1}}},{"Counters":{"Drops":{"socket_overflow":2}}}],
		"Global":{"Drops":{"reply_overflow":3}}}`
	var v any
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if got := []int64{sumKey(v, "socket_overflow"), sumKey(v, "reply_overflow"), sumKey(v, "nothing")}; !slices.Equal(got, []int64{9, 3, 0}) {
		t.Errorf("sumKey: %v; want [9 3 0]", got)
	}
}
