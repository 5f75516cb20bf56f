// Package bindings is the relay's binding table: which client (MAC,
// client-id) holds which address on which downstream interface until when,
// learned from the DHCPACKs the relay delivers and forgotten on the
// DHCPNAKs, RELEASEs and DECLINEs it sees. It answers `iphelper show
// bindings [ADDR|MAC]`: one lookup tells which MAC has an address, for every
// segment the relay serves.
//
// The table is bounded: when it is full, learning a new address evicts the
// binding that expires first, and a counter says so. Learn runs on the
// reply path, so it takes one mutex and allocates nothing beyond a new
// entry. The table only knows what passed through the relay: a client that
// renews by unicast straight to its server is refreshed only if that
// traffic is relayed too.
package bindings
