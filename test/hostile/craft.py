#!/usr/bin/python3
"""Writes the adversarial replay: a pcap of malformed and hostile
frames and a JSON manifest that says, per frame, where it is injected and
which of the relay's drop counters it must move.

    test/hostile/craft.py [--out DIR]     (default: testdata/ beside this file)

The output is deterministic (fixed MACs, xids, IP ids and timestamps): the Go
test TestCraftReproducesTestdata re-runs this script and compares both files
byte for byte with the committed ones. Needs python3-scapy (Debian).

Every frame is a well-formed DHCP exchange with exactly one lie in it, so
the manifest can name the one check that must catch it. The expected counts
follow relay/request.go, relay/reply.go, relay/wire and iface/frame.go:
the request path reads frames from the downstream packet sockets (BPF: IPv4,
UDP, fragment offset 0, destination port 67), the reply path reads BOOTREPLYs
from the UDP socket on port 67 (BPF: op 2). A frame that neither socket
accepts is dropped by the kernel and moves no counter at all: its "expect"
is empty.

Addresses are from 203.0.113.0/24 (client segments) and 198.51.100.0/24
(server segment) only, the lab's documentation ranges (RFC 5737).
"""

import argparse
import json
import logging
import os
import struct

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.layers.inet import IP, UDP  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

PCAP_NAME = "adversarial.pcap"
MANIFEST_NAME = "adversarial.json"

# The lab the frames are addressed to: test/lab's standard topology plus a
# trusted segment. The replay test gives the relay's interfaces these MACs.
BCAST_MAC = "ff:ff:ff:ff:ff:ff"
RELAY_CLIENT_IF, RELAY_CLIENT_MAC, RELAY_CLIENT_ADDR = "down0", "02:00:5e:00:01:01", "203.0.113.1"
RELAY_TRUSTED_IF, RELAY_TRUSTED_MAC, RELAY_TRUSTED_ADDR = "down1", "02:00:5e:00:02:01", "203.0.113.129"
RELAY_UP_IF, RELAY_UP_MAC, RELAY_UP_ADDR = "up0", "02:00:5e:00:03:01", "198.51.100.1"
HELPER, HELPER_MAC = "198.51.100.2", "02:00:5e:00:03:02"
ROGUE, ROGUE_MAC = "198.51.100.9", "02:00:5e:00:03:09"
OTHER_RELAY = "203.0.113.9"  # a giaddr on the client segment that is none of the relay's
CLIENT_MTU = 16000  # the client link's MTU, so that a frame beyond any jumbo frame can be sent

# The relay's settings the expectations assume.
MAX_HOPS = 4
CLIENT_BURST = 2  # --rate-limit-client 1/s: a burst of 2 s worth
RELAY_FLAGS = [
    "--trusted-interface", RELAY_TRUSTED_IF,
    "--information-policy", "drop",
    "--max-hops", str(MAX_HOPS),
    "--rate-limit-client", "1/s",
    "--verify-chaddr",
]

EPOCH = 1704067200  # 2024-01-01T00:00:00Z: record i is stamped EPOCH + i s
XID_BASE = 0x48310000  # "H1" and the frame index
COOKIE = bytes([99, 130, 83, 99])
BOOTREQUEST, BOOTREPLY = 1, 2
DISCOVER, OFFER, RELEASE = 1, 2, 7


def mac(s):
    """The 6 bytes of a MAC written aa:bb:cc:dd:ee:ff."""
    return bytes(int(x, 16) for x in s.split(":"))


def attacker_mac(n, segment=0xA0):
    """A locally administered MAC of its own for attacker frame n: the relay
    limits requests per source MAC, so no two frames share one by accident."""
    return "02:00:5e:%02x:%02x:%02x" % (segment, (n >> 8) & 0xFF, n & 0xFF)


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def opt(code, value):
    """One DHCP option: code, length, value."""
    return bytes([code, len(value)]) + bytes(value)


def sub(code, value):
    """One option-82 sub-option."""
    return bytes([code, len(value)]) + bytes(value)


def bootp(xid, chaddr, op=BOOTREQUEST, htype=1, hlen=6, hops=0, flags=0x8000,
          ciaddr="0.0.0.0", yiaddr="0.0.0.0", giaddr="0.0.0.0",
          sname=b"", file=b"", options=None, pad_to=300):
    """A BOOTP message, field by field (RFC 2131 §2). options is the option
    bytes after the magic cookie, END included; None writes no cookie (plain
    BOOTP). The message is zero-padded to pad_to bytes, as clients do."""
    b = struct.pack("!BBBBIHH", op, htype, hlen, hops, xid, 0, flags)
    b += ip4(ciaddr) + ip4(yiaddr) + ip4("0.0.0.0") + ip4(giaddr)
    b += chaddr.ljust(16, b"\0")[:16]
    b += sname.ljust(64, b"\0")[:64] + file.ljust(128, b"\0")[:128]
    if options is not None:
        b += COOKIE + options
    return b.ljust(pad_to, b"\0")


def discover_options(*extra):
    """A DISCOVER's options: message type, extra options, END."""
    return opt(53, [DISCOVER]) + b"".join(extra) + b"\xff"


def offer_options(*extra):
    """An OFFER's options: message type, server identifier, lease time,
    extra options, END."""
    return (opt(53, [OFFER]) + opt(54, ip4(HELPER)) + opt(51, struct.pack("!I", 3600))
            + b"".join(extra) + b"\xff")


def frame(src_mac, dst_mac, src, dst, sport, dport, payload, ip_id, flags=0, frag=0):
    """An Ethernet/IPv4/UDP frame with correct checksums."""
    p = (Ether(src=src_mac, dst=dst_mac)
         / IP(src=src, dst=dst, id=ip_id, ttl=64, flags=flags, frag=frag)
         / UDP(sport=sport, dport=dport) / Raw(payload))
    return bytearray(bytes(p))


def inet_checksum(b):
    """The Internet checksum (RFC 1071) of b."""
    if len(b) % 2:
        b = bytes(b) + b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), bytes(b)))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


L3 = 14  # the IPv4 header's offset in an untagged frame
L4 = L3 + 20  # the UDP header's offset behind a 20-byte IPv4 header


def fix_ip_checksum(f):
    """Recomputes the checksum of a 20-byte IPv4 header after an edit."""
    f[L3 + 10:L3 + 12] = b"\0\0"
    f[L3 + 10:L3 + 12] = struct.pack("!H", inet_checksum(f[L3:L3 + 20]))


def put16(f, off, v):
    f[off:off + 2] = struct.pack("!H", v)


class Crafter:
    """Collects the frames and their expectations, in order."""

    def __init__(self):
        self.frames = []

    def add(self, name, side, data, expect, why, burst=""):
        """Adds a frame. The relay's packet sockets read a client-side frame
        that moves a counter; the others never reach them (the kernel drops
        them, or they arrive on the server side, where there are none)."""
        received = 1 if side != "upstream" and expect else 0
        entry = {"index": len(self.frames), "name": name, "side": side}
        if burst:
            entry["burst"] = burst
        entry.update({"length": len(data), "expect": dict(sorted(expect.items())),
                      "requests_received": received, "why": why})
        self.frames.append((entry, bytes(data)))

    def xid(self):
        return XID_BASE + len(self.frames)

    def ip_id(self):
        return 0x4800 + len(self.frames)


def client_request(c, payload=None, src_mac=None, dst_mac=BCAST_MAC, src="0.0.0.0",
                   dst="255.255.255.255", sport=68, **kw):
    """A client's broadcast request from an attacker MAC of its own; kw go
    to bootp (chaddr defaults to the source MAC)."""
    src_mac = src_mac or attacker_mac(len(c.frames))
    if payload is None:
        kw.setdefault("chaddr", mac(src_mac))
        kw.setdefault("options", discover_options())
        payload = bootp(c.xid(), **kw)
    return frame(src_mac, dst_mac, src, dst, sport, 67, payload, c.ip_id())


def server_reply(c, src=HELPER, src_mac=HELPER_MAC, dst=RELAY_UP_ADDR, dst_mac=RELAY_UP_MAC,
                 payload=None, **kw):
    """A BOOTREPLY (an OFFER) from the server side to the relay, for a
    client on the client segment; kw go to bootp."""
    if payload is None:
        kw.setdefault("op", BOOTREPLY)
        kw.setdefault("chaddr", mac(attacker_mac(len(c.frames), 0xD0)))
        kw.setdefault("yiaddr", "203.0.113.40")
        kw.setdefault("giaddr", RELAY_CLIENT_ADDR)
        kw.setdefault("options", offer_options())
        payload = bootp(c.xid(), **kw)
    return frame(src_mac, dst_mac, src, dst, 67, 67, payload, c.ip_id())


def framing(c):
    """Ethernet/IPv4/UDP lies on the client segment (iface.ParseUDP4)."""
    f = client_request(c)
    put16(f, L4 + 6, struct.unpack("!H", f[L4 + 6:L4 + 8])[0] ^ 0x5555)
    c.add("udp-checksum-wrong", "client", f, {"bad_checksum": 1},
          "the UDP checksum does not match the datagram")

    f = client_request(c)
    put16(f, L3 + 10, struct.unpack("!H", f[L3 + 10:L3 + 12])[0] ^ 0x5555)
    c.add("ip-header-checksum-wrong", "client", f, {"bad_checksum": 1},
          "the IPv4 header checksum does not match the header")

    payload = bootp(c.xid(), mac(attacker_mac(len(c.frames))), options=discover_options())
    f = client_request(c, payload=payload[:64])
    f[L3 + 6] |= 0x20  # MF: more fragments follow
    put16(f, L4 + 4, 8 + len(payload))  # the UDP length of the whole datagram
    put16(f, L4 + 6, 0)
    fix_ip_checksum(f)
    c.add("ip-first-fragment", "client", f, {"fragment": 1},
          "the first fragment of a datagram (MF set); the relay never reassembles")

    f = client_request(c)
    put16(f, L3 + 6, 185)  # fragment offset 185 × 8 = 1480 bytes, MF clear
    fix_ip_checksum(f)
    c.add("ip-later-fragment", "client", f, {},
          "a non-first fragment: the packet socket's filter rejects it (no UDP header to read)")

    f = client_request(c)[:L3 + 16]
    c.add("ip-header-cut-short", "client", f, {},
          "the frame ends 16 bytes into the IPv4 header: the filter cannot read a port and rejects it")

    f = client_request(c)
    f[L3] = 0x65  # version 6, IHL 5
    fix_ip_checksum(f)
    c.add("ip-version-6", "client", f, {"bad_frame": 1},
          "EtherType IPv4 but an IP version of 6")

    f = client_request(c)
    f[L3] = 0x40  # IHL 0
    put16(f, L3 + 2, 67)  # the filter reads the "port" at IP offset 2: the total length
    c.add("ip-ihl-0", "client", f, {"bad_frame": 1},
          "IHL 0, with a total length of 67 so that the filter's port test passes")

    f = client_request(c)
    f[L3] = 0x42  # IHL 2
    put16(f, L3 + 10, 67)  # the filter reads the "port" at IP offset 10: the checksum
    c.add("ip-ihl-2", "client", f, {"bad_frame": 1},
          "IHL 2 (8 bytes), with a checksum field of 67 so that the filter's port test passes")

    f = client_request(c, chaddr=mac(attacker_mac(len(c.frames))) + b"\0\x43")
    f[L3] = 0x4F  # IHL 15: 60 bytes, 40 of options that are not there
    put16(f, L3 + 2, 40)  # total length below the header length
    fix_ip_checksum(f)
    c.add("ip-ihl-15-total-below-header", "client", f, {"bad_frame": 1},
          "IHL 15 and a total length of 40; chaddr padding holds 67 where the filter looks for the port")

    f = client_request(c)
    put16(f, L3 + 2, 1400)
    fix_ip_checksum(f)
    c.add("ip-total-length-past-frame", "client", f, {"bad_frame": 1},
          "the IPv4 total length (1400) runs past the end of the frame")

    f = client_request(c)
    put16(f, L3 + 2, 19)
    fix_ip_checksum(f)
    c.add("ip-total-length-below-header", "client", f, {"bad_frame": 1},
          "the IPv4 total length (19) is shorter than the 20-byte header")

    f = client_request(c)
    put16(f, L3 + 2, 24)
    fix_ip_checksum(f)
    c.add("ip-total-length-cuts-udp-header", "client", f, {"bad_frame": 1},
          "the IPv4 total length (24) ends inside the UDP header")

    for name, ulen, why in [
        ("udp-length-past-ip-payload", None, "the UDP length runs 100 bytes past the IP payload"),
        ("udp-length-below-header", 4, "the UDP length (4) is shorter than the UDP header"),
        ("udp-length-65535", 65535, "the UDP length claims the largest datagram there is"),
    ]:
        f = client_request(c)
        put16(f, L4 + 4, ulen if ulen is not None else len(f) - L4 + 100)
        put16(f, L4 + 6, 0)  # no checksum: the length is the only lie
        c.add(name, "client", f, {"bad_frame": 1}, why)

    f = client_request(c, pad_to=CLIENT_MTU - 20 - 8)
    c.add("frame-beyond-jumbo", "client", f, {"bad_frame": 1},
          "a %d-byte frame, larger than any jumbo frame (9216 bytes): the relay reads the first "
          "9216 bytes, and the IPv4 total length runs past them" % len(f))

    f = client_request(c, dst_mac=RELAY_CLIENT_MAC, dst="203.0.113.77")
    c.add("unicast-to-another-host", "client", f, {"not_for_us": 1},
          "sent to the relay's MAC but to another host's address: routed, not relayed")

    f = client_request(c, dst_mac=RELAY_CLIENT_MAC, dst=RELAY_UP_ADDR)
    c.add("unicast-to-relay-upstream-address", "client", f, {"not_for_us": 1},
          "a request from a client VLAN to the relay's address on the server side")

    f = client_request(c)
    f[12:12] = struct.pack("!HH", 0x8100, 99)  # an 802.1Q tag before the IPv4 EtherType
    c.add("vlan-99-tag-on-untagged-link", "client", f, {},
          "an 802.1Q-tagged frame for VLAN 99, which has no sub-interface: the kernel marks it "
          "for another host and the filter rejects it")


def messages(c):
    """BOOTP/DHCP message lies on the client segment (relay/wire.Validate)."""
    def malformed(name, payload, why):
        c.add(name, "client", client_request(c, payload=payload), {"malformed": 1}, why)

    def base(**kw):
        kw.setdefault("chaddr", mac(attacker_mac(len(c.frames))))
        kw.setdefault("options", discover_options())
        return bootp(c.xid(), **kw)

    malformed("bootp-truncated", base()[:100], "a 100-byte message: shorter than the 236-byte BOOTP header")
    malformed("udp-payload-empty", b"", "a UDP datagram to port 67 with no payload at all")
    malformed("op-0", base(op=0), "op 0: neither BOOTREQUEST nor BOOTREPLY")
    malformed("op-3", base(op=3), "op 3: neither BOOTREQUEST nor BOOTREPLY")
    malformed("hlen-17", base(hlen=17), "hlen 17: longer than the 16-byte chaddr field")
    malformed("hlen-255", base(hlen=255), "hlen 255")
    malformed("cookie-then-nothing", base(options=b"", pad_to=240),
              "the magic cookie ends the message: no options, no END")
    malformed("no-end-option", base(options=opt(53, [DISCOVER]) + opt(61, b"\x01" + b"\xaa" * 6), pad_to=0),
              "the options run to the end of the message without END")
    malformed("only-pads-after-options", base(options=opt(53, [DISCOVER]) + b"\0" * 57, pad_to=0),
              "pads to the end of the message, no END")
    malformed("option-length-overruns", base(options=opt(53, [DISCOVER]) + bytes([12, 200]) + b"host" + b"\xff"),
              "option 12 claims 200 bytes; the message ends long before")
    malformed("option-without-length-byte", base(options=opt(53, [DISCOVER]) + bytes([12]), pad_to=0),
              "the last byte of the message is an option code without its length")
    malformed("overload-file-garbage",
              base(options=discover_options(opt(52, [1])), file=bytes([12, 250]) + b"garbage"),
              "option overload 1 (file holds options), and the file field's first option overruns it")
    malformed("overload-sname-no-end",
              base(options=discover_options(opt(52, [2])), sname=opt(12, b"host")),
              "option overload 2 (sname holds options), and the sname field has no END")
    malformed("overload-hides-option82",
              base(options=discover_options(opt(52, [2])), sname=opt(82, sub(1, b"hidden")) + b"\xff"),
              "option 82 in an overloaded sname field: a relay agent's information belongs in the "
              "options field (RFC 3046 §2.1); a server joining the fields would take the client's as ours")
    malformed("overload-value-7", base(options=discover_options(opt(52, [7]))),
              "option overload 7: only 1 (file), 2 (sname) and 3 (both) exist")
    malformed("overload-length-2", base(options=discover_options(opt(52, [1, 1]))),
              "option overload with a 2-byte value")


def semantics(c):
    """Well-formed requests the request path must refuse (relay/request.go)."""
    def req(**kw):
        return client_request(c, **kw)

    f = req(src="203.0.113.50", sport=67, op=BOOTREPLY, giaddr=RELAY_CLIENT_ADDR,
            yiaddr="203.0.113.40", options=offer_options())
    c.add("bootreply-broadcast-from-client", "client", f,
          {"not_bootrequest": 1, "reply_from_downstream": 1},
          "an OFFER broadcast on the client VLAN: the packet socket drops a BOOTREPLY, and the "
          "UDP socket drops a reply that came in on a downstream interface")

    f = req(dst_mac=RELAY_CLIENT_MAC, src=HELPER, dst=RELAY_CLIENT_ADDR, sport=67, op=BOOTREPLY,
            giaddr=RELAY_CLIENT_ADDR, yiaddr="203.0.113.40", options=offer_options())
    c.add("bootreply-spoofing-helper", "client", f,
          {"not_bootrequest": 1, "reply_from_downstream": 1},
          "an OFFER from the client VLAN with the helper's source address, to the relay's address")

    c.add("hops-over-max", "client", req(hops=MAX_HOPS + 1), {"max_hops": 1},
          "hops %d: over the limit of %d (RFC 1542 §4.1.1 discards a request whose hops exceeds "
          "it; one at the limit is relayed)" % (MAX_HOPS + 1, MAX_HOPS))
    c.add("hops-255", "client", req(hops=255), {"max_hops": 1}, "hops 255")
    for name, giaddr in [("giaddr-relay-client-address", RELAY_CLIENT_ADDR),
                         ("giaddr-relay-upstream-address", RELAY_UP_ADDR),
                         ("giaddr-relay-trusted-address", RELAY_TRUSTED_ADDR)]:
        c.add(name, "client", req(giaddr=giaddr), {"giaddr_is_ours": 1},
              "giaddr %s is one of the relay's own: a loop or a spoof (RFC 3046 §2.1.1)" % giaddr)

    c.add("chaddr-not-source-mac", "client", req(chaddr=mac("02:00:5e:ee:ee:ee")), {"chaddr_mismatch": 1},
          "chaddr differs from the Ethernet source MAC (verify-chaddr)")
    c.add("chaddr-ieee802-htype", "client", req(htype=6), {"chaddr_mismatch": 1},
          "htype 6 (IEEE 802) in a frame from an Ethernet link: a chaddr that cannot be compared "
          "with the source MAC is a way round verify-chaddr, so it fails")
    c.add("chaddr-hlen-16", "client", req(hlen=16), {"chaddr_mismatch": 1},
          "htype 1 with hlen 16: not an Ethernet chaddr, so verify-chaddr fails it")
    c.add("option82-from-untrusted-client", "client",
          req(options=discover_options(opt(82, sub(1, b"spoofed") + sub(2, b"rogue")))),
          {"untrusted_option82": 1},
          "giaddr 0 and an option 82 on an untrusted interface (RFC 3046 §2.1.1)")
    c.add("malformed-option82-from-untrusted-client", "client",
          req(options=discover_options(opt(82, bytes([1, 40]) + b"short"))),
          {"untrusted_option82": 1},
          "giaddr 0 and an option 82 whose circuit-id overruns it, on an untrusted interface")
    c.add("giaddr-forged-on-untrusted-interface", "client",
          req(giaddr=OTHER_RELAY, chaddr=mac("02:00:5e:ee:ee:01"),
              options=discover_options(opt(82, sub(1, b"reserved-port") + sub(5, ip4("198.51.100.0"))))),
          {"untrusted_giaddr": 1},
          "a DISCOVER with giaddr %s (no address of the relay's), a spoofed chaddr and the client's "
          "own option 82: only a relay below a trusted interface may set giaddr, or a client could "
          "skip verify-chaddr and the option-82 rule" % OTHER_RELAY)
    c.add("release-with-forged-giaddr", "client",
          req(dst_mac=RELAY_CLIENT_MAC, src="203.0.113.50", dst=RELAY_CLIENT_ADDR, sport=67,
              giaddr=OTHER_RELAY, chaddr=mac("02:00:5e:ee:ee:02"), ciaddr="203.0.113.40",
              options=opt(53, [RELEASE]) + opt(54, ip4(HELPER)) + b"\xff"),
          {"untrusted_giaddr": 1},
          "a RELEASE of another client's address (its chaddr and ciaddr) sent as if by a relay "
          "(giaddr %s, from port 67 to the relay's address) on an untrusted interface" % OTHER_RELAY)

    src = attacker_mac(0xB00)
    for i in range(CLIENT_BURST + 1):
        last = i == CLIENT_BURST
        c.add("client-burst-%d" % (i + 1), "client", req(src_mac=src, hops=MAX_HOPS + 1),
              {"rate_limit_client": 1} if last else {"max_hops": 1},
              "one of %d requests sent back to back from one MAC; the client limit (1/s, burst %d) "
              "stops the last before any other check" % (CLIENT_BURST + 1, CLIENT_BURST),
              burst="client-burst")

    f = client_request(c, src_mac=attacker_mac(len(c.frames), 0xC0),
                       options=discover_options(opt(82, sub(1, b"forged"))))
    c.add("option82-on-trusted-policy-drop", "trusted", f, {"policy_drop": 1},
          "an option 82 on a trusted interface whose policy is drop")


def replies(c):
    """Replies from the server segment (relay/reply.go, the UDP socket)."""
    def reply_payload(**kw):
        kw.setdefault("op", BOOTREPLY)
        kw.setdefault("yiaddr", "203.0.113.40")
        kw.setdefault("giaddr", RELAY_CLIENT_ADDR)
        kw.setdefault("options", offer_options())
        return bootp(c.xid(), mac(attacker_mac(len(c.frames), 0xD0)), **kw)

    def up(name, expect, why, **kw):
        c.add(name, "upstream", server_reply(c, **kw), expect, why)

    up("reply-truncated", {"reply_malformed": 1}, "a 100-byte BOOTREPLY", payload=reply_payload()[:100])
    up("reply-hlen-17", {"reply_malformed": 1}, "hlen 17", payload=reply_payload(hlen=17))
    up("reply-option-overruns", {"reply_malformed": 1}, "option 15 claims 200 bytes",
       payload=reply_payload(options=opt(53, [OFFER]) + bytes([15, 200]) + b"example" + b"\xff"))
    up("reply-no-end-option", {"reply_malformed": 1}, "the options run to the end without END",
       payload=reply_payload(options=opt(53, [OFFER]) + opt(54, ip4(HELPER)), pad_to=0))
    up("reply-overload-file-garbage", {"reply_malformed": 1},
       "option overload 1, and the file field's first option overruns it",
       payload=reply_payload(options=offer_options(opt(52, [1])), file=bytes([67, 250]) + b"pxelinux"))
    up("reply-giaddr-unknown", {"unknown_giaddr": 1}, "giaddr 203.0.113.99 is none of the relay's",
       payload=reply_payload(giaddr="203.0.113.99"))
    up("reply-giaddr-zero", {"unknown_giaddr": 1}, "giaddr 0: a reply meant for no relay",
       payload=reply_payload(giaddr="0.0.0.0"))
    up("reply-giaddr-relay-upstream-address", {"unknown_giaddr": 1},
       "giaddr is the relay's upstream address, where it relays for nobody",
       payload=reply_payload(giaddr=RELAY_UP_ADDR))
    up("reply-from-rogue-server", {"non_helper_source": 1},
       "a well-formed OFFER from 198.51.100.9, which is no helper", src=ROGUE, src_mac=ROGUE_MAC)
    up("reply-broadcast-from-rogue-server", {"non_helper_source": 1},
       "the same OFFER broadcast on the server segment", src=ROGUE, src_mac=ROGUE_MAC,
       dst="255.255.255.255", dst_mac=BCAST_MAC)
    up("reply-foreign-option82", {"foreign_option82": 1},
       "an option 82 with a circuit-id the relay never stamped",
       payload=reply_payload(options=offer_options(opt(82, sub(1, b"eth9") + sub(2, b"rogue")))))
    up("reply-our-circuit-foreign-remote-id", {"foreign_option82": 1},
       "the relay's circuit-id with someone else's remote-id",
       payload=reply_payload(options=offer_options(opt(82, sub(1, RELAY_CLIENT_IF.encode()) + sub(2, b"rogue")))))
    up("reply-option82-malformed", {"bad_option82": 1}, "an option 82 whose circuit-id overruns it",
       payload=reply_payload(options=offer_options(opt(82, bytes([1, 40]) + b"down0"))))

    f = server_reply(c)
    put16(f, L4 + 6, struct.unpack("!H", f[L4 + 6:L4 + 8])[0] ^ 0x5555)
    c.add("reply-udp-checksum-wrong", "upstream", f, {},
          "a bad UDP checksum: the kernel drops it before the UDP socket")
    f = server_reply(c)
    put16(f, L3 + 10, struct.unpack("!H", f[L3 + 10:L3 + 12])[0] ^ 0x5555)
    c.add("reply-ip-header-checksum-wrong", "upstream", f, {},
          "a bad IPv4 header checksum: the kernel drops it")
    f = server_reply(c, payload=reply_payload(op=3))
    c.add("reply-op-3", "upstream", f, {}, "op 3: the UDP socket's filter takes BOOTREPLYs (op 2) only")
    f = server_reply(c, src=ROGUE, src_mac=ROGUE_MAC, dst="255.255.255.255", dst_mac=BCAST_MAC,
                     payload=bootp(c.xid(), mac(attacker_mac(len(c.frames), 0xD0)), options=discover_options()))
    put16(f, L4, 68)  # from the client port, as a client would send it
    put16(f, L4 + 6, 0)
    c.add("request-on-upstream-side", "upstream", f, {},
          "a DISCOVER broadcast on the server segment: requests are read from downstream interfaces only")
    f = server_reply(c)
    f = f[:L4 + 64]
    f[L3 + 6] |= 0x20
    put16(f, L3 + 2, len(f) - L3)
    put16(f, L4 + 6, 0)
    fix_ip_checksum(f)
    c.add("reply-first-fragment", "upstream", f, {},
          "the first fragment of a reply: the kernel waits for the rest, which never comes")


def write_pcap(path, frames):
    """A classic pcap (microsecond stamps, little endian, Ethernet)."""
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (_, data) in enumerate(frames):
            out.write(struct.pack("<IIII", EPOCH + i, 0, len(data), len(data)))
            out.write(data)


def manifest(frames):
    return {
        "comment": "Generated by test/hostile/craft.py, do not edit: one entry per record of "
                   + PCAP_NAME + ", in order. expect: the relay's drop counters (relay/reason.go "
                   "names) the frame must move, summed over interfaces; empty: the kernel drops it "
                   "before the relay. requests_received: frames the relay's packet sockets read.",
        "pcap": PCAP_NAME,
        "relay_flags": RELAY_FLAGS,
        "segments": {
            "client": {"relay_if": RELAY_CLIENT_IF, "relay_mac": RELAY_CLIENT_MAC,
                       "relay_addr": RELAY_CLIENT_ADDR + "/25", "mtu": CLIENT_MTU},
            "trusted": {"relay_if": RELAY_TRUSTED_IF, "relay_mac": RELAY_TRUSTED_MAC,
                        "relay_addr": RELAY_TRUSTED_ADDR + "/26", "mtu": 1500},
            "upstream": {"relay_if": RELAY_UP_IF, "relay_mac": RELAY_UP_MAC,
                         "relay_addr": RELAY_UP_ADDR + "/25", "mtu": 1500},
        },
        "helper": HELPER,
        "frames": [entry for entry, _ in frames],
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "testdata"), help="output directory")
    args = ap.parse_args()
    c = Crafter()
    for part in (framing, messages, semantics, replies):
        part(c)
    os.makedirs(args.out, exist_ok=True)
    write_pcap(os.path.join(args.out, PCAP_NAME), c.frames)
    with open(os.path.join(args.out, MANIFEST_NAME), "w", encoding="ascii") as out:
        json.dump(manifest(c.frames), out, indent=1, ensure_ascii=True)
        out.write("\n")


if __name__ == "__main__":
    main()
