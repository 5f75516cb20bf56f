package metrics

import "github.com/prometheus/client_golang/prometheus"

// Label names; each has a bounded set of values.
const (
	labelInterface = "interface" // a downstream interface's name
	labelHelper    = "helper"    // a configured helper address
	labelHelpers   = "helpers"   // a helper set: its helper addresses, sorted, comma separated
	labelReason    = "reason"    // a drop reason name (status.Status.DropReasons)
	labelPort      = "port"      // a forwarded UDP port of the configuration
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

// The descriptors of every metric. They are immutable after package
// initialization.
var (
	requestsReceived = desc("iphelper_relay_requests_received_total",
		"BOOTREQUESTs read on a downstream interface, before any check.", labelInterface)
	requestsRelayed = desc("iphelper_relay_requests_relayed_total",
		"Requests sent to at least one helper.", labelInterface)
	repliesDelivered = desc("iphelper_relay_replies_delivered_total",
		"Replies delivered to a client on a downstream interface.", labelInterface)
	repliesBroadcast = desc("iphelper_relay_replies_broadcast_total",
		"Replies delivered by broadcast (part of the delivered ones).", labelInterface)
	fallbackReplies = desc("iphelper_relay_fallback_replies_total",
		"Replies of the fallback server delivered on a downstream interface.", labelInterface)
	udpReceived = desc("iphelper_udp_forward_received_total",
		"UDP broadcasts to a forwarded port read on a downstream interface (not DHCP).", labelInterface, labelPort)
	udpForwarded = desc("iphelper_udp_forward_forwarded_total",
		"UDP broadcasts to a forwarded port sent to at least one helper.", labelInterface, labelPort)
	udpDropped = desc("iphelper_udp_forward_dropped_total",
		"UDP broadcasts to a forwarded port dropped (reasons: iphelper_relay_drops_total).", labelInterface, labelPort)
	dropsTotal = desc("iphelper_relay_drops_total",
		"Packets dropped, by reason; interface is empty for replies that match no interface.", labelInterface, labelReason)
	option82Inserted = desc("iphelper_relay_option82_inserted_total",
		"Requests relayed with our option 82.", labelInterface)
	option82Omitted = desc("iphelper_relay_option82_omitted_total",
		"Requests relayed without our option 82 because it did not fit.", labelInterface)
	interfaceUp = desc("iphelper_interface_up",
		"1 when the downstream interface is served (state up), else 0.", labelInterface)
	interfacePolling = desc("iphelper_interface_polling",
		"1 while the interface's read loop polls its socket every millisecond (a storm, above poll-above), else 0.", labelInterface)
	interfaceRing = desc("iphelper_interface_receive_ring",
		"1 when the interface's packet socket receives into a TPACKET_V2 ring, else 0.", labelInterface)
	fallbackEnabled = desc("iphelper_fallback_enabled",
		"1 while the interface's fallback scope is served, 0 while it is disabled (the lease database cannot be opened, the scope does not fit the subnet: show interfaces says why); absent for interfaces without one.", labelInterface)
	helperSent = desc("iphelper_helper_sent_total",
		"Requests sent to the helper.", labelHelper)
	helperReplies = desc("iphelper_helper_replies_total",
		"Replies received from the helper.", labelHelper)
	helperSendErrors = desc("iphelper_helper_send_errors_total",
		"Sends to the helper that failed.", labelHelper)
	relayPackets = desc("iphelper_relay_packets_total",
		"Packets by direction (in: requests received; out: replies delivered) and DHCP message type; types never seen are left out.",
		labelInterface, "direction", "type")
	helperPackets = desc("iphelper_helper_packets_total",
		"Packets by direction (out: requests sent to the helper; in: replies from it) and DHCP message type; types never seen are left out.",
		labelHelper, "direction", "type")
	fallbackAddresses = desc("iphelper_fallback_addresses",
		"Addresses of an interface's fallback scope by state: bound, offered, quarantined (declined or in conflict) and free.",
		labelInterface, "state")
	fallbackOutcomes = desc("iphelper_fallback_outcomes_total",
		"The fallback server's decisions by outcome (offer, ack, pool_exhausted, offers_capped, nak_failback, silent_not_ours, …).",
		labelInterface, "outcome")
	fallbackNewOffers = desc("iphelper_fallback_new_client_offers_total",
		"OFFERs to clients the fallback scope did not know, by event: offered (all of them), earned (past the base cap, to clients that came back), taken (REQUESTed and ACKed), abandoned (expired or withdrawn untaken), capped (DISCOVERs turned away). A storm of real clients takes its offers; a flood abandons them.",
		labelInterface, "event")
	fallbackNewOutstanding = desc("iphelper_fallback_new_client_offers_outstanding",
		"OFFERs to new clients held now.", labelInterface)
	fallbackNewCap = desc("iphelper_fallback_new_client_cap",
		"The offer cap for new clients: base (max-offers-outstanding, what a flood that never retransmits may hold) and earned (base plus the credit, for new clients that came back); absent when there is no cap.",
		labelInterface, "limit")
	fallbackNewCapState = desc("iphelper_fallback_new_client_cap_state",
		"1 for the state of the earned cap: open (the credit is whole), reduced (earned offers were abandoned), base (the credit is spent).",
		labelInterface, "state")
	helperUp = desc("iphelper_helper_up",
		"1 while the helper itself answers, 0 while its last transactions (in one of its helper sets) got no reply from it in time.", labelHelper)
	helperTimedOut = desc("iphelper_helper_transactions_timed_out_total",
		"Transactions sent to the helper that it did not answer in time.", labelHelper)
	helperLatency = desc("iphelper_helper_transaction_latency_seconds",
		"Time from relaying a request to the helper's reply for its transaction.", labelHelper)
	helperSetUp = desc("iphelper_helper_set_up",
		"1 while the helper set is up (one of its helpers answers), 0 while it is down: then the fallback of its interfaces answers at once.", labelHelpers)
	helperSetTimedOut = desc("iphelper_helper_set_transactions_timed_out_total",
		"Transactions sent to the helper set that no helper answered in time.", labelHelpers)
	configInfo = desc("iphelper_config_info",
		"Always 1; hash identifies the running configuration (effective YAML, SHA-256, 12 hex digits).", "hash")
	configReloads = desc("iphelper_config_reloads_total",
		"Configuration reloads by result: success, or failure (rejected; the running one stayed).", "result")
	bindingEntries = desc("iphelper_bindings_entries",
		"Bindings in the relay's binding table, expired ones included until swept.")
	bindingLearned = desc("iphelper_bindings_learned_total",
		"DHCPACKs learned into the binding table.")
	bindingEvicted = desc("iphelper_bindings_evicted_total",
		"Bindings evicted because the binding table was full.")
	traceDropped = desc("iphelper_trace_events_dropped_total",
		"Packet trace events a slow `debug packets` client missed.")

	allDescs = []*prometheus.Desc{
		requestsReceived, requestsRelayed, repliesDelivered, repliesBroadcast, fallbackReplies, udpReceived, udpForwarded, udpDropped, dropsTotal, option82Inserted,
		option82Omitted, interfaceUp, interfacePolling, interfaceRing, fallbackEnabled, helperSent, helperReplies, helperSendErrors, relayPackets, helperPackets, fallbackAddresses, fallbackOutcomes, fallbackNewOffers, fallbackNewOutstanding, fallbackNewCap, fallbackNewCapState, helperUp, helperTimedOut, helperLatency, helperSetUp, helperSetTimedOut, configInfo, configReloads, bindingEntries, bindingLearned,
		bindingEvicted, traceDropped,
	}
)
