package main

import (
	"fmt"
	"io"
	"strings"
)

// fallbackTarget is the performance bar for the fallback server: at least this
// many times Kea's leases per second, every lease durable before its ACK.
const fallbackTarget = 1.5

// printFallbackReport writes the fallback benchmark's table (Markdown), the
// ratios against Kea and the notes.
func printFallbackReport(w io.Writer, r *results) {
	fmt.Fprintf(w, "\n%d repetitions interleaved (%s), %d emulated clients, iphelper's helper %s (answers nothing), %d CPUs, kernel %s, %.0f s, 1-min load average at the cells' starts: %s",
		r.Reps, strings.Join(r.Order, " "), r.Clients, r.Helper, r.CPUs, r.Kernel, r.Seconds, loadRange(r))
	if r.Quick {
		fmt.Fprint(w, " — QUICK MODE: harness check only, figures not comparable")
	}
	fmt.Fprint(w, "\n\n")
	lo, hi := fmt.Sprintf("%.0f", r.LowRate), fmt.Sprintf("%.0f", r.HighRate)
	fmt.Fprintf(w, "| server | max leases/s (< %g %% loss) | server CPU µs/lease @%s/s | @%s/s | DISCOVER→OFFER / REQUEST→ACK µs @%s/s | peak RSS MiB | lease file KiB | leases on file |\n",
		r.MaxLossPct, lo, hi, lo)
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, s := range r.Summary {
		if s.Good == 0 {
			fmt.Fprintf(w, "| %s | failed (%d of %d) | | | | | | |\n", s.Title, s.Failed, s.Failed)
			continue
		}
		lat := fmt.Sprintf("p50 %s / %s", f0(s.OfferP50), f0(s.AckP50))
		if s.Row == rowKeaPerf {
			lat = fmt.Sprintf("mean %s / %s", f0(s.OfferAvg), f0(s.AckAvg))
		}
		fmt.Fprintf(w, "| %s | %s (%s–%s) | %s | %s | %s | %s | %s | %d |\n",
			s.Title, f0(s.MaxRate), f0(s.MaxRateMin), f0(s.MaxRateMax), f1(s.CPULow), f1(s.CPUHigh), lat,
			f1(s.PeakRSSMiB), f0(s.LeaseFileKiB), s.LeasesStored)
	}
	fmt.Fprintf(w, "\nA lease is a full DORA (a known client's DORA renews its lease: a new expiry, written to the lease file before the ACK on iphelper, appended to the CSV file on Kea). max leases/s: the highest offered rate at which a %g-s step lost < %g %% of its DORAs (a DORA is lost when a reply takes > %g ms), loadgen rows also with a median DISCOVER→OFFER < %g ms; median over the repetitions (min–max). CPU: utime+stime of the server process from /proc/PID/stat before and after fixed runs of %g s, per completed DORA (iphelper's includes relaying every request to its dead helper). perfdhcp prints mean delays, not medians.\n\n",
		r.SearchSecs, r.MaxLossPct, r.TimeoutMS, r.MaxP50MS, r.FixedSecs)
	printFallbackRatios(w, r)
	printFallbackNotes(w, r)
}

// printFallbackRatios compares iphelper's fallback with Kea against the
// target (fallbackTarget).
func printFallbackRatios(w io.Writer, r *results) {
	ip, ok := r.row(rowFallback)
	if !ok {
		return
	}
	if kea, ok := r.row(rowKea); ok {
		mx := ip.MaxRate / kea.MaxRate
		word := "NOT MET"
		if mx >= fallbackTarget {
			word = "met"
		}
		fmt.Fprintf(w, "iphelper fallback / kea, both driven by the loadgen (same run, medians):\n")
		fmt.Fprintf(w, "  max leases/s: %s× (target ≥ %g×: %s)\n", f2(mx), fallbackTarget, word)
		fmt.Fprintf(w, "  server CPU per lease @%.0f/s: %s×, @%.0f/s: %s× (lower is better)\n",
			r.LowRate, f2(ip.CPULow/kea.CPULow), r.HighRate, f2(ip.CPUHigh/kea.CPUHigh))
	}
	if kp, ok := r.row(rowKeaPerf); ok {
		fmt.Fprintf(w, "iphelper fallback (loadgen) / kea (perfdhcp, Kea's own tool): max leases/s %s×\n", f2(ip.MaxRate/kp.MaxRate))
	}
}

// printFallbackNotes lists what may make a figure suspect, and what each
// server's lease file held.
func printFallbackNotes(w io.Writer, r *results) {
	fmt.Fprintln(w)
	for _, s := range r.Summary {
		if s.Good == 0 {
			continue
		}
		fmt.Fprintf(w, "%s: loss %.2f %% @%.0f/s, %.2f %% @%.0f/s; server socket drops @%.0f/s: %.0f; lab drops outside the server during the fixed-rate runs: %d; CPU from schedstat %s / %s µs/lease",
			s.Title, s.LossLow, r.LowRate, s.LossHigh, r.HighRate, r.HighRate, s.DropsHigh, s.HarnessDrops, f1(s.RuntimeLow), f1(s.RuntimeHigh))
		if s.Row != rowKeaPerf {
			fmt.Fprintf(w, "; p99 @%.0f/s %s / %s µs", r.LowRate, f0(s.OfferP99), f0(s.AckP99))
		}
		if s.RecordsPerDORA > 0 {
			fmt.Fprintf(w, "; lease records in the CSV file per completed DORA: %s", f2(s.RecordsPerDORA))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "Durability: iphelper commits each batch of leases to bbolt (fdatasync) before the batch's ACKs leave; Kea's memfile appends each lease to its CSV file with write(2), without fsync: in the page cache when the ACK leaves, on disk when the kernel writes it back. Kea runs single-threaded (its default), logging warnings only.")
	for _, c := range r.Cells {
		if c.Failed != "" {
			fmt.Fprintf(w, "FAILED rep %d of %s: %s\n", c.Rep, c.Row, firstLine(c.Failed))
		}
	}
}

// loadRange is the lowest and highest 1-minute load average at the start of
// the cells.
func loadRange(r *results) string {
	lo, hi := "", ""
	var loV, hiV float64
	for _, c := range r.Cells {
		f := strings.Fields(c.LoadAvg)
		if len(f) == 0 {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(f[0], &v); err != nil {
			continue
		}
		if lo == "" || v < loV {
			lo, loV = f[0], v
		}
		if hi == "" || v > hiV {
			hi, hiV = f[0], v
		}
	}
	if lo == "" {
		return "?"
	}
	return lo + "–" + hi
}
