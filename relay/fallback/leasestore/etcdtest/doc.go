// Package etcdtest starts a one-member etcd cluster inside a test, with
// etcd's own embed package, listening on unix sockets in the test's temp
// directory only, so that the shared lease store is tested against the real
// server without a packet on any network.
package etcdtest
