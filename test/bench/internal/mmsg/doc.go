// Package mmsg moves batches of datagrams or frames through one socket with
// recvmmsg(2) and sendmmsg(2): one system call per batch instead of one per
// packet, into buffers allocated once. The load generator and the responder
// use it on their hot paths so that the benchmark measures the relay, not its
// own system calls.
package mmsg
