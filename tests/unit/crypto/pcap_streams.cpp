#include "pcap_streams.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "core/bytes/byte_reader.h"
#include "test_bytes.h"

namespace tlsring::crypto::test {
namespace {

using ByteView = std::span<const std::uint8_t>;

struct Endpoint {
  std::uint32_t ip = 0;
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
};

struct Side {
  bool started = false;
  std::uint32_t next = 0;                                  // next expected sequence number
  std::map<std::uint32_t, std::vector<std::uint8_t>> early;  // segments ahead of `next`
};

struct Connection {
  Endpoint client;
  Side sides[2];  // [0] client -> server, [1] server -> client
  std::size_t index = 0;
};

// Appends in-order data (dropping retransmitted bytes) and any buffered
// segments it makes contiguous.
void deliver(Side& side, std::uint32_t seq, std::vector<std::uint8_t> data, bool from_client, TcpConnection& out) {
  side.early[seq] = std::move(data);
  for (auto it = side.early.begin(); it != side.early.end();) {
    const std::uint32_t start = it->first;
    const auto& bytes = it->second;
    const std::int32_t offset = static_cast<std::int32_t>(side.next - start);
    if (offset < 0) break;  // still a hole before this segment
    if (static_cast<std::size_t>(offset) < bytes.size()) {
      TcpChunk chunk{from_client, std::vector<std::uint8_t>(bytes.begin() + offset, bytes.end())};
      side.next += static_cast<std::uint32_t>(chunk.data.size());
      out.chunks.push_back(std::move(chunk));
    }
    it = side.early.erase(it);
  }
}

// One captured frame and its link type.
struct Frame {
  std::uint32_t linktype = 0;
  ByteView data;
};

// Classic pcap (little-endian, micro- or nanosecond) or pcapng (little-endian
// sections; Enhanced and Simple Packet Blocks).
std::vector<Frame> read_frames(const std::vector<std::uint8_t>& file) {
  std::vector<Frame> frames;
  ByteReader r(file);
  auto magic = r.u32le();
  if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du) {
    r.skip(16);
    auto linktype = r.u32le();
    if (!linktype) throw std::runtime_error("truncated pcap header");
    while (!r.empty()) {
      r.skip(8);
      auto captured = r.u32le();
      r.skip(4);
      auto packet = captured ? r.bytes(*captured) : std::nullopt;
      if (!packet) throw std::runtime_error("truncated pcap record");
      frames.push_back(Frame{*linktype, *packet});
    }
    return frames;
  }
  if (magic != 0x0A0D0D0Au) throw std::runtime_error("neither pcap nor pcapng");
  ByteReader blocks(file);
  std::vector<std::uint32_t> interfaces;
  while (!blocks.empty()) {
    auto type = blocks.u32le();
    auto length = blocks.u32le();
    if (!type || !length || *length < 12) throw std::runtime_error("bad pcapng block");
    auto body = blocks.bytes(*length - 12);
    if (!body || !blocks.skip(4)) throw std::runtime_error("truncated pcapng block");
    ByteReader b(*body);
    if (*type == 0x0A0D0D0Au) {
      if (b.u32le() != 0x1A2B3C4Du) throw std::runtime_error("big-endian pcapng is not supported");
      interfaces.clear();
    } else if (*type == 1) {
      auto linktype = b.u16le();
      interfaces.push_back(linktype ? *linktype : 0);
    } else if (*type == 6) {
      auto interface = b.u32le();
      b.skip(8);
      auto captured = b.u32le();
      b.skip(4);
      auto packet = captured ? b.bytes(*captured) : std::nullopt;
      if (!interface || *interface >= interfaces.size() || !packet) throw std::runtime_error("bad pcapng EPB");
      frames.push_back(Frame{interfaces[*interface], *packet});
    } else if (*type == 3 && !interfaces.empty()) {
      b.skip(4);
      frames.push_back(Frame{interfaces[0], b.rest()});
    }
  }
  return frames;
}

// The IPv4 packet inside a frame, or an empty view.
ByteView ipv4_of(const Frame& f) {
  ByteReader p(f.data);
  std::optional<std::uint16_t> ethertype;
  switch (f.linktype) {
    case 1:  // Ethernet
      p.skip(12);
      ethertype = p.u16be();
      break;
    case 113:  // Linux cooked capture v1
      p.skip(14);
      ethertype = p.u16be();
      break;
    case 101:
    case 228:  // raw IPv4
      ethertype = 0x0800;
      break;
    default:
      throw std::runtime_error("unsupported link type " + std::to_string(f.linktype));
  }
  if (ethertype != 0x0800) return {};
  return p.rest();
}

}  // namespace

std::vector<TcpConnection> read_tcp_connections(const std::string& pcap_path) {
  const std::vector<std::uint8_t> file = read_file(pcap_path);
  std::map<std::pair<Endpoint, Endpoint>, Connection> connections;
  std::vector<TcpConnection> out;
  for (const Frame& frame : read_frames(file)) {
    const ByteView ipv4 = ipv4_of(frame);
    if (ipv4.empty()) continue;
    ByteReader p(ipv4);
    auto version_ihl = p.u8();
    p.skip(1);
    auto total_length = p.u16be();
    p.skip(5);
    auto protocol = p.u8();
    p.skip(2);
    auto src_ip = p.u32be();
    auto dst_ip = p.u32be();
    if (!version_ihl || !total_length || !protocol || !src_ip || !dst_ip || *protocol != 6) continue;
    ByteReader ip(ipv4.first(std::min<std::size_t>(*total_length, ipv4.size())));
    ip.skip((*version_ihl & 15) * 4);
    auto src_port = ip.u16be();
    auto dst_port = ip.u16be();
    auto seq = ip.u32be();
    ip.skip(4);
    auto offset_flags = ip.u16be();
    if (!src_port || !dst_port || !seq || !offset_flags) continue;
    const std::size_t header_length = (*offset_flags >> 12) * 4;
    const bool syn = (*offset_flags & 0x02) != 0;
    const bool ack = (*offset_flags & 0x10) != 0;
    if (header_length < 20 || !ip.skip(header_length - 14)) continue;  // 14 bytes read so far
    const Endpoint src{*src_ip, *src_port};
    const Endpoint dst{*dst_ip, *dst_port};
    auto key = std::minmax(src, dst);
    auto it = connections.find({key.first, key.second});
    if (it == connections.end()) {
      Connection c;
      // The side sending a bare SYN is the client; failing that, the first sender.
      c.client = (syn && ack) ? dst : src;
      c.index = out.size();
      out.emplace_back();
      it = connections.emplace(std::make_pair(key.first, key.second), std::move(c)).first;
    }
    Connection& c = it->second;
    const bool from_client = src == c.client;
    Side& side = c.sides[from_client ? 0 : 1];
    if (syn) {
      side.started = true;
      side.next = *seq + 1;
      continue;
    }
    if (!side.started) {  // capture began mid-connection
      side.started = true;
      side.next = *seq;
    }
    auto payload = ip.rest();
    if (payload.empty()) continue;
    deliver(side, *seq, std::vector<std::uint8_t>(payload.begin(), payload.end()), from_client, out[c.index]);
  }
  return out;
}

}  // namespace tlsring::crypto::test
