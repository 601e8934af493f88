// IP layer: parses one IPv4 or IPv6 header (with IPv4 options and IPv6
// extension headers) down to the transport protocol and its bytes.
#pragma once

#include <cstdint>

#include "core/bytes/byte_reader.h"
#include "core/net/packet_decoder.h"

namespace tlsring::net {

constexpr std::uint8_t kIpProtocolTcp = 6;

struct IpPacket {
  IpAddress src;
  IpAddress dst;
  std::uint8_t protocol = 0;  // the upper-layer protocol after all extension headers
  Bytes payload;              // clipped to the IP length and to the captured bytes
  bool truncated = false;     // the IP length says more than was captured
  bool fragment = false;      // an IPv4 fragment or an IPv6 non-atomic fragment
};

// Both return DecodeStatus::tcp when the header parsed (whatever the protocol
// is), malformed when it is cut short or inconsistent. `data` starts at the IP
// header and may run past the IP length (Ethernet padding): that is clipped.
DecodeStatus parse_ipv4(Bytes data, IpPacket& out);
DecodeStatus parse_ipv6(Bytes data, IpPacket& out);

}  // namespace tlsring::net
