package main

import (
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// results is everything a benchmark run produced; it is written to
// results.json and printed as the table.
type results struct {
	Started    time.Time `json:"started"`
	Seconds    float64   `json:"seconds"`
	Kernel     string    `json:"kernel"`
	CPUs       int       `json:"cpus"`
	Reps       int       `json:"reps"`
	Order      []string  `json:"order"`
	Broadcast  bool      `json:"broadcast"`
	Even       bool      `json:"even"`    // the loadgen paced evenly
	PinCPU     int       `json:"pin_cpu"` // the CPU of the pinned rows
	InFlight   int       `json:"closed_in_flight"`
	Clients    int       `json:"clients"`
	LowRate    float64   `json:"low_rate"`
	HighRate   float64   `json:"high_rate"`
	FixedSecs  float64   `json:"fixed_seconds"`
	MaxLossPct float64   `json:"max_loss_pct"`
	MaxP50MS   float64   `json:"max_p50_ms"`
	SearchSecs float64   `json:"search_step_seconds"`
	TimeoutMS  float64   `json:"timeout_ms"`
	Quick      bool      `json:"quick"`
	Fallback   bool      `json:"fallback"`
	Helper     string    `json:"fallback_helper,omitempty"` // iphelper's dead helper (fallback mode)
	Cells      []*cell   `json:"cells"`
	Summary    []summary `json:"summary"`
}

// summary is one row of the table: medians over the row's good cells.
type summary struct {
	Row          string  `json:"row"`
	Title        string  `json:"title"`
	Good         int     `json:"good_reps"`
	Failed       int     `json:"failed_reps"`
	MaxRate      float64 `json:"max_rate"`
	MaxRateMin   float64 `json:"max_rate_min"`
	MaxRateMax   float64 `json:"max_rate_max"`
	OfferP50     float64 `json:"offer_p50_us"`
	OfferP99     float64 `json:"offer_p99_us"`
	AckP50       float64 `json:"ack_p50_us"`
	AckP99       float64 `json:"ack_p99_us"`
	OfferP50High float64 `json:"offer_p50_us_high"`
	OfferP99High float64 `json:"offer_p99_us_high"`
	WorstP99     float64 `json:"worst_offer_p99_us"` // median over the cells of each one's worst p99 up to its max
	WorstP99Max  float64 `json:"worst_offer_p99_us_max"`
	Closed       float64 `json:"closed_per_s"` // closed loop: completed DORA/s
	ClosedMin    float64 `json:"closed_per_s_min"`
	ClosedMax    float64 `json:"closed_per_s_max"`
	LossLow      float64 `json:"loss_low_pct"`
	LossHigh     float64 `json:"loss_high_pct"`
	CPULow       float64 `json:"cpu_us_per_dora_low"`
	CPUHigh      float64 `json:"cpu_us_per_dora_high"`
	RuntimeLow   float64 `json:"runtime_us_per_dora_low"`
	RuntimeHigh  float64 `json:"runtime_us_per_dora_high"`
	PeakRSSMiB   float64 `json:"peak_rss_mib"`
	DropsHigh    float64 `json:"relay_drops_high"`
	HarnessDrops int64   `json:"harness_drops_fixed"`
	// Fallback mode: perfdhcp's mean delays (perfdhcp rows), and the lease
	// files: size, distinct leases (the fewest of any repetition), and
	// Kea's records per completed DORA.
	OfferAvg       float64 `json:"offer_avg_us,omitempty"`
	AckAvg         float64 `json:"ack_avg_us,omitempty"`
	LeaseFileKiB   float64 `json:"lease_file_kib,omitempty"`
	LeasesStored   int     `json:"leases_stored,omitempty"`
	RecordsPerDORA float64 `json:"records_per_dora,omitempty"`
}

func newResults(o options, rows []row) *results {
	r := &results{
		Started: time.Now(), Kernel: kernel(), CPUs: runtime.NumCPU(), Reps: o.reps,
		Broadcast: o.broadcast, Even: o.even, PinCPU: o.pinCPU, InFlight: o.inFlight, Clients: o.clients, LowRate: o.plan.lowRate, HighRate: o.plan.highRate,
		FixedSecs: o.plan.fixed.Seconds(), MaxLossPct: o.plan.maxLossPct, Quick: o.quick, Fallback: o.fallback,
		MaxP50MS: float64(o.plan.maxP50.Milliseconds()), SearchSecs: o.plan.searchLen.Seconds(),
		TimeoutMS: float64(o.plan.timeout.Milliseconds()),
	}
	if o.fallback {
		r.Helper = o.deadHelper
	}
	for _, row := range rows {
		r.Order = append(r.Order, row.Name)
	}
	return r
}

// finish computes the summary rows.
func (r *results) finish(rows []row) {
	r.Seconds = time.Since(r.Started).Seconds()
	for _, row := range rows {
		s := summary{Row: row.Name, Title: row.title()}
		var good []*cell
		for _, c := range r.Cells {
			switch {
			case c.Row != row.Name:
			case c.Failed != "":
				s.Failed++
			default:
				good = append(good, c)
			}
		}
		s.Good = len(good)
		if len(good) > 0 {
			s.fill(good)
		}
		r.Summary = append(r.Summary, s)
	}
}

// fill sets the medians from good cells (at least one).
func (s *summary) fill(good []*cell) {
	pick := func(f func(c *cell) float64) float64 {
		v := make([]float64, len(good))
		for i, c := range good {
			v[i] = f(c)
		}
		return median(v)
	}
	maxes := make([]float64, len(good))
	for i, c := range good {
		maxes[i] = c.MaxRate
		s.PeakRSSMiB = max(s.PeakRSSMiB, float64(c.PeakRSSKiB)/1024)
		s.HarnessDrops += c.Low.harnessDrops() + c.High.harnessDrops()
	}
	s.MaxRate, s.MaxRateMin, s.MaxRateMax = median(maxes), slices.Min(maxes), slices.Max(maxes)
	s.OfferP50 = pick(func(c *cell) float64 { return c.Low.Load.OfferP50US })
	s.OfferP99 = pick(func(c *cell) float64 { return c.Low.Load.OfferP99US })
	s.AckP50 = pick(func(c *cell) float64 { return c.Low.Load.AckP50US })
	s.AckP99 = pick(func(c *cell) float64 { return c.Low.Load.AckP99US })
	s.OfferP50High = pick(func(c *cell) float64 { return c.High.Load.OfferP50US })
	s.OfferP99High = pick(func(c *cell) float64 { return c.High.Load.OfferP99US })
	s.WorstP99 = pick(func(c *cell) float64 { return c.WorstP99US })
	closed := make([]float64, 0, len(good))
	for _, c := range good {
		s.WorstP99Max = max(s.WorstP99Max, c.WorstP99US)
		if c.Closed != nil {
			closed = append(closed, c.Closed.Load.PerSecond)
		}
	}
	if len(closed) > 0 {
		s.Closed, s.ClosedMin, s.ClosedMax = median(closed), slices.Min(closed), slices.Max(closed)
	}
	s.LossLow = pick(func(c *cell) float64 { return c.Low.Load.LossPct })
	s.LossHigh = pick(func(c *cell) float64 { return c.High.Load.LossPct })
	s.CPULow = pick(func(c *cell) float64 { return c.Low.CPUPerDORAus })
	s.CPUHigh = pick(func(c *cell) float64 { return c.High.CPUPerDORAus })
	s.RuntimeLow = pick(func(c *cell) float64 { return c.Low.RuntimePerDORAus })
	s.RuntimeHigh = pick(func(c *cell) float64 { return c.High.RuntimePerDORAus })
	s.DropsHigh = pick(func(c *cell) float64 { return float64(c.High.relayDrops()) })
	s.fillFallback(good, pick)
}

// fillFallback sets the fallback mode's figures from good cells.
func (s *summary) fillFallback(good []*cell, pick func(f func(c *cell) float64) float64) {
	if good[0].Low.Perfdhcp != nil {
		s.OfferAvg = pick(func(c *cell) float64 { return c.Low.Perfdhcp.Discover.AvgDelayUS })
		s.AckAvg = pick(func(c *cell) float64 { return c.Low.Perfdhcp.Request.AvgDelayUS })
	}
	if good[0].Stored == nil {
		return
	}
	s.LeaseFileKiB = pick(func(c *cell) float64 { return float64(c.Stored.FileBytes) / 1024 })
	s.LeasesStored = good[0].Stored.Leases
	for _, c := range good {
		s.LeasesStored = min(s.LeasesStored, c.Stored.Leases)
	}
	s.RecordsPerDORA = pick(func(c *cell) float64 {
		if c.Completed == 0 {
			return 0
		}
		return float64(c.Stored.Records) / float64(c.Completed)
	})
}

// median returns the median of v (the mean of the middle two for an even
// count); 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// kernel returns the running kernel's release.
func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

// loadAvg returns the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
