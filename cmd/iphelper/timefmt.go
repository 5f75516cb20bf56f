package main

import (
	"strconv"
	"time"
)

// stampFormat is how a person reads a point in time everywhere iphelper
// prints one (show tables, trace lines, text logs): RFC 3339 in UTC, to
// the second; trace lines and logs add milliseconds. UTC because an
// appliance's logs are read next to other machines' (docs/operations.md,
// "Times and durations").
const stampFormat = "2006-01-02T15:04:05Z"

// stamp prints a time as stampFormat; "-" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(stampFormat)
}

// humanDuration prints d as an engineer reads it: the two largest units
// of days, hours, minutes and seconds, "1d2h", "10m", "1h30m", "45s";
// under a second, "0s"; negative durations get a "-".
func humanDuration(d time.Duration) string {
	if d < 0 {
		return "-" + humanDuration(-d)
	}
	d = d.Truncate(time.Second)
	if d == 0 {
		return "0s"
	}
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}
	var out []byte
	parts := 0
	for _, u := range units {
		if parts == 2 {
			break
		}
		n := d / u.size
		if n == 0 && parts == 0 {
			continue
		}
		if parts == 1 && n == 0 {
			break
		}
		out = strconv.AppendInt(out, int64(n), 10)
		out = append(out, u.name...)
		d -= n * u.size
		parts++
	}
	return string(out)
}
