// decode_tcp: link layer, then IP, then TCP. Each layer clips its view, so
// that what one layer calls payload never holds the next layer's trailer.
#include "core/net/packet_decoder.h"

#include "core/net/ip_layer.h"
#include "core/net/link_layer.h"
#include "core/net/tcp_header.h"

namespace tlsring::net {

DecodeStatus decode_tcp(std::uint32_t link_type, std::span<const std::uint8_t> frame, TcpSegment& out) {
  out = TcpSegment{};
  NetworkPacket network;
  if (auto status = strip_link_layer(link_type, frame, network); status != DecodeStatus::tcp) return status;

  IpPacket ip;
  const DecodeStatus ip_status =
      network.protocol == NetworkProtocol::ipv4 ? parse_ipv4(network.data, ip) : parse_ipv6(network.data, ip);
  if (ip_status != DecodeStatus::tcp) return ip_status;
  if (ip.protocol != kIpProtocolTcp) return DecodeStatus::not_tcp;
  // Only the first fragment holds the TCP header, and even its payload is
  // incomplete: without reassembly no fragment yields a usable segment.
  if (ip.fragment) return DecodeStatus::ip_fragment;

  if (auto status = parse_tcp(ip.payload, ip.truncated, out); status != DecodeStatus::tcp) {
    out = TcpSegment{};
    return status;
  }
  out.src.ip = ip.src;
  out.dst.ip = ip.dst;
  return DecodeStatus::tcp;
}

}  // namespace tlsring::net
