// IPv6 (RFC 8200) and its extension headers.
#include <algorithm>

#include "core/net/ip_layer.h"

namespace tlsring::net {
namespace {

constexpr std::size_t kFixedHeader = 40;
constexpr int kMaxExtensionHeaders = 16;  // real packets have a few; more is garbage

// Extension headers of the common form: next header, length in 8-octet units
// not counting the first 8 (RFC 8200 4.3, 4.4, 4.6; mobility 135, HIP 139, shim6 140).
constexpr std::uint8_t kHopByHop = 0;
constexpr std::uint8_t kRouting = 43;
constexpr std::uint8_t kFragment = 44;
constexpr std::uint8_t kAuthentication = 51;  // length in 4-octet units, minus 2 (RFC 4302)
constexpr std::uint8_t kDestinationOptions = 60;
constexpr std::uint8_t kMobility = 135;
constexpr std::uint8_t kHip = 139;
constexpr std::uint8_t kShim6 = 140;

bool is_generic_extension(std::uint8_t next) {
  return next == kHopByHop || next == kRouting || next == kDestinationOptions || next == kMobility ||
         next == kHip || next == kShim6;
}

IpAddress ipv6_address(Bytes sixteen) {
  IpAddress address;
  address.version = 6;
  std::copy(sixteen.begin(), sixteen.end(), address.bytes.begin());
  return address;
}

}  // namespace

DecodeStatus parse_ipv6(Bytes data, IpPacket& out) {
  ByteReader header(data);
  const auto first = header.u8();
  if (!first || (*first >> 4) != 6 || data.size() < kFixedHeader) return DecodeStatus::malformed;
  header.skip(3);  // traffic class, flow label
  const std::uint16_t payload_length = *header.u16be();
  std::uint8_t next = *header.u8();
  header.skip(1);  // hop limit
  out.src = ipv6_address(*header.bytes(16));
  out.dst = ipv6_address(*header.bytes(16));

  // A payload length of 0 is a jumbogram (RFC 2675) or a segment captured
  // before segmentation offload: the captured bytes are the packet.
  const std::size_t ip_length = payload_length == 0 ? data.size() : kFixedHeader + payload_length;
  out.truncated = ip_length > data.size();
  ByteReader reader(data.subspan(kFixedHeader, std::min(ip_length, data.size()) - kFixedHeader));

  for (int count = 0;; ++count) {
    if (count == kMaxExtensionHeaders) return DecodeStatus::malformed;
    if (is_generic_extension(next) || next == kAuthentication) {
      ByteReader ext(reader.rest());
      const auto ext_next = ext.u8();
      const auto ext_length = ext.u8();
      if (!ext_next || !ext_length) return DecodeStatus::malformed;
      const std::size_t length = next == kAuthentication ? (std::size_t{*ext_length} + 2) * 4
                                                         : (std::size_t{*ext_length} + 1) * 8;
      if (!reader.skip(length)) return DecodeStatus::malformed;
      next = *ext_next;
      continue;
    }
    if (next == kFragment) {
      const auto ext_next = reader.u8();
      const auto reserved = reader.u8();
      const auto offset_flags = reader.u16be();
      if (!ext_next || !reserved || !offset_flags || !reader.skip(4)) return DecodeStatus::malformed;
      next = *ext_next;
      // offset (13 bits) and the M flag; both zero is an atomic fragment (RFC
      // 6946), a whole packet that reads on.
      if ((*offset_flags & 0xfff9u) != 0) {
        out.fragment = true;
        out.protocol = next;
        out.payload = reader.rest();
        return DecodeStatus::tcp;
      }
      continue;
    }
    out.protocol = next;
    out.payload = reader.rest();
    return DecodeStatus::tcp;
  }
}

}  // namespace tlsring::net
