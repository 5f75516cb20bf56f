package main

import (
	"fmt"
	"strconv"
	"strings"
)

// perfReport is what perfdhcp's final report (Kea 2.2, DHCPv4, full
// DORAs) says about a run.
type perfReport struct {
	// Rate is the 4-way exchanges completed per second ("Rate: …").
	Rate     float64      `json:"rate"`
	Discover perfExchange `json:"discover_offer"`
	Request  perfExchange `json:"request_ack"`
}

// perfExchange is one "Statistics for:" section of the report.
type perfExchange struct {
	Sent     uint64 `json:"sent"`
	Received uint64 `json:"received"`
	Drops    uint64 `json:"drops"`
	// AvgDelayUS is the mean delay in µs; perfdhcp prints no median. 0
	// when it printed n/a (nothing received).
	AvgDelayUS float64 `json:"avg_delay_us"`
}

// Section headings and keys of the report.
const (
	perfSectionPrefix = "***Statistics for: "
	perfDiscover      = "DISCOVER-OFFER"
	perfRequest       = "REQUEST-ACK"
	perfRatePrefix    = "Rate: "
)

// parsePerfReport parses perfdhcp's report. Every counter of both
// exchanges and the rate must be there; a delay of "n/a" (nothing
// received) is 0. When perfdhcp prints "avg delay:" twice in a section
// (it does when nothing came back), the last one counts.
func parsePerfReport(out string) (perfReport, error) {
	var rep perfReport
	var cur *perfExchange
	seen := make(map[string]bool)
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, perfRatePrefix):
			f := strings.Fields(strings.TrimPrefix(line, perfRatePrefix))
			if len(f) == 0 {
				return perfReport{}, fmt.Errorf("perfdhcp report: bad rate line %q", line)
			}
			v, err := strconv.ParseFloat(f[0], 64)
			if err != nil {
				return perfReport{}, fmt.Errorf("perfdhcp report: bad rate line %q: %w", line, err)
			}
			rep.Rate = v
			seen["rate"] = true
		case strings.HasPrefix(line, perfSectionPrefix):
			switch strings.TrimSuffix(strings.TrimPrefix(line, perfSectionPrefix), "***") {
			case perfDiscover:
				cur = &rep.Discover
			case perfRequest:
				cur = &rep.Request
			default:
				cur = nil
			}
		case cur != nil:
			if err := cur.parseLine(line, seen, cur == &rep.Discover); err != nil {
				return perfReport{}, err
			}
		}
	}
	for _, k := range []string{"rate", perfDiscover + " sent packets", perfDiscover + " received packets",
		perfDiscover + " drops", perfRequest + " sent packets", perfRequest + " received packets", perfRequest + " drops"} {
		if !seen[k] {
			return perfReport{}, fmt.Errorf("perfdhcp report has no %s", k)
		}
	}
	return rep, nil
}

// parseLine takes one "key: value" line of an exchange's section; seen
// records the counters found, under the section's name.
func (e *perfExchange) parseLine(line string, seen map[string]bool, discover bool) error {
	section := perfRequest
	if discover {
		section = perfDiscover
	}
	key, val, ok := strings.Cut(line, ": ")
	if !ok {
		return nil
	}
	var dst *uint64
	switch key {
	case "sent packets":
		dst = &e.Sent
	case "received packets":
		dst = &e.Received
	case "drops":
		dst = &e.Drops
	case "avg delay":
		return e.parseDelay(line, section)
	default:
		return nil
	}
	v, err := strconv.ParseUint(val, 10, 64)
	if err != nil {
		return fmt.Errorf("perfdhcp report: %s: bad %s %q: %w", section, key, val, err)
	}
	*dst = v
	seen[section+" "+key] = true
	return nil
}

// parseDelay takes an "avg delay: 1.696 ms" line (or "avg delay: n/a",
// or perfdhcp's "avg delay: min delay: n/a").
func (e *perfExchange) parseDelay(line, section string) error {
	val := strings.TrimSpace(line[strings.LastIndex(line, ": ")+2:])
	if val == "n/a" {
		e.AvgDelayUS = 0
		return nil
	}
	num, ok := strings.CutSuffix(val, " ms")
	if !ok {
		return fmt.Errorf("perfdhcp report: %s: bad avg delay %q", section, val)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return fmt.Errorf("perfdhcp report: %s: bad avg delay %q: %w", section, val, err)
	}
	e.AvgDelayUS = v * 1000
	return nil
}
