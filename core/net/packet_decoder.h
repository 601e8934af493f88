// Decodes one captured frame down to its TCP segment: link layer (Ethernet with
// 802.1Q/802.1ad/QinQ tags, Linux SLL and SLL2, raw IPv4/IPv6, BSD NULL/LOOP),
// IPv4 (options) and IPv6 (extension headers), TCP (options). A pure function:
// the returned views point into `frame`.
//
// Details: an IP length beyond the captured bytes clips the payload and sets
// payload_truncated; bytes past the IP length (Ethernet padding) are dropped; an
// IPv4 total length or IPv6 payload length of 0 (segmentation offload, jumbogram)
// means "the captured bytes". Fragments of TCP give ip_fragment, fragments of other
// protocols not_tcp; an IPv6 atomic fragment (offset 0, M clear) decodes normally.
// On any status but `tcp`, `out` is reset to a default TcpSegment. No allocation.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace tlsring::net {

struct IpAddress {
  std::uint8_t version = 4;              // 4 or 6
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4

  // "10.0.0.1" or "2001:db8::1" (RFC 5952 form).
  std::string to_string() const;
  // By version, then the bytes in order. Written out in two 64-bit words:
  // every packet's connection is looked up and put in canonical order by
  // these, and the defaulted forms call memcmp for the 16 bytes.
  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.version == b.version && a.word(0) == b.word(0) && a.word(1) == b.word(1);
  }
  friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
    if (a.version != b.version) return a.version <=> b.version;
    if (a.word(0) != b.word(0)) return a.ordered_word(0) <=> b.ordered_word(0);
    return a.ordered_word(1) <=> b.ordered_word(1);
  }

 private:
  std::uint64_t word(std::size_t i) const {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + 8 * i, sizeof w);
    return w;
  }
  // The word whose integer order is the order of its bytes.
  std::uint64_t ordered_word(std::size_t i) const {
    const std::uint64_t w = word(i);
    return std::endian::native == std::endian::big ? w : __builtin_bswap64(w);
  }
};

struct Endpoint {
  IpAddress ip;
  std::uint16_t port = 0;
  // "10.0.0.1:3000" or "[2001:db8::1]:3000".
  std::string to_string() const;
  auto operator<=>(const Endpoint&) const = default;
};

enum TcpFlags : std::uint8_t {
  kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20,
};

struct TcpSegment {
  Endpoint src;
  Endpoint dst;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  std::span<const std::uint8_t> payload;  // clipped to the captured bytes and the IP length
  bool payload_truncated = false;          // snaplen cut the payload short
};

enum class DecodeStatus {
  tcp,               // `out` holds the segment
  not_tcp,           // a valid frame that carries no TCP (ARP, UDP, ICMP ...)
  ip_fragment,       // an IP fragment (not reassembled)
  unsupported_link,  // a link type the decoder does not know
  malformed,         // a header is cut short or inconsistent
};

DecodeStatus decode_tcp(std::uint32_t link_type, std::span<const std::uint8_t> frame, TcpSegment& out);

}  // namespace tlsring::net
