// Package latency records durations in a fixed log-linear histogram (about
// 0.4 % relative precision, nanoseconds to centuries) without allocating, and
// reads quantiles from it. The load generator records every DISCOVER→OFFER
// and REQUEST→ACK latency in one.
package latency
