// How long the capture thread naps after a busy round, before it waits for
// packets again. Pure policy, no clock: the capture loop gives what it read
// and how large the kernel rings are.
//
// Why: the kernel wakes a waiting reader each time it hands over a ring block
// (libpcap's TPACKET_V3 blocks are a few hundred KiB), so under steady load the
// capture thread slept and woke about a thousand times a second at 120 MB/s,
// and each wake-up cost more than reading the packets it brought. After a
// round that read a good share of a block, more packets are on their way: a
// short nap lets several blocks fill, and one wake-up reads them all.
//
// Safe: the nap is bounded so that even traffic at 10 Gbit/s line rate
// arriving during it fills at most half of the smallest ring, so the nap
// itself can never make the kernel drop a packet that polling would have
// saved. A quiet link (small rounds) never naps: it is woken by the ring's
// block timeout as before.
#pragma once

#include <chrono>
#include <cstdint>

namespace tlsring::daemon {

// A round that read at least this many bytes is busy.
inline constexpr std::uint64_t kBusyRoundBytes = 64u << 10;
// The longest nap: it delays noticing stop() by at most this much.
inline constexpr std::chrono::microseconds kLongestNap{5000};
// The fastest traffic the nap allows for: 10 Gbit/s, in bytes per second.
inline constexpr std::uint64_t kFastestTrafficBytesPerSecond = 1'250'000'000;

// The nap after a round that read `round_bytes`, when the smallest kernel
// ring of the capture holds `smallest_ring_bytes`. Zero: wait for packets at
// once.
std::chrono::microseconds nap_after_round(std::uint64_t round_bytes, std::uint64_t smallest_ring_bytes);

}  // namespace tlsring::daemon
