// Package sock opens the raw file descriptors the benchmark tools drive with
// package mmsg: an AF_PACKET socket on one interface (socket filter attached
// before bind, optional promiscuous membership, large receive buffer) and a
// UDP socket for the responder. Descriptors are blocking with a receive
// timeout, so a read loop wakes up regularly to see whether it should stop.
package sock
