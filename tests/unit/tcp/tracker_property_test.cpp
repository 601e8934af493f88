// Randomized properties of TcpTracker (fixed seeds, so every run is the same):
// random payloads split into random segments, reordered, duplicated with
// different bytes (the first copy must win) and, in some runs, lost.

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "recording.h"

namespace tcp_test {
namespace {

using tlsring::net::kAck;
using tlsring::net::kFin;
using tlsring::net::kSyn;

struct Planned {
  int direction;  // 0 client, 1 server
  std::uint64_t offset;
  std::uint64_t length;
  bool fin;
  double key;     // capture order
};

enum class Acks {
  none,      // no ACK flag
  captured,  // ACK the bytes captured in order so far: never passes a hole
  sent,      // ACK the bytes sent in order so far, captured or not: passes the holes of lost segments
};

struct Scenario {
  std::uint32_t seed;
  double loss;  // probability that a segment is not captured
  Acks acks;
  std::uint64_t max_buffered;
};

struct Outcome {
  std::vector<std::uint8_t> delivered_mask[2];  // 1 where a byte was delivered
  std::vector<std::uint8_t> gap_mask[2];        // 1 where a byte was declared lost
  std::vector<std::uint8_t> captured_mask[2];   // 1 where a byte was captured at least once
  bool fin_captured[2] = {false, false};
  bool closed_before_finish = false;
  tlsring::tcp::TrackerStats stats;
};

// Runs one randomized connection through a tracker and checks the invariants
// that hold whatever was lost: bytes in order and equal to those sent, events
// tiling the stream, the buffer bound. Returns what was delivered for more checks.
Outcome run_scenario(const Scenario& s, RecordingFactory& factory) {
  std::mt19937_64 rng(s.seed);
  auto uniform = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  const std::uint64_t length[2] = {uniform(1, 150000), uniform(1, 60000)};
  const std::vector<std::uint8_t> original[2] = {random_bytes(length[0], s.seed * 2 + 1),
                                                 random_bytes(length[1], s.seed * 2 + 2)};
  // Half the runs start within 100 KB of 2^32, so their streams cross the wrap.
  const std::uint32_t isn[2] = {
      static_cast<std::uint32_t>(s.seed % 2 == 0 ? 0xffffffffULL - uniform(0, 100000) : uniform(0, 0xffffffffULL)),
      static_cast<std::uint32_t>(uniform(0, 0xffffffffULL))};

  // Split each stream into segments; each one gets a capture-order key near
  // its index, so segments move by a bounded distance.
  std::vector<Planned> plan;
  for (int d = 0; d < 2; ++d) {
    std::uint64_t offset = 0;
    double index = 0;
    while (offset < length[d]) {
      const std::uint64_t n = std::min<std::uint64_t>(uniform(1, 1460), length[d] - offset);
      plan.push_back({d, offset, n, offset + n == length[d], index + unit(rng) * 40});
      // Sometimes a retransmission, cut at other boundaries, somewhat later.
      if (unit(rng) < 0.15) {
        const std::uint64_t begin = offset - std::min<std::uint64_t>(offset, uniform(0, 3000));
        const std::uint64_t end = std::min(length[d], offset + uniform(1, 3000));
        plan.push_back({d, begin, end - begin, false, index + unit(rng) * 60});
      }
      offset += n;
      index += 1;
    }
  }
  std::sort(plan.begin(), plan.end(), [](const Planned& a, const Planned& b) { return a.key < b.key; });

  Outcome out;
  std::vector<std::uint8_t> sent_mask[2];
  for (int d = 0; d < 2; ++d) {
    out.captured_mask[d].assign(length[d], 0);
    sent_mask[d].assign(length[d], 0);
  }
  TcpTracker::Options options;
  options.max_buffered_bytes = s.max_buffered;
  TcpTracker tracker(factory, options);
  factory.tracker = &tracker;
  const Endpoint ep[2] = {endpoint(172, 16, 0, 1, 51000), endpoint(172, 16, 0, 2, 3000)};
  std::uint64_t in_order_captured[2] = {0, 0};  // every byte before it was captured
  std::uint64_t in_order_sent[2] = {0, 0};      // every byte before it was sent
  std::int64_t ts = 0;
  auto ack_of = [&](int d) {
    const std::uint64_t acked = s.acks == Acks::sent ? in_order_sent[1 - d] : in_order_captured[1 - d];
    return static_cast<std::uint32_t>(isn[1 - d] + 1 + acked);
  };
  auto advance = [&](std::uint64_t& prefix, const std::vector<std::uint8_t>& mask) {
    while (prefix < mask.size() && mask[prefix]) ++prefix;
  };

  tracker.add(segment(ep[0], ep[1], isn[0], 0, kSyn), ++ts);
  tracker.add(segment(ep[1], ep[0], isn[1], isn[0] + 1, kSyn | kAck), ++ts);
  std::vector<std::uint8_t> payload;
  for (const Planned& p : plan) {
    const int d = p.direction;
    std::fill_n(sent_mask[d].begin() + static_cast<std::ptrdiff_t>(p.offset), p.length, std::uint8_t{1});
    advance(in_order_sent[d], sent_mask[d]);
    if (unit(rng) < s.loss) continue;
    payload.resize(p.length);
    for (std::uint64_t i = 0; i < p.length; ++i) {
      const std::uint64_t at = p.offset + i;
      // Bytes captured before come again with other content: the first copy must win.
      payload[i] = out.captured_mask[d][at] ? static_cast<std::uint8_t>(original[d][at] ^ 0x5a) : original[d][at];
      out.captured_mask[d][at] = 1;
    }
    advance(in_order_captured[d], out.captured_mask[d]);
    if (p.fin) out.fin_captured[d] = true;
    const bool ack = s.acks != Acks::none;
    const std::uint8_t flags = static_cast<std::uint8_t>((ack ? kAck : 0) | (p.fin ? kFin : 0));
    tracker.add(segment(ep[d], ep[1 - d], static_cast<std::uint32_t>(isn[d] + 1 + p.offset), ack ? ack_of(d) : 0,
                        flags, payload),
                ++ts);
    // The bound holds per direction; the stats add both directions.
    REQUIRE(tracker.stats().buffered_bytes <= 2 * s.max_buffered);
  }
  out.closed_before_finish = tracker.open_connections() == 0;
  tracker.finish(++ts);

  CHECK(factory.max_buffered_seen <= 2 * s.max_buffered);
  out.stats = tracker.stats();
  CHECK(tracker.stats().buffered_bytes == 0);
  REQUIRE(factory.connections.size() == 1);
  const Recording& rec = *factory.connections[0];
  for (int d = 0; d < 2; ++d) {
    const Side side = d == 0 ? Side::first : Side::second;
    shape(rec, side, original[d]);  // checks order, tiling and bytes
    out.delivered_mask[d].assign(length[d], 0);
    out.gap_mask[d].assign(length[d], 0);
    for (const Event& e : rec.events) {
      if (e.side != side || (e.kind != Event::Kind::data && e.kind != Event::Kind::gap)) continue;
      REQUIRE(e.offset + e.length <= length[d]);
      auto& mask = e.kind == Event::Kind::data ? out.delivered_mask[d] : out.gap_mask[d];
      std::fill_n(mask.begin() + static_cast<std::ptrdiff_t>(e.offset), e.length, std::uint8_t{1});
    }
  }
  return out;
}

std::string describe(const Scenario& s) {
  const char* acks = s.acks == Acks::none ? "none" : s.acks == Acks::captured ? "captured" : "sent";
  return "seed " + std::to_string(s.seed) + " loss " + std::to_string(s.loss) + " acks " + acks +
         " bound " + std::to_string(s.max_buffered);
}

}  // namespace

TEST_CASE("TcpTracker property: reordered and duplicated segments reassemble to exactly the original") {
  for (std::uint32_t seed = 1; seed <= 24; ++seed) {
    const Scenario s{seed, 0.0, seed % 3 == 0 ? Acks::none : Acks::captured, 1 << 20};
    DYNAMIC_SECTION(describe(s)) {
      RecordingFactory factory;
      const Outcome out = run_scenario(s, factory);
      const Recording& rec = *factory.connections[0];
      for (int d = 0; d < 2; ++d) {
        CHECK(std::all_of(out.delivered_mask[d].begin(), out.delivered_mask[d].end(), [](auto b) { return b == 1; }));
        CHECK(std::none_of(out.gap_mask[d].begin(), out.gap_mask[d].end(), [](auto b) { return b == 1; }));
      }
      // The run did reorder and repeat bytes.
      CHECK(out.stats.out_of_order_segments > 0);
      CHECK(out.stats.retransmitted_bytes > 0);
      CHECK(out.stats.gaps == 0);
      // Both FINs were delivered during the capture: closed then, not by finish().
      CHECK(out.closed_before_finish);
      CHECK(close_reason(rec) == "fin");
      CHECK(std::count_if(rec.events.begin(), rec.events.end(), [](const Event& e) { return e.kind == Event::Kind::fin; }) == 2);
    }
  }
}

TEST_CASE("TcpTracker property: with loss the captured bytes are delivered and the rest are gaps") {
  for (std::uint32_t seed = 101; seed <= 116; ++seed) {
    const Scenario s{seed, 0.05, Acks::none, 1 << 20};
    DYNAMIC_SECTION(describe(s)) {
      RecordingFactory factory;
      const Outcome out = run_scenario(s, factory);
      for (int d = 0; d < 2; ++d) {
        // No ACKs and a large bound: nothing captured is given up, and every
        // hole up to the last captured byte (or the FIN) is a gap.
        std::uint64_t end = 0;
        for (std::uint64_t i = 0; i < out.captured_mask[d].size(); ++i) {
          if (out.captured_mask[d][i]) end = i + 1;
        }
        if (out.fin_captured[d]) end = out.captured_mask[d].size();
        for (std::uint64_t i = 0; i < out.captured_mask[d].size(); ++i) {
          const bool captured = out.captured_mask[d][i] == 1;
          if (out.delivered_mask[d][i] != (captured ? 1 : 0) || out.gap_mask[d][i] != (!captured && i < end ? 1 : 0)) {
            FAIL("direction " << d << " byte " << i << ": captured " << captured << " delivered "
                               << int(out.delivered_mask[d][i]) << " gap " << int(out.gap_mask[d][i]));
          }
        }
      }
    }
  }
}

TEST_CASE("TcpTracker property: with loss and ACKs and a small bound memory stays bounded and bytes stay right") {
  for (std::uint32_t seed = 201; seed <= 216; ++seed) {
    const Scenario s{seed, 0.05, Acks::sent, 4000};
    DYNAMIC_SECTION(describe(s)) {
      RecordingFactory factory;
      const Outcome out = run_scenario(s, factory);
      for (int d = 0; d < 2; ++d) {
        // The events tile the stream: with the FIN captured, up to its end.
        std::uint64_t covered = 0;
        for (std::uint64_t i = 0; i < out.captured_mask[d].size(); ++i) {
          if (out.delivered_mask[d][i] == 1 || out.gap_mask[d][i] == 1) covered = i + 1;
        }
        if (out.fin_captured[d]) CHECK(covered == out.captured_mask[d].size());
        CHECK(out.stats.gaps > 0);
        for (std::uint64_t i = 0; i < out.captured_mask[d].size(); ++i) {
          // Never both, and nothing delivered that was not captured.
          CHECK_FALSE((out.delivered_mask[d][i] == 1 && out.gap_mask[d][i] == 1));
          if (out.delivered_mask[d][i] == 1 && out.captured_mask[d][i] == 0) FAIL("byte " << i << " invented");
        }
      }
    }
  }
}

}  // namespace tcp_test
