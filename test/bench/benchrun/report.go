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
	fmt.Fprintf(w, "\n%d repetitions interleaved (%s), %s, %d emulated clients, %d CPUs, kernel %s, %.0f s",
		r.Reps, strings.Join(r.Order, " "), mode, r.Clients, r.CPUs, r.Kernel, r.Seconds)
	if r.Quick {
		fmt.Fprint(w, " — QUICK MODE: harness check only, figures not comparable")
	}
	fmt.Fprint(w, "\n\n")
	lo, hi := fmt.Sprintf("%.0f", r.LowRate), fmt.Sprintf("%.0f", r.HighRate)
	fmt.Fprintf(w, "| relay | max DORA/s (< %g %% loss) | DISCOVER→OFFER p50 / p99 µs @%s/s | REQUEST→ACK p50 / p99 µs @%s/s | relay CPU µs/DORA @%s/s | @%s/s | peak RSS MiB | relay socket drops @%s/s |\n",
		r.MaxLossPct, lo, lo, lo, hi, hi)
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, s := range r.Summary {
		if s.Good == 0 {
			fmt.Fprintf(w, "| %s | failed (%d of %d) | | | | | | |\n", s.Title, s.Failed, s.Failed)
			continue
		}
		cpuLo, cpuHi, rss, drops := "—", "—", "—", "—"
		if s.Row != rowNoRelay {
			cpuLo, cpuHi, rss = f1(s.CPULow), f1(s.CPUHigh), f1(s.PeakRSSMiB)
			drops = fmt.Sprintf("%.0f", s.DropsHigh)
		}
		fmt.Fprintf(w, "| %s | %s (%s–%s) | %s / %s | %s / %s | %s | %s | %s | %s |\n",
			s.Title, f0(s.MaxRate), f0(s.MaxRateMin), f0(s.MaxRateMax),
			f0(s.OfferP50), f0(s.OfferP99), f0(s.AckP50), f0(s.AckP99), cpuLo, cpuHi, rss, drops)
	}
	fmt.Fprintf(w, "\nmax DORA/s: the highest offered rate at which a %g-s step lost < %g %% of its DORAs (a DORA is lost when a reply takes > %g ms) with a median DISCOVER→OFFER < %g ms; median over the repetitions (min–max). Latency and CPU: fixed runs of %g s at each rate; CPU is utime+stime of the relay process from /proc/PID/stat before and after, per completed DORA.\n\n",
		r.SearchSecs, r.MaxLossPct, r.TimeoutMS, r.MaxP50MS, r.FixedSecs)
	printRatios(w, r)
	printNotes(w, r)
}

// printRatios compares iphelper with each other relay against the targets
// set for it (README, "Performance").
func printRatios(w io.Writer, r *results) {
	ip, ok := r.row("iphelper")
	if !ok {
		return
	}
	ceiling, hasCeiling := r.row(rowNoRelay)
	for _, other := range []string{"dhcrelay", "dhcp-helper"} {
		o, ok := r.row(other)
		if !ok {
			continue
		}
		fmt.Fprintf(w, "iphelper / %s (same run, medians):\n", other)
		cpu := ip.CPUHigh / o.CPUHigh
		fmt.Fprintf(w, "  relay CPU per DORA @%.0f/s: %s× %s\n", r.HighRate, f2(cpu), verdict(other, cpu <= 0.5, "target ≤ 0.5×"))
		cpuLo := ip.CPULow / o.CPULow
		fmt.Fprintf(w, "  relay CPU per DORA @%.0f/s: %s×\n", r.LowRate, f2(cpuLo))
		mx := ip.MaxRate / o.MaxRate
		atCeiling := hasCeiling && ceiling.MaxRate > 0 && ip.MaxRate >= 0.95*ceiling.MaxRate
		note := "target ≥ 1.8×, or the lab's ceiling"
		if hasCeiling && ceiling.MaxRate > 0 {
			note += fmt.Sprintf("; iphelper reaches %.0f %% of the ceiling", 100*ip.MaxRate/ceiling.MaxRate)
		}
		fmt.Fprintf(w, "  max sustained DORA/s: %s× %s\n", f2(mx), verdict(other, mx >= 1.8 || atCeiling, note))
		p50o, p50a := ip.OfferP50/o.OfferP50, ip.AckP50/o.AckP50
		fmt.Fprintf(w, "  p50 @%.0f/s: DISCOVER→OFFER %s×, REQUEST→ACK %s× %s\n", r.LowRate, f2(p50o), f2(p50a),
			verdict(other, p50o <= 1 && p50a <= 1, "target ≤ 1×"))
		fmt.Fprintf(w, "  p99 @%.0f/s: DISCOVER→OFFER %s×, REQUEST→ACK %s× (p99 at low rates is mostly vCPU wake-up noise)\n",
			r.LowRate, f2(ip.OfferP99/o.OfferP99), f2(ip.AckP99/o.AckP99))
	}
}

// verdict says whether a target is met; targets are set against dhcrelay,
// and iphelper should beat dhcp-helper on the same terms.
func verdict(other string, met bool, target string) string {
	word := "NOT MET"
	if met {
		word = "met"
	}
	if other != "dhcrelay" {
		target = "same bar as for dhcrelay: " + target
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
