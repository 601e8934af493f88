// Link layer: strips the link header of one frame and says which network
// protocol follows. Knows Ethernet (802.1Q, 802.1ad and QinQ tags, 802.2
// LLC/SNAP), Linux cooked SLL and SLL2, raw IP, IPv4-only, IPv6-only, BSD NULL
// (family in the writer's byte order) and OpenBSD LOOP (network order).
#pragma once

#include <cstdint>

#include "core/bytes/byte_reader.h"
#include "core/net/packet_decoder.h"

namespace tlsring::net {

enum class NetworkProtocol : std::uint8_t { ipv4, ipv6 };

struct NetworkPacket {
  NetworkProtocol protocol = NetworkProtocol::ipv4;
  Bytes data;  // from the first byte of the IP header to the end of the frame
};

// Returns DecodeStatus::tcp when an IP packet follows (then `out` is set),
// not_tcp for other protocols (ARP, LLDP ...), unsupported_link for unknown
// link types, malformed when the link header is cut short.
DecodeStatus strip_link_layer(std::uint32_t link_type, Bytes frame, NetworkPacket& out);

// The protocol for an EtherType (after VLAN tags), given the bytes after it.
// Shared by Ethernet, SLL and SLL2, whose protocol fields are EtherTypes.
DecodeStatus from_ethertype(std::uint16_t ethertype, Bytes rest, NetworkPacket& out);

}  // namespace tlsring::net
