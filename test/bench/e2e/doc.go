// Package e2e holds the benchmark harness's end-to-end tests: the load
// generator and the responder, in network namespaces of the test lab, run
// full DORAs straight to each other and through a relay, with and without
// the BROADCAST flag. They check that the harness counts every DORA; they
// assert nothing about time.
package e2e
