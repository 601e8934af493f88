#include "tests/gen/impairments.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace tlsring::testgen {
namespace {

// Payload bytes of `d` covered by no segment, computed from the ranges that remain.
std::uint64_t uncovered_bytes(const std::vector<TcpSegment>& before,
                              const std::vector<TcpSegment>& after, Direction d) {
  auto ranges = [d](const std::vector<TcpSegment>& segments) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    for (const auto& s : segments) {
      if (s.direction == d && s.payload_length > 0) {
        out.emplace_back(s.payload_offset, std::uint64_t{s.payload_offset} + s.payload_length);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  auto covered = [](const std::vector<std::pair<std::uint64_t, std::uint64_t>>& r) {
    std::uint64_t total = 0;
    std::uint64_t reach = 0;
    for (auto [begin, end] : r) {
      begin = std::max(begin, reach);
      if (end > begin) total += end - begin;
      reach = std::max(reach, end);
    }
    return total;
  };
  return covered(ranges(before)) - covered(ranges(after));
}

}  // namespace

ImpairmentStats apply_impairments(std::vector<TcpSegment>& segments, const Impairments& impairments,
                                  Rng& rng) {
  ImpairmentStats stats;
  if (!impairments.any()) return stats;
  const std::vector<TcpSegment> original = segments;

  const std::size_t late = std::min(impairments.drop_first, segments.size());
  segments.erase(segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(late));
  stats.dropped += late;

  if (impairments.retransmit > 0) {
    std::vector<TcpSegment> out;
    out.reserve(segments.size() + segments.size() / 8 + 1);
    std::optional<TcpSegment> pending;  // a copy waiting to follow the next segment
    for (std::size_t i = 0; i < segments.size(); ++i) {
      out.push_back(segments[i]);
      // The copy follows the next segment (the sender timed out or got dup ACKs),
      // stamped halfway to the one after.
      const std::int64_t now = segments[i].timestamp_ns;
      const std::int64_t later = i + 1 < segments.size() ? segments[i + 1].timestamp_ns : now + 2000;
      if (pending) {
        pending->timestamp_ns = now + std::max<std::int64_t>((later - now) / 2, 0);
        out.push_back(*pending);
        pending.reset();
      }
      if (segments[i].payload_length > 0 && rng.chance(impairments.retransmit)) {
        pending = segments[i];
        pending->duplicate = true;
        ++stats.duplicated;
      }
    }
    if (pending) {
      pending->timestamp_ns += 1000;
      out.push_back(*pending);
    }
    segments = std::move(out);
  }

  if (impairments.reorder > 0) {
    for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
      // Only within one direction: a capture never sees an answer before its question.
      if (segments[i].direction != segments[i + 1].direction || !rng.chance(impairments.reorder)) {
        continue;
      }
      std::swap(segments[i], segments[i + 1]);
      std::swap(segments[i].timestamp_ns, segments[i + 1].timestamp_ns);
      ++stats.reordered;
      ++i;  // a segment moves at most one place
    }
  }

  if (impairments.drop > 0) {
    const std::size_t before = segments.size();
    std::erase_if(segments, [&](const TcpSegment&) { return rng.chance(impairments.drop); });
    stats.dropped += before - segments.size();
  }

  // Midpoint timestamps can tie their neighbours; keep them strictly ordered.
  for (std::size_t i = 1; i < segments.size(); ++i) {
    segments[i].timestamp_ns = std::max(segments[i].timestamp_ns, segments[i - 1].timestamp_ns + 1);
  }

  for (Direction d : {Direction::client_to_server, Direction::server_to_client}) {
    stats.lost_bytes[index_of(d)] = uncovered_bytes(original, segments, d);
  }
  stats.syn_captured = std::any_of(segments.begin(), segments.end(), [](const TcpSegment& s) {
    return (s.flags & tcp_flags::kSyn) && !(s.flags & tcp_flags::kAck);
  });
  return stats;
}

}  // namespace tlsring::testgen
