// Package ddns registers the fallback server's clients in the site's DNS:
// an A record for the client's name and a PTR record for its address, by
// RFC 2136 dynamic updates signed with TSIG (RFC 8945), kept safe by the
// DHCID records of RFC 4701 and the conflict rules of RFC 4703: a name
// another client owns (a different DHCID) is never overwritten.
//
// The package owns the choice of the name (the client's FQDN option 81,
// RFC 4702, else its host name option 12 qualified with the scope's domain,
// else a generated name), the DHCID, the update messages and a durable,
// bounded queue that one goroutine (Updater.Run) works off with retries
// and exponential backoff, so that no update ever delays a DHCP answer.
// The fallback server knows nothing of DNS: the relay's fallback worker
// tells the Updater about every committed ACK (Updater.Ack) and hands it
// the server's leases after releases, declines and the periodic sweep
// (Updater.Reconcile), which removes the records of every address no longer
// bound to the client it was registered for (docs/fallback.md).
package ddns
