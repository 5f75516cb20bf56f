package fallback

// Outcome says what Handle did with a request and why: the caller counts
// and logs it. Every call returns exactly one Outcome.
type Outcome uint8

// The outcomes. The names (String) are stable: logs, statistics and metric
// labels use them.
const (
	OutcomeOffer               Outcome = iota // DISCOVER answered with an OFFER
	OutcomeAck                                // REQUEST answered with an ACK (lease written)
	OutcomeInform                             // INFORM answered with an ACK without lease
	OutcomeNakWrongSubnet                     // INIT-REBOOT/SELECTING for an address outside the subnet
	OutcomeNakNotOurs                         // the client asks us for an address we are authoritative for and it may not have
	OutcomeNakTaken                           // the address is bound to, offered to or reserved for another client, or quarantined
	OutcomeNakDisabled                        // the address is in a disabled scope
	OutcomeNakFailback                        // upstream is back and the failback policy is nak
	OutcomeSilentNotOurs                      // the address is not in our pool: the upstream's to judge
	OutcomeSilentNoLease                      // the address is in our pool but we have no record of it for this client
	OutcomeSilentDisabled                     // DISCOVER or INFORM on a disabled scope
	OutcomeOtherServer                        // SELECTING with another server's id (or a shared one, for an address we did not offer this client): our offer is withdrawn
	OutcomePoolExhausted                      // no free address to offer
	OutcomeReservationBusy                    // the client's reserved address is held by another, quarantined or the appliance's own
	OutcomeProbeConflicts                     // every address tried was answered by another host
	OutcomeDeclined                           // DECLINE: the address is quarantined
	OutcomeReleased                           // RELEASE: the lease is freed
	OutcomeNotBound                           // RELEASE or DECLINE for an address the client does not hold from us
	OutcomeRelayed                            // giaddr is set: not a directly attached client
	OutcomeMalformed                          // not a BOOTREQUEST, no or unknown message type, or no usable client identity
	OutcomeStoreFailed                        // the lease could not be written, so no ACK was sent
	OutcomeCanceled                           // the context ended (during the probe)
	OutcomeOffersCapped                       // DISCOVER from a new client while MaxOffersOutstanding offers are out
	OutcomeReservedForKnown                   // DISCOVER from a new client while only the reserve for known clients is free
	OutcomeNakReservedForKnown                // SELECTING REQUEST from a new client, without an offer, while only the reserve is free
	OutcomeProbing                            // DISCOVER deferred to the next Probe, which gives its own outcome
	OutcomeNakLocalAddress                    // REQUEST for an address of the scope that the appliance itself uses
	OutcomeSilentPartner                      // failover: the partner answers this client (mode and state)
	OutcomeSilentCannotGrant                  // failover: the lease rules leave nothing to grant this client here (docs/failover.md)
	OutcomeAckTimeout                         // failover: the partner did not acknowledge the lease in time, so no ACK was sent

	numOutcomes
)

var outcomeNames = [numOutcomes]string{
	OutcomeOffer:               "offer",
	OutcomeAck:                 "ack",
	OutcomeInform:              "inform",
	OutcomeNakWrongSubnet:      "nak_wrong_subnet",
	OutcomeNakNotOurs:          "nak_not_ours_authoritative",
	OutcomeNakTaken:            "nak_taken",
	OutcomeNakDisabled:         "nak_disabled",
	OutcomeNakFailback:         "nak_failback",
	OutcomeSilentNotOurs:       "silent_not_ours",
	OutcomeSilentNoLease:       "silent_no_lease",
	OutcomeSilentDisabled:      "silent_disabled",
	OutcomeOtherServer:         "ignored_other_server",
	OutcomePoolExhausted:       "pool_exhausted",
	OutcomeReservationBusy:     "reservation_busy",
	OutcomeProbeConflicts:      "probe_conflicts",
	OutcomeDeclined:            "declined",
	OutcomeReleased:            "released",
	OutcomeNotBound:            "ignored_not_bound",
	OutcomeRelayed:             "ignored_relayed",
	OutcomeMalformed:           "ignored_malformed",
	OutcomeStoreFailed:         "store_failed",
	OutcomeCanceled:            "canceled",
	OutcomeOffersCapped:        "offers_capped",
	OutcomeReservedForKnown:    "reserved_for_known",
	OutcomeNakReservedForKnown: "nak_reserved_for_known",
	OutcomeProbing:             "probing",
	OutcomeNakLocalAddress:     "nak_local_address",
	OutcomeSilentPartner:       "silent_partner_serves",
	OutcomeSilentCannotGrant:   "silent_cannot_grant",
	OutcomeAckTimeout:          "failover_ack_timeout",
}

// String returns the outcome's stable name, e.g. "nak_taken".
func (o Outcome) String() string {
	if o >= numOutcomes {
		return "unknown"
	}
	return outcomeNames[o]
}

// Outcomes returns every outcome, in counter order.
func Outcomes() []Outcome {
	os := make([]Outcome, numOutcomes)
	for i := range os {
		os[i] = Outcome(i)
	}
	return os
}
