// IPv4 (RFC 791).
#include <algorithm>
#include <cstring>

#include "core/net/ip_layer.h"

namespace tlsring::net {
namespace {

constexpr std::size_t kMinHeader = 20;
constexpr std::uint16_t kMoreFragments = 0x2000;
constexpr std::uint16_t kFragmentOffsetMask = 0x1fff;

IpAddress ipv4_address(Bytes four) {
  IpAddress address;
  address.version = 4;
  std::copy(four.begin(), four.end(), address.bytes.begin());
  return address;
}

}  // namespace

DecodeStatus parse_ipv4(Bytes data, IpPacket& out) {
  ByteReader reader(data);
  const auto version_ihl = reader.u8();
  if (!version_ihl || (*version_ihl >> 4) != 4) return DecodeStatus::malformed;
  const std::size_t header_length = std::size_t{*version_ihl & 0x0fu} * 4;
  if (header_length < kMinHeader || data.size() < header_length) return DecodeStatus::malformed;
  reader.skip(1);  // DSCP, ECN
  const std::uint16_t total_length = *reader.u16be();
  reader.skip(2);  // identification
  const std::uint16_t flags_offset = *reader.u16be();
  reader.skip(1);  // TTL
  out.protocol = *reader.u8();
  reader.skip(2);  // header checksum: the capture shows what was sent, right or wrong
  out.src = ipv4_address(*reader.bytes(4));
  out.dst = ipv4_address(*reader.bytes(4));

  // A total length of 0 is what a sender's capture shows for a segment the NIC
  // splits later (TCP segmentation offload): then the captured bytes are the packet.
  const std::size_t ip_length = total_length == 0 ? data.size() : total_length;
  if (ip_length < header_length) return DecodeStatus::malformed;
  out.truncated = ip_length > data.size();
  const std::size_t end = std::min(ip_length, data.size());
  out.payload = data.subspan(header_length, end - header_length);
  out.fragment = (flags_offset & (kMoreFragments | kFragmentOffsetMask)) != 0;
  return DecodeStatus::tcp;
}

}  // namespace tlsring::net
