#include "core/net/tcp_header.h"

namespace tlsring::net {
namespace {
constexpr std::size_t kMinHeader = 20;
}  // namespace

DecodeStatus parse_tcp(Bytes segment, bool ip_truncated, TcpSegment& out) {
  ByteReader reader(segment);
  if (segment.size() < kMinHeader) return DecodeStatus::malformed;
  out.src.port = *reader.u16be();
  out.dst.port = *reader.u16be();
  out.seq = *reader.u32be();
  out.ack = *reader.u32be();
  const std::uint8_t data_offset = *reader.u8();
  out.flags = *reader.u8();
  out.window = *reader.u16be();
  const std::size_t header_length = static_cast<std::size_t>(data_offset >> 4) * 4;
  // A header longer than the segment is malformed whether the IP length says
  // so or the snaplen cut the options: either way the payload start is unknown.
  if (header_length < kMinHeader || header_length > segment.size()) return DecodeStatus::malformed;
  out.payload = segment.subspan(header_length);
  out.payload_truncated = ip_truncated;
  return DecodeStatus::tcp;
}

}  // namespace tlsring::net
