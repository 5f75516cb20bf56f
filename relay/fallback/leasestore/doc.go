// Package leasestore keeps the fallback DHCP server's leases: the Lease
// record, the Store interface the server writes through, a durable store on
// go.etcd.io/bbolt (BoltStore) and an in-memory store for tests (MemStore).
//
// # Layout of the bbolt file
//
// One bucket per downstream interface, named after the interface. In it, one
// record per IPv4 address: the key is the address's 4 bytes in network order
// (so a cursor walks the pool in address order), the value is a JSON object
// with a format version ("v": 1), chosen over a binary layout so that an
// operator can read a copied database with the stock bbolt tools, and so that
// a later version can add fields without a migration. A record that does not
// decode is skipped by Load and reported (ErrCorruptRecord), never fatal.
//
// Keying by address bounds the file by the pool size: a record is
// overwritten when its address changes hands, and the server keeps released
// and expired records on purpose, as its memory of which client held which
// address (the same client gets the same address back).
//
// # Durability and locking
//
// Every Put and Delete is one bbolt read-write transaction whose commit
// fsyncs the file before it returns, so a lease is on disk before the
// server's ACK leaves. bbolt takes an exclusive flock on the file: only the
// daemon opens the database (`show leases` asks the daemon), and OpenBolt
// gives up after a timeout with ErrLocked rather than waiting forever.
package leasestore
