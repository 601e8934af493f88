#include "tests/fuzz/stream_script.h"

#include <algorithm>

namespace tlsring::fuzz {
namespace {

constexpr std::uint8_t kKindData = 0, kKindGap = 1, kKindFin = 2;
constexpr std::int64_t kStartNs = 1700000000000000000;
constexpr std::int64_t kStepNs = 1000000;

net::Endpoint endpoint(std::uint8_t last_octet, std::uint16_t port) {
  net::Endpoint e;
  e.ip.version = 4;
  e.ip.bytes[0] = 192;
  e.ip.bytes[1] = 0;
  e.ip.bytes[2] = 2;
  e.ip.bytes[3] = last_octet;
  e.port = port;
  return e;
}

}  // namespace

StreamScript read_stream_script(std::span<const std::uint8_t> input) {
  StreamScript s;
  const std::uint8_t flags = input.empty() ? 0 : input[0];
  s.info.id = 0;
  s.info.syn_seen = (flags & 1) != 0;
  s.info.syn_ack_seen = (flags & 2) != 0;
  s.defer_resumption = (flags & 4) != 0;
  const bool server_first = (flags & 8) != 0;
  s.info.endpoint[0] = server_first ? endpoint(2, 3000) : endpoint(1, 51000);
  s.info.endpoint[1] = server_first ? endpoint(1, 51000) : endpoint(2, 3000);
  s.close_reason = static_cast<tcp::CloseReason>(((flags >> 4) & 7) % 6);
  s.info.first_seen_ns = kStartNs;
  s.info.first_packet = 1;
  if (!input.empty()) s.ops = input.subspan(1);
  return s;
}

std::int64_t replay_ops(const StreamScript& script, tcp::ConnectionHandler& handler) {
  std::span<const std::uint8_t> in = script.ops;
  std::uint64_t offset[2] = {0, 0};
  bool fin[2] = {false, false};
  std::int64_t now = kStartNs;
  while (!in.empty()) {
    const std::uint8_t op = in[0];
    in = in.subspan(1);
    now += kStepNs;
    const int side_index = op & 1;
    const tcp::Side side = static_cast<tcp::Side>(side_index);
    const std::uint8_t kind = (op >> 1) & 3;
    if (kind == kKindFin) {
      if (!fin[side_index]) handler.on_fin(side, now);
      fin[side_index] = true;
      continue;
    }
    if (in.size() < 2) break;
    std::uint64_t length = (std::uint64_t{in[0]} << 8) | in[1];
    in = in.subspan(2);
    if (kind == kKindGap) {
      if ((op & 8) != 0) length <<= 12;
      if (length == 0 || fin[side_index]) continue;
      handler.on_gap(side, offset[side_index], length, now);
      offset[side_index] += length;
      continue;
    }
    const std::span<const std::uint8_t> data = in.first(std::min<std::size_t>(length, in.size()));
    in = in.subspan(data.size());
    if (data.empty() || fin[side_index]) continue;
    handler.on_data(side, data, offset[side_index], now);
    offset[side_index] += data.size();
  }
  return now;
}

StreamScriptRecorder::StreamScriptRecorder(const tcp::ConnectionInfo& info) {
  // The server's port decides bit 3; the tracker's endpoint order is kept otherwise.
  const bool server_first = info.endpoint[0].port < info.endpoint[1].port;
  bytes_.push_back(static_cast<std::uint8_t>((info.syn_seen ? 1 : 0) | (info.syn_ack_seen ? 2 : 0) |
                                             (server_first ? 8 : 0)));
}

void StreamScriptRecorder::on_data(tcp::Side from, std::span<const std::uint8_t> data, std::uint64_t,
                                   std::int64_t) {
  while (!data.empty()) {
    const std::size_t n = std::min<std::size_t>(data.size(), 0xffff);
    bytes_.push_back(static_cast<std::uint8_t>(static_cast<int>(from) | (kKindData << 1)));
    bytes_.push_back(static_cast<std::uint8_t>(n >> 8));
    bytes_.push_back(static_cast<std::uint8_t>(n));
    bytes_.insert(bytes_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    data = data.subspan(n);
  }
}

void StreamScriptRecorder::on_gap(tcp::Side from, std::uint64_t, std::uint64_t length, std::int64_t) {
  while (length > 0) {
    const bool scaled = length >= 4096;
    const std::uint64_t units = std::min<std::uint64_t>(scaled ? length >> 12 : length, 0xffff);
    bytes_.push_back(static_cast<std::uint8_t>(static_cast<int>(from) | (kKindGap << 1) | (scaled ? 8 : 0)));
    bytes_.push_back(static_cast<std::uint8_t>(units >> 8));
    bytes_.push_back(static_cast<std::uint8_t>(units));
    length -= scaled ? units << 12 : units;
  }
}

void StreamScriptRecorder::on_fin(tcp::Side from, std::int64_t) {
  bytes_.push_back(static_cast<std::uint8_t>(static_cast<int>(from) | (kKindFin << 1)));
}

void StreamScriptRecorder::on_close(tcp::CloseReason reason, std::int64_t) {
  bytes_[0] = static_cast<std::uint8_t>(bytes_[0] | (static_cast<int>(reason) << 4));
  closed_ = true;
}

}  // namespace tlsring::fuzz
