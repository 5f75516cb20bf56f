// Package fallback is the embedded DHCPv4 server of one downstream
// interface: when the upstream servers do not answer, the appliance serves
// directly attached clients from a per-interface "split scope" pool, a range
// that the upstream scope excludes (docs/fallback.md). Its
// leases live in a leasestore.Store (package leasestore: bbolt on disk).
//
// The package decides what to answer; it does not decide when. The relay
// calls Server.Handle for a request it wants answered locally (the upstream
// is down, an OFFER did not come within offer-delay, or Server.Owns says the
// request is about one of our leases), and delivers the reply itself. The
// package imports neither config nor iface: Scope, Prober and Clock are its
// own inputs.
//
// # Answers (RFC 2131 §4.3)
//
// Client identity is option 61 when present, else chaddr. DISCOVER gets an
// OFFER of, in order: the client's reservation; the address it holds or
// last held; its requested address (option 50) when free; the next free
// address. An address the client does not already hold is first probed
// (conflict detection); one that answers is quarantined and the next is
// tried, at most 8 times. The offered address is held for OfferHold.
//
// REQUEST, by the state of RFC 2131 §4.3.2 (RENEWING and REBINDING differ
// only in unicast/broadcast, which Handle does not see, and are judged
// alike):
//
//	address                                 SELECTING (ours)  INIT-REBOOT   RENEWING/REBINDING
//	in ranges/reservations, appliance's own NAK local         NAK local     NAK local
//	held or last held by this client        ACK               ACK (1)       ACK (1)
//	in pool, held by or reserved for other  NAK taken         NAK taken     NAK taken
//	in pool, client reserved elsewhere      NAK not ours      NAK not ours  NAK not ours
//	in pool, no record for this client      ACK if free       silence       silence
//	on the subnet, not in our pool          NAK not ours      silence       silence
//	not on the subnet                       NAK wrong subnet  NAK wrong s.  silence
//	scope disabled (address in pool)        NAK disabled      NAK disabled  NAK disabled
//
//	(1) NAK failback instead when upstreamUp and Failback is FailbackNAK.
//
// A SELECTING REQUEST carrying another server's identifier withdraws our
// offer, silently. With Scope.SharedServerID (the relay's RFC 5107
// server-id-override makes the upstream's replies carry our identifier too)
// a SELECTING REQUEST naming our identifier counts as ours only for an
// address we offered or leased to that client (or one of the appliance's
// own, NAKed); any other answers an upstream OFFER and is treated like
// another server's: silence, our offer withdrawn. Without it, in SELECTING
// the client answers our own offer, so the
// server is authoritative for the address it asks for; an expired offer
// whose address is still free is simply granted, as is an offer lost in a
// restart (offers live in memory only). In the other states an
// address on the subnet outside our pool is the upstream's lease, and a NAK
// would cut a healthy client off (the Windows split-scope rule): silence.
// An address in our pool with no record for this client is also met with
// silence rather than a NAK or an ACK: leases are stored durably, so the
// server did not give it, and guessing either way could hurt a client that
// holds it from elsewhere. RFC 2131 asks for the wrong-network NAK only in
// INIT-REBOOT; a RENEWING client with a foreign ciaddr is left alone.
//
// # The appliance's own addresses
//
// Scope.ServerID and Scope.Local (the interface's secondary addresses, a
// VRRP/keepalived virtual address, any other link's address on the subnet)
// are never offered nor ACKed: the conflict probe cannot see them, since the
// appliance does not answer its own ARP. They change at run time. A client
// that leased such an address before the appliance took it is NAKed at its
// next REQUEST (any state, any failback policy; Owns claims it so that it is
// not relayed), and its DISCOVER gets another address: it must not keep an
// address that the appliance answers for. The lease record is dropped from
// memory and ignored at load while the address stays local; it is not
// rewritten, so a client cannot make the server write by asking for
// addresses it has no lease on. Only addresses that the scope's ranges or
// reservations cover are NAKed this way; another local address on the
// subnet is not ours to judge.
//
// DECLINE (our server identifier, an address the client holds from us)
// quarantines the address for DeclineQuarantine and takes it from the
// client; RELEASE frees the lease but remembers the client, so that it gets
// the same address back; INFORM gets the options without a lease (yiaddr 0,
// no lease times). Replies follow RFC 2131 table 3 and echo option 61
// (RFC 6842). insomniacslk/dhcp writes options in code order, so the order
// of a client's option 55 cannot be followed; all configured options are
// sent.
//
// # Failback
//
// When upstreamUp is true and a client renews (or reboots with) a fallback
// lease, Scope.Failback decides:
//
//   - FailbackNAK (default): NAK the renewal and delete the lease, so the
//     client re-acquires an address from the central servers. It returns
//     quickly to central IPAM, DNS updates and policy; the price is that the
//     client drops its address for a moment (a blip for live sessions), at
//     T1 of its lease, within LeaseTime/2 of the upstream's return.
//   - FailbackKeep: renew as usual. No interruption, but the client stays
//     on the fallback pool, outside central IPAM and DNS, until it leaves
//     or reboots.
//
// # Pool protection (starvation floods)
//
// A starvation tool (dhcpstarv, dhcpig, Yersinia) sends DISCOVERs with
// random chaddrs, each a new client. Two limits per scope keep it from
// taking the pool; neither touches a known client: one with a
// reservation, one that holds an address now (a retransmitted DISCOVER
// renews its own offer), or one that held a lease the table still
// remembers (ACKed, or loaded from the store). An expired offer alone does
// not make a client known.
//
//   - Scope.MaxOffersOutstanding (default 10% of the dynamic pool, at
//     least 4): once that many OFFERs are out and not taken, a new client's
//     DISCOVER gets no OFFER (OutcomeOffersCapped). A DISCOVER-only flood
//     at any rate therefore holds at most that many addresses, each for
//     OfferHold, and the cap frees itself as they expire. Clients that
//     answer with a REQUEST turn their offer into a lease at once and free
//     their place in the cap. A new client turned away that comes back
//     (retransmits) is offered past the cap on a credit that taken offers
//     earn and abandoned ones spend: a storm of real new clients as large
//     as the pool minus the reserve is bound by its first retransmission
//     (newClients, docs/fallback.md).
//   - Scope.ReserveForKnown (default 10% of the dynamic pool, rounded
//     down): a new client gets an address only while more than that many
//     are free (OutcomeReservedForKnown; a SELECTING REQUEST from a new
//     client that skipped the DISCOVER is NAKed, OutcomeNakReservedForKnown).
//     An attacker that completes every exchange (dhcpig) takes leases
//     until only the reserve is left; returning clients still get their
//     own address back, or one from the reserve. Free addresses are reused
//     never-used first, then those of clients that never held a lease
//     (expired offers), and the remembered leases of known clients last,
//     so a flood cycles through its own addresses first.
//
// Sizing: a flood of R new chaddrs a second holds min(MaxOffersOutstanding,
// R × OfferHold) addresses; the rest of the pool stays for clients that
// complete the exchange. A brand-new client's first DISCOVER competes with
// the flood for the offers that free up (first come, first served); its
// retransmission is offered past the cap on the credit, so a storm of real
// clients (a classroom booting at once) is bound by its first
// retransmission, beside a flood too, until retransmitting MACs that never
// REQUEST have spent the credit. Size the reserve at the number of clients
// that must get back on during an attack. A smaller OfferHold
// frees the cap sooner but risks a retransmitting client getting a second
// address. Both limits are off with a negative value.
//
// # Leases, memory and restarts
//
// An ACK is written to the Store (durably) before Handle returns it; if the
// write fails, Handle stays silent and the client retries. DECLINE and
// RELEASE are written too; offers and probe conflicts are memory only (a
// restart probes again). The server keeps at most one record per address of
// the scope, so its memory and the store are bounded by the pool size: a
// freed or expired record keeps its client as "last holder" until the
// address goes to another client, which happens to never-used addresses
// first and to the longest-free ones last. NewServer loads the records, so a
// restarted server serves the same leases to the same clients.
//
// A conflict probe that fails (an error, not an answer) does not stop the
// offer: conflict detection is a safety net, and a broken prober must not
// disable the fallback. The error is logged.
//
// # Concurrency
//
// A Server is safe for concurrent use. Handle calls are serialized (one
// probe, one store write at a time, in order); Owns, Leases and Sweep take
// only a short memory lock and never wait for I/O.
//
// docs/fallback.md describes the daemon around this package: upstream
// health, when the relay hands a request over, the worker that batches
// probes and commits, and failback.
package fallback
