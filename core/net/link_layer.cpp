#include "core/net/link_layer.h"

#include <algorithm>

#include "core/capture/capture_reader.h"

namespace tlsring::net {
namespace {

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;     // 802.1Q
constexpr std::uint16_t kEtherTypeQinQ = 0x88a8;     // 802.1ad service tag
constexpr std::uint16_t kEtherTypeQinQOld = 0x9100;  // pre-standard QinQ
constexpr std::uint16_t kEtherTypeQinQOld2 = 0x9200;
constexpr std::uint16_t kMaxEthernetLength = 1500;   // below 0x0600 the field is an 802.3 length
constexpr int kMaxVlanTags = 8;                      // real stacks have 2; more is garbage

constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kSllHeader = 16;
constexpr std::size_t kSll2Header = 20;

// BSD address-family values for IPv6: FreeBSD, Darwin and NetBSD/OpenBSD use
// different numbers, and a capture may come from any of them.
bool is_bsd_inet6(std::uint32_t family) { return family == 24 || family == 28 || family == 30; }
constexpr std::uint32_t kBsdInet = 2;

bool is_vlan_tag(std::uint16_t type) {
  return type == kEtherTypeVlan || type == kEtherTypeQinQ || type == kEtherTypeQinQOld ||
         type == kEtherTypeQinQOld2;
}

DecodeStatus from_version_nibble(Bytes data, NetworkPacket& out) {
  if (data.empty()) return DecodeStatus::malformed;
  switch (data[0] >> 4) {
    case 4: out.protocol = NetworkProtocol::ipv4; break;
    case 6: out.protocol = NetworkProtocol::ipv6; break;
    default: return DecodeStatus::malformed;
  }
  out.data = data;
  return DecodeStatus::tcp;
}

DecodeStatus from_family(std::uint32_t family, Bytes rest, NetworkPacket& out) {
  if (family == kBsdInet) {
    out.protocol = NetworkProtocol::ipv4;
  } else if (is_bsd_inet6(family)) {
    out.protocol = NetworkProtocol::ipv6;
  } else {
    return DecodeStatus::not_tcp;
  }
  out.data = rest;
  return DecodeStatus::tcp;
}

// 802.3 frame with an 802.2 LLC header: only SNAP with the zero OUI carries an EtherType.
DecodeStatus from_llc(Bytes rest, NetworkPacket& out) {
  ByteReader reader(rest);
  auto dsap = reader.u8();
  auto ssap = reader.u8();
  auto control = reader.u8();
  if (!dsap || !ssap || !control) return DecodeStatus::malformed;
  if (*dsap != 0xaa || *ssap != 0xaa || *control != 0x03) return DecodeStatus::not_tcp;
  auto oui = reader.u24be();
  auto type = reader.u16be();
  if (!oui || !type) return DecodeStatus::malformed;
  if (*oui != 0) return DecodeStatus::not_tcp;
  return from_ethertype(*type, reader.rest(), out);
}

DecodeStatus from_ethernet(Bytes frame, NetworkPacket& out) {
  ByteReader reader(frame);
  if (!reader.skip(12)) return DecodeStatus::malformed;  // destination and source MAC
  const auto type = reader.u16be();
  if (!type) return DecodeStatus::malformed;
  if (*type <= kMaxEthernetLength) {
    // An 802.3 length: clip to it, so that padding never becomes data.
    Bytes rest = reader.rest();
    return from_llc(rest.first(std::min<std::size_t>(*type, rest.size())), out);
  }
  return from_ethertype(*type, reader.rest(), out);
}

DecodeStatus from_sll(Bytes frame, NetworkPacket& out) {
  ByteReader reader(frame);
  // packet type, ARPHRD type, address length, 8 address bytes, then the protocol.
  if (!reader.skip(kSllHeader - 2)) return DecodeStatus::malformed;
  const auto protocol = reader.u16be();
  if (!protocol) return DecodeStatus::malformed;
  return from_ethertype(*protocol, reader.rest(), out);
}

DecodeStatus from_sll2(Bytes frame, NetworkPacket& out) {
  ByteReader reader(frame);
  const auto protocol = reader.u16be();  // then reserved, ifindex, ARPHRD, packet type, address
  if (!protocol || !reader.skip(kSll2Header - 2)) return DecodeStatus::malformed;
  return from_ethertype(*protocol, reader.rest(), out);
}

}  // namespace

DecodeStatus from_ethertype(std::uint16_t ethertype, Bytes rest, NetworkPacket& out) {
  ByteReader reader(rest);
  for (int tags = 0; is_vlan_tag(ethertype); ++tags) {
    if (tags == kMaxVlanTags) return DecodeStatus::malformed;
    // A tag is the 2-byte TCI (priority, DEI, VLAN id) and the next EtherType.
    const auto tci = reader.u16be();
    const auto inner = reader.u16be();
    if (!tci || !inner) return DecodeStatus::malformed;
    ethertype = *inner;
  }
  switch (ethertype) {
    case kEtherTypeIpv4: out.protocol = NetworkProtocol::ipv4; break;
    case kEtherTypeIpv6: out.protocol = NetworkProtocol::ipv6; break;
    default: return DecodeStatus::not_tcp;
  }
  out.data = reader.rest();
  return DecodeStatus::tcp;
}

DecodeStatus strip_link_layer(std::uint32_t link_type, Bytes frame, NetworkPacket& out) {
  switch (link_type) {
    case capture::kLinkEthernet: return from_ethernet(frame, out);
    case capture::kLinkLinuxSll: return from_sll(frame, out);
    case capture::kLinkLinuxSll2: return from_sll2(frame, out);
    case capture::kLinkRaw: return from_version_nibble(frame, out);
    case capture::kLinkIpv4:
      out.protocol = NetworkProtocol::ipv4;
      out.data = frame;
      return DecodeStatus::tcp;
    case capture::kLinkIpv6:
      out.protocol = NetworkProtocol::ipv6;
      out.data = frame;
      return DecodeStatus::tcp;
    case capture::kLinkNull: {
      ByteReader big(frame);
      ByteReader reader(frame);
      const auto big_endian = big.u32be();
      const auto little = reader.u32le();
      if (!little || !big_endian) return DecodeStatus::malformed;
      // Written in the capturing host's byte order: the family is a small
      // number, so whichever reading is small is the right one.
      const std::uint32_t family = (*little & 0xffff0000u) == 0 ? *little : *big_endian;
      return from_family(family, reader.rest(), out);
    }
    case capture::kLinkLoop: {
      ByteReader reader(frame);
      const auto family = reader.u32be();
      if (!family) return DecodeStatus::malformed;
      return from_family(*family, reader.rest(), out);
    }
    default: return DecodeStatus::unsupported_link;
  }
}

}  // namespace tlsring::net
