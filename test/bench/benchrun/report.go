package main

import (
	"fmt"
	"io"
	"strings"
)

// printReport writes the table (Markdown, so it pastes into the README as
// is), the ratios against the other relays and the harness's own drops.
func printReport(w io.Writer, r *results) {
	if r.Fallback {
		printFallbackReport(w, r)
		return
	}
	mode := "unicast replies (clients without the BROADCAST flag)"
	if r.Broadcast {
		mode = "broadcast replies (clients set the BROADCAST flag)"
	}
	pacing := "open loop paced in small bursts"
	if r.Even {
		pacing = "open loop paced evenly"
	}
	fmt.Fprintf(w, "\n%d repetitions interleaved (%s), %s, %s, %d emulated clients, %d CPUs (pinned rows: CPU %d), kernel %s, %.0f s",
		r.Reps, strings.Join(r.Order, " "), mode, pacing, r.Clients, r.CPUs, r.PinCPU, r.Kernel, r.Seconds)
	if r.Quick {
		fmt.Fprint(w, " — QUICK MODE: harness check only, figures not comparable")
	}
	fmt.Fprint(w, "\n\n")
	lo, hi := fmt.Sprintf("%.0f", r.LowRate), fmt.Sprintf("%.0f", r.HighRate)
	fmt.Fprintf(w, "| relay | max DORA/s (< %g %% loss) | closed loop DORA/s (%d in flight) | DISCOVER→OFFER p50 / p99 µs @%s/s | @%s/s | worst DISCOVER→OFFER p99 µs up to the max | REQUEST→ACK p50 / p99 µs @%s/s | relay CPU µs/DORA @%s/s | @%s/s | peak RSS MiB | relay socket drops @%s/s |\n",
		r.MaxLossPct, r.InFlight, lo, hi, lo, lo, hi, hi)
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, s := range r.Summary {
		if s.Good == 0 && s.Failed == 0 {
			continue // not run (interrupted)
		}
		if s.Good == 0 {
			fmt.Fprintf(w, "| %s | failed (%d of %d) | | | | | | | | | |\n", s.Title, s.Failed, s.Failed)
			continue
		}
		cpuLo, cpuHi, rss, drops := "—", "—", "—", "—"
		if s.Row != rowNoRelay {
			cpuLo, cpuHi, rss = f1(s.CPULow), f1(s.CPUHigh), f1(s.PeakRSSMiB)
			drops = fmt.Sprintf("%.0f", s.DropsHigh)
		}
		fmt.Fprintf(w, "| %s | %s (%s–%s) | %s (%s–%s) | %s / %s | %s / %s | %s (max %s) | %s / %s | %s | %s | %s | %s |\n",
			s.Title, f0(s.MaxRate), f0(s.MaxRateMin), f0(s.MaxRateMax), f0(s.Closed), f0(s.ClosedMin), f0(s.ClosedMax),
			f0(s.OfferP50), f0(s.OfferP99), f0(s.OfferP50High), f0(s.OfferP99High), f0(s.WorstP99), f0(s.WorstP99Max),
			f0(s.AckP50), f0(s.AckP99), cpuLo, cpuHi, rss, drops)
	}
	fmt.Fprintf(w, "\nmax DORA/s: the highest offered rate at which a %g-s step lost < %g %% of its DORAs (a DORA is lost when a reply takes > %g ms) with a median DISCOVER→OFFER < %g ms; median over the repetitions (min–max). Closed loop: %g s with %d transactions in flight, completed DORA/s. Worst p99: the highest DISCOVER→OFFER p99 of the fixed-rate runs and passing search steps up to the cell's max (median over the repetitions, and the max). Latency and CPU: fixed runs of %g s at each rate; CPU is utime+stime of the relay process from /proc/PID/stat before and after, per completed DORA.\n\n",
		r.SearchSecs, r.MaxLossPct, r.TimeoutMS, r.MaxP50MS, r.SearchSecs, r.InFlight, r.FixedSecs)
	printRatios(w, r, "")
	printRatios(w, r, pinnedSuffix)
	printNotes(w, r)
}

// printRatios compares iphelper with the other relays run the same way
// (suffix: "" on every CPU, pinnedSuffix pinned) and with the lab's
// ceiling, against the targets set for it (README, "Performance"). A
// ratio is printed as computed, to two places, and judged unrounded.
func printRatios(w io.Writer, r *results, suffix string) {
	ip, ok := r.row("iphelper" + suffix)
	if !ok {
		return
	}
	how := "on every CPU"
	if suffix != "" {
		how = "pinned to one CPU"
	}
	fmt.Fprintf(w, "iphelper %s (same run, medians):\n", how)
	if c, ok := r.row(rowNoRelay); ok && c.MaxRate > 0 {
		x := ip.MaxRate / c.MaxRate
		fmt.Fprintf(w, "  max sustained DORA/s / the no-relay ceiling: %s× %s\n", f2(x), verdict(x >= 0.9, "target ≥ 0.9×"))
	}
	fmt.Fprintf(w, "  worst DISCOVER→OFFER p99 up to the max: %s µs (max over the repetitions %s µs) %s\n",
		f0(ip.WorstP99), f0(ip.WorstP99Max), verdict(ip.WorstP99 <= 2000, "target ≤ 2,000 µs"))
	if dh, ok := r.row("dhcp-helper" + suffix); ok {
		x := ip.MaxRate / dh.MaxRate
		fmt.Fprintf(w, "  max sustained DORA/s / dhcp-helper's: %s× %s\n", f2(x), verdict(x > 1, "target > 1×"))
		x = ip.Closed / dh.Closed
		fmt.Fprintf(w, "  closed-loop DORA/s / dhcp-helper's: %s× %s\n", f2(x), verdict(x > 1, "target > 1×"))
		x = ip.CPUHigh / dh.CPUHigh
		fmt.Fprintf(w, "  relay CPU per DORA @%.0f/s / dhcp-helper's: %s× %s\n", r.HighRate, f2(x), verdict(x <= 0.8, "target ≤ 0.8×"))
		x = ip.OfferP50High / dh.OfferP50High
		fmt.Fprintf(w, "  DISCOVER→OFFER p50 @%.0f/s / dhcp-helper's: %s× %s\n", r.HighRate, f2(x), verdict(x <= 1.5, "target ≤ 1.5×"))
		x = ip.OfferP50 / dh.OfferP50
		fmt.Fprintf(w, "  DISCOVER→OFFER p50 @%.0f/s / dhcp-helper's: %s× %s\n", r.LowRate, f2(x), verdict(x <= 1, "target ≤ 1×"))
	}
	if b, ok := r.row("iphelper-b" + suffix); ok {
		fmt.Fprintf(w, "  A/B against iphelper-b: max %s×, closed loop %s×, CPU per DORA @%.0f/s %s×, DISCOVER→OFFER p50 @%.0f/s %s×, worst p99 %s×\n",
			f2(ip.MaxRate/b.MaxRate), f2(ip.Closed/b.Closed), r.HighRate, f2(ip.CPUHigh/b.CPUHigh), r.HighRate,
			f2(ip.OfferP50High/b.OfferP50High), f2(ip.WorstP99/b.WorstP99))
	}
	if dr, ok := r.row("dhcrelay" + suffix); ok {
		x := ip.CPUHigh / dr.CPUHigh
		fmt.Fprintf(w, "  relay CPU per DORA @%.0f/s / dhcrelay -a's: %s× %s\n", r.HighRate, f2(x), verdict(x <= 0.5, "target ≤ 0.5×"))
		x = ip.MaxRate / dr.MaxRate
		fmt.Fprintf(w, "  max sustained DORA/s / dhcrelay -a's: %s×\n", f2(x))
	}
	fmt.Fprintln(w)
}

// verdict says whether a target is met.
func verdict(met bool, target string) string {
	word := "NOT MET"
	if met {
		word = "met"
	}
	return fmt.Sprintf("(%s: %s)", target, word)
}

// printNotes lists what may make a figure suspect.
func printNotes(w io.Writer, r *results) {
	fmt.Fprintln(w)
	for _, s := range r.Summary {
		if s.Good == 0 {
			continue
		}
		fmt.Fprintf(w, "%s: loss %.2f %% @%.0f/s, %.2f %% @%.0f/s; lab drops outside the relay during the fixed-rate runs: %d",
			s.Title, s.LossLow, r.LowRate, s.LossHigh, r.HighRate, s.HarnessDrops)
		if s.Row != rowNoRelay {
			fmt.Fprintf(w, "; CPU from schedstat %s / %s µs/DORA", f1(s.RuntimeLow), f1(s.RuntimeHigh))
		}
		fmt.Fprintln(w)
	}
	for _, c := range r.Cells {
		if c.Failed != "" {
			fmt.Fprintf(w, "FAILED rep %d of %s: %s\n", c.Rep, c.Row, firstLine(c.Failed))
		}
	}
}

// row returns the summary of the named row, if it has good cells.
func (r *results) row(name string) (summary, bool) {
	for _, s := range r.Summary {
		if s.Row == name && s.Good > 0 {
			return s, true
		}
	}
	return summary{}, false
}

func f0(v float64) string { return fmt.Sprintf("%.0f", v) }
func f1(v float64) string { return fmt.Sprintf("%.1f", v) }
func f2(v float64) string { return fmt.Sprintf("%.2f", v) }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
