package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration parses a duration as time.ParseDuration does, and also
// with a leading number of days: "1d", "1d12h", "7d". Lease times and
// quarantines are read in days by operators; a day is 24 hours here.
func ParseDuration(s string) (time.Duration, error) {
	i := strings.IndexByte(s, 'd')
	if i < 0 {
		return time.ParseDuration(s)
	}
	days, err := strconv.ParseUint(s[:i], 10, 32)
	if err != nil || i == 0 {
		return 0, fmt.Errorf("time: invalid duration %q: days go first, as a whole number (1d12h)", s)
	}
	var rest time.Duration
	if tail := s[i+1:]; tail != "" {
		if rest, err = time.ParseDuration(tail); err != nil {
			return 0, err
		}
		if rest < 0 {
			return 0, fmt.Errorf("time: invalid duration %q: a negative part after the days", s)
		}
	}
	if days > uint64(math.MaxInt64-rest)/uint64(24*time.Hour) {
		return 0, fmt.Errorf("time: invalid duration %q: too long", s)
	}
	return time.Duration(days)*24*time.Hour + rest, nil
}
