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

// fmt2 and fmt3 are String with two and three decimals.
func (s spread) fmt2() string { return s.fmtN(2) }
func (s spread) fmt3() string { return s.fmtN(3) }

func (s spread) fmtN(n int) string {
	if s.N == 0 {
		return "never"
	}
	return fmt.Sprintf("%.*f (%.*f–%.*f)", n, s.Median, n, s.Min, n, s.Max)
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
		fmt.Fprintln(w, "| mode | leases/s | vs single | CPU µs/lease (all server processes) | vs single | loss % | REQUEST→ACK p50 µs |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
		rate := func(r rateResult) float64 { return r.PerSecond }
		cpu := func(r rateResult) float64 { return r.CPUus }
		for _, m := range rateModes {
			if len(b.field(m, rate)) == 0 {
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", m,
				spreadOf(b.field(m, rate)), b.ratios(m, rate).fmt3(),
				spreadOf(b.field(m, cpu)).fmt1(), b.ratios(m, cpu).fmt3(),
				spreadOf(b.field(m, func(r rateResult) float64 { return r.LossPct })).fmt2(),
				spreadOf(b.field(m, func(r rateResult) float64 { return r.AckP50US })))
		}
		fmt.Fprintln(w, "\n\"vs single\": the median (min–max) of the ratios within each repetition")
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

// ratios are f of mode over f of the single node, repetition by
// repetition (an interleaved repetition shares the VM's moment).
func (b *bench) ratios(mode string, f func(rateResult) float64) spread {
	single := b.field(modeSingle, f)
	var out []float64
	for i, v := range b.field(mode, f) {
		if i < len(single) && single[i] > 0 {
			out = append(out, v/single[i])
		}
	}
	return spreadOf(out)
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
