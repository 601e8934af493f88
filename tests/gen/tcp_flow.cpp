#include "tests/gen/tcp_flow.h"

#include <algorithm>
#include <limits>

namespace tlsring::testgen {
namespace {

class FlowBuilder {
 public:
  FlowBuilder(const TcpFlowConfig& config, std::int64_t start_ns)
      : config_(config), last_ts_(start_ns - 1) {
    next_[0] = config.client_isn;
    next_[1] = config.server_isn;
  }

  // Appends a segment at `ts` (pushed later if that would go back in time) and
  // advances the sender's sequence number by what the segment occupies.
  std::int64_t emit(Direction d, std::uint8_t flags, std::size_t offset, std::size_t length,
                    std::int64_t ts, bool mss_option = false) {
    TcpSegment s;
    s.direction = d;
    s.flags = flags;
    s.seq = next_[index_of(d)];
    s.ack = (flags & tcp_flags::kAck) ? next_[index_of(reverse(d))] : 0;
    s.payload_offset = static_cast<std::uint32_t>(offset);
    s.payload_length = static_cast<std::uint32_t>(length);
    s.timestamp_ns = std::max(ts, last_ts_ + 1);
    s.mss_option = mss_option;
    last_ts_ = s.timestamp_ns;
    next_[index_of(d)] += static_cast<std::uint32_t>(length) +
                          ((flags & (tcp_flags::kSyn | tcp_flags::kFin)) ? 1u : 0u);
    segments_.push_back(s);
    return s.timestamp_ns;
  }

  // SYN and FIN each take one sequence number even when not captured.
  void skip_syn() {
    next_[0] += 1;
    next_[1] += 1;
  }

  // When a chunk starts, after one that went `previous` way.
  std::int64_t gap(Direction previous, const TlsChunk& chunk) const {
    const TcpTiming& t = config_.timing;
    if (chunk.direction == previous) return t.packet_gap_ns;
    if (chunk.direction == Direction::server_to_client) {
      return chunk.new_message ? t.reply_ns : t.server_step_ns;
    }
    return chunk.new_message ? t.think_ns : t.rtt_ns + t.packet_gap_ns;
  }

  // When the receiver of data ending at `ts` would send its delayed ACK.
  std::int64_t ack_time(Direction data, std::int64_t ts) const {
    const TcpTiming& t = config_.timing;
    return ts + t.ack_delay_ns + (data == Direction::server_to_client ? t.rtt_ns : 0);
  }

  std::int64_t last_ts() const { return last_ts_; }
  std::vector<TcpSegment> take() { return std::move(segments_); }
  void reserve(std::size_t n) { segments_.reserve(n); }

 private:
  const TcpFlowConfig& config_;
  std::int64_t last_ts_;
  std::uint32_t next_[2] = {0, 0};
  std::vector<TcpSegment> segments_;
};

}  // namespace

std::vector<TcpSegment> build_tcp_flow(const TlsConnectionResult& tls, const TcpFlowConfig& config,
                                       std::int64_t start_ns) {
  using namespace tcp_flags;
  constexpr auto c2s = Direction::client_to_server;
  constexpr auto s2c = Direction::server_to_client;
  const TcpTiming& timing = config.timing;
  const std::size_t mss = std::max<std::size_t>(config.mss, 1);
  const unsigned ack_every = std::max(config.ack_every, 1u);

  FlowBuilder flow(config, start_ns);
  flow.reserve(8 + (tls.wire[0].size() + tls.wire[1].size()) / mss * 3 / 2 + tls.chunks.size() * 2);

  std::int64_t t = start_ns;
  if (config.handshake) {
    t = flow.emit(c2s, kSyn, 0, 0, t, true);
    t = flow.emit(s2c, kSyn | kAck, 0, 0, t + timing.server_step_ns, true);
    t = flow.emit(c2s, kAck, 0, 0, t + timing.rtt_ns);
  } else {
    flow.skip_syn();
  }

  Direction previous = c2s;
  unsigned unacked[2] = {0, 0};  // data segments not yet ACKed, by data direction
  for (std::size_t i = 0; i < tls.chunks.size(); ++i) {
    const TlsChunk& chunk = tls.chunks[i];
    const Direction d = chunk.direction;
    t += i == 0 ? timing.packet_gap_ns : flow.gap(previous, chunk);
    const std::size_t end = chunk.offset + chunk.length;
    for (std::size_t offset = chunk.offset; offset < end; offset += mss) {
      const std::size_t length = std::min(mss, end - offset);
      const bool last = offset + length == end;
      t = flow.emit(d, kAck | (last ? kPsh : 0), offset, length, t);
      if (++unacked[index_of(d)] >= ack_every && !last) {
        flow.emit(reverse(d), kAck, 0, 0, t + timing.packet_gap_ns / 2);
        unacked[index_of(d)] = 0;
      }
      if (!last) t += timing.packet_gap_ns;
    }
    previous = d;
    // The receiver ACKs what it got unless more comes its way first, or its
    // own answer leaves before the delayed ACK would (and carries the ACK).
    const TlsChunk* next = i + 1 < tls.chunks.size() ? &tls.chunks[i + 1] : nullptr;
    if (next != nullptr && next->direction == d) continue;
    const std::int64_t next_start =
        next != nullptr ? t + flow.gap(d, *next) : std::numeric_limits<std::int64_t>::max();
    const std::int64_t ack_at = flow.ack_time(d, t);
    if (unacked[index_of(d)] > 0 && next_start > ack_at) flow.emit(reverse(d), kAck, 0, 0, ack_at);
    unacked[index_of(d)] = 0;
  }

  if (config.close) {
    std::int64_t fin = t + (previous == s2c ? timing.rtt_ns : timing.think_ns);
    fin = flow.emit(c2s, kFin | kAck, 0, 0, std::max(fin, flow.last_ts() + timing.packet_gap_ns));
    fin = flow.emit(s2c, kFin | kAck, 0, 0, fin + timing.server_step_ns);
    flow.emit(c2s, kAck, 0, 0, fin + timing.rtt_ns);
  }
  return flow.take();
}

}  // namespace tlsring::testgen
