package dora

import (
	"fmt"
	"io"
	"time"
)

// Result is what a run did. Counts are DORAs unless they say frames.
type Result struct {
	Interface   string  `json:"interface"`
	Mode        string  `json:"mode"` // "open" (Rate) or "closed"
	Rate        float64 `json:"rate"` // offered DORAs per second (0 in closed loop)
	Broadcast   bool    `json:"broadcast"`
	Even        bool    `json:"even"` // open loop paced evenly (Config.Even)
	Clients     int     `json:"clients"`
	Outstanding int     `json:"outstanding"`
	TimeoutMS   float64 `json:"timeout_ms"`

	Seconds    float64 `json:"seconds"`    // how long scheduling lasted
	Scheduled  uint64  `json:"scheduled"`  // attempted + skipped
	Attempted  uint64  `json:"attempted"`  // DISCOVERs sent
	Skipped    uint64  `json:"skipped"`    // starts not made: in-flight bound reached
	Offers     uint64  `json:"offers"`     // OFFERs answered with a REQUEST
	Completed  uint64  `json:"completed"`  // ACKs: full DORAs
	LostOffer  uint64  `json:"lost_offer"` // no OFFER in time
	LostAck    uint64  `json:"lost_ack"`   // no ACK in time
	Naks       uint64  `json:"naks"`
	PerSecond  float64 `json:"completed_per_s"`
	LossPct    float64 `json:"loss_pct"` // 100 × (scheduled − completed) / scheduled
	OfferP50US float64 `json:"offer_p50_us"`
	OfferP99US float64 `json:"offer_p99_us"`
	AckP50US   float64 `json:"ack_p50_us"`
	AckP99US   float64 `json:"ack_p99_us"`

	Frames      uint64 `json:"frames"`       // frames read
	Bad         uint64 `json:"bad"`          // frames that were not a reply
	Stray       uint64 `json:"stray"`        // replies to no client of ours
	Late        uint64 `json:"late"`         // replies after their transaction ended (or duplicates)
	Unexpected  uint64 `json:"unexpected"`   // replies of the wrong type for the phase
	SendErrors  uint64 `json:"send_errors"`  // frames the kernel refused
	SocketDrops uint64 `json:"socket_drops"` // frames the generator's own socket dropped
}

// result gathers the counters of a finished run.
func (g *Generator) result() Result {
	p, r, c := &g.p, &g.r, g.cfg
	res := Result{
		Interface: c.Interface, Mode: "closed", Rate: c.Rate, Broadcast: c.Broadcast, Even: c.Even,
		Clients: c.Clients, Outstanding: c.Outstanding, TimeoutMS: ms(c.Timeout),
		Seconds:   float64(p.schedNanos) / 1e9,
		Scheduled: p.scheduled, Attempted: p.attempted, Skipped: p.skipped,
		Offers: r.offers, Completed: r.completed, LostOffer: p.lostOffer, LostAck: p.lostAck, Naks: r.naks,
		OfferP50US: us(r.offerLat.Quantile(0.5)), OfferP99US: us(r.offerLat.Quantile(0.99)),
		AckP50US: us(r.ackLat.Quantile(0.5)), AckP99US: us(r.ackLat.Quantile(0.99)),
		Frames: r.frames, Bad: r.bad, Stray: r.stray, Late: r.late, Unexpected: r.unexpected,
		SendErrors: p.sendErrors + r.sendErrors,
	}
	if c.Rate > 0 {
		res.Mode = "open"
	}
	if res.Seconds > 0 {
		res.PerSecond = float64(res.Completed) / res.Seconds
	}
	if res.Scheduled > 0 {
		res.LossPct = 100 * float64(res.Scheduled-min(res.Completed, res.Scheduled)) / float64(res.Scheduled)
	}
	return res
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// WriteText writes r as a small human table.
func (r Result) WriteText(w io.Writer) error {
	offered := "as fast as possible"
	if r.Mode == "open" {
		offered = fmt.Sprintf("%.0f DORA/s", r.Rate)
	}
	flag := "unicast replies (no broadcast flag)"
	if r.Broadcast {
		flag = "broadcast flag"
	}
	_, err := fmt.Fprintf(w, `load on %s: %s, %s, %d clients, ≤ %d in flight, timeout %.0f ms
  scheduled %d  attempted %d  skipped %d  completed %d  (%.1f s)
  completed/s %.0f  loss %.2f %%  (no OFFER %d, no ACK %d, NAK %d)
  DISCOVER→OFFER p50 %.0f µs  p99 %.0f µs
  REQUEST→ACK    p50 %.0f µs  p99 %.0f µs
  frames %d  bad %d  stray %d  late %d  unexpected %d  send errors %d  own socket drops %d
`,
		r.Interface, offered, flag, r.Clients, r.Outstanding, r.TimeoutMS,
		r.Scheduled, r.Attempted, r.Skipped, r.Completed, r.Seconds,
		r.PerSecond, r.LossPct, r.LostOffer, r.LostAck, r.Naks,
		r.OfferP50US, r.OfferP99US, r.AckP50US, r.AckP99US,
		r.Frames, r.Bad, r.Stray, r.Late, r.Unexpected, r.SendErrors, r.SocketDrops)
	return err
}
