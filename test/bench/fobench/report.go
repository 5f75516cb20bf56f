package main

import (
	"fmt"
	"slices"
)

// spread is the median and range of some repetitions.
type spread struct {
	Median, Min, Max float64
	N                int
}

// spreadOf summarises xs, ignoring negative values (never happened); N
// counts the values kept.
func spreadOf(xs []float64) spread {
	var v []float64
	for _, x := range xs {
		if x >= 0 {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return spread{Median: -1, Min: -1, Max: -1}
	}
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return spread{Median: m, Min: v[0], Max: v[len(v)-1], N: len(v)}
}

func (s spread) String() string {
	if s.N == 0 {
		return "never"
	}
	return fmt.Sprintf("%.0f (%.0f–%.0f)", s.Median, s.Min, s.Max)
}

// fmt1 is String with one decimal.
func (s spread) fmt1() string {
	if s.N == 0 {
		return "never"
	}
	return fmt.Sprintf("%.1f (%.1f–%.1f)", s.Median, s.Min, s.Max)
}

// report prints the tables: medians with their ranges.
func (b *bench) report() {
	w := b.stdout
	fmt.Fprintf(w, "\n%d failed attempts (each tried again)\n", len(b.res.Failed))
	for _, f := range b.res.Failed {
		fmt.Fprintf(w, "  %s\n", tail(f, 300))
	}
	if len(b.res.Rates) > 0 {
		fmt.Fprintf(w, "\n%d clients, closed loop, %d s per run, %d repetitions interleaved; median (min–max)\n\n", b.o.clients, b.o.seconds, b.o.reps)
		fmt.Fprintln(w, "| mode | leases/s | vs single (median of ratios per repetition) | CPU µs/lease (all server processes) | loss % | REQUEST→ACK p50 µs |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		single := b.field(modeSingle, func(r rateResult) float64 { return r.PerSecond })
		for _, m := range rateModes {
			rate := b.field(m, func(r rateResult) float64 { return r.PerSecond })
			if len(rate) == 0 {
				continue
			}
			var ratios []float64
			for i := range min(len(rate), len(single)) {
				ratios = append(ratios, rate[i]/single[i])
			}
			rs := spreadOf(ratios)
			fmt.Fprintf(w, "| %s | %s | %.2f× (%.2f–%.2f) | %s | %s | %s |\n", m, spreadOf(rate),
				rs.Median, rs.Min, rs.Max,
				spreadOf(b.field(m, func(r rateResult) float64 { return r.CPUus })).fmt1(),
				spreadOf(b.field(m, func(r rateResult) float64 { return r.LossPct })).fmt1(),
				spreadOf(b.field(m, func(r rateResult) float64 { return r.AckP50US })))
		}
	}
	if len(b.res.Takeovers) > 0 {
		fmt.Fprintln(w, "\nTakeover of the hot-standby primary, ms from the signal; median (min–max), n")
		fmt.Fprintln(w, "\n| server | signal | detected | PARTNER-DOWN | first ACK of a new client | new clients bound |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		type key struct{ server, sig string }
		var keys []key
		for _, t := range b.res.Takeovers {
			if k := (key{t.Server, t.Signal}); !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			var det, pd, ack []float64
			bound, asked := 0, 0
			for _, t := range b.res.Takeovers {
				if t.Server == k.server && t.Signal == k.sig {
					det, pd, ack = append(det, t.DetectMS), append(pd, t.PartnerDown), append(ack, t.FirstAckMS)
					bound, asked = bound+t.Bound, asked+t.Asked
				}
			}
			fmt.Fprintf(w, "| %s | %s | %s, n=%d | %s | %s, n=%d | %d of %d |\n", k.server, k.sig,
				spreadOf(det), spreadOf(det).N, spreadOf(pd), spreadOf(ack), spreadOf(ack).N, bound, asked)
		}
	}
}

// field is f of mode's rate results, in repetition order.
func (b *bench) field(mode string, f func(rateResult) float64) []float64 {
	var out []float64
	for _, r := range b.res.Rates {
		if r.Mode == mode {
			out = append(out, f(r))
		}
	}
	return out
}
