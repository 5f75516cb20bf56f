package lab

import "strings"

// recordFunc is the shell function every client script uses to append one
// EVENT|ip|mask|router|server-id|lease line (see parseRecord) to the record file.
const recordFunc = `rec() { printf '%s|%s|%s|%s|%s|%s\n' "$1" "$2" "$3" "${4%% *}" "$5" "$6" >> '@RECORD@'; }
`

// dhclientScript records dhclient's events and does the part of
// dhclient-script the tests need: it puts the leased address on the interface
// (so that unicast renewals can leave) and takes it off when the lease goes. It
// never touches resolv.conf, routes or the hostname.
const dhclientScript = `case "$reason" in
BOUND|RENEW|REBIND|REBOOT)
	if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
		ip addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null
	fi
	ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
EXPIRE|FAIL|RELEASE|STOP)
	[ -n "$old_ip_address" ] && ip addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null ;;
esac
rec "$reason" "$new_ip_address" "$new_subnet_mask" "$new_routers" "$new_dhcp_server_identifier" "$new_dhcp_lease_time"
`

// dhcpcdScript only records: dhcpcd configures the interface itself, and its
// hooks (which would write resolv.conf) are replaced by this script.
const dhcpcdScript = `rec "$reason" "$new_ip_address" "$new_subnet_mask" "$new_routers" "$new_dhcp_server_identifier" "$new_dhcp_lease_time"
`

// udhcpcScript records udhcpc's events and puts the address on the interface.
const udhcpcScript = `case "$1" in
bound|renew) ip addr replace "$ip/$subnet" dev "$interface" ;;
deconfig) ip -4 addr flush dev "$interface" ;;
esac
rec "$1" "$ip" "$subnet" "$router" "$serverid" "$lease"
`

// clientScript returns the script for a client kind, recording to record (a
// path without single quotes).
func clientScript(kind ClientKind, record string) string {
	body := dhclientScript
	switch kind {
	case Dhcpcd:
		body = dhcpcdScript
	case Udhcpc, UdhcpcBroadcast:
		body = udhcpcScript
	}
	return "#!/bin/sh\n# written by the iphelper test lab for " + string(kind) + "\n" +
		strings.ReplaceAll(recordFunc, "@RECORD@", record) + body
}
