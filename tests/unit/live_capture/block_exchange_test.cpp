// BlockExchange: FIFO hand-over, a producer that never waits (nullptr when
// the pool is exhausted), and close() ending the consumer's wait.
#include "daemon/capture/block_exchange.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

using tlsring::daemon::BlockExchange;
using tlsring::daemon::CapturedPacket;
using tlsring::daemon::PacketBlock;
using namespace std::chrono_literals;

namespace {

void put_marker(PacketBlock& block, std::int64_t marker) {
  CapturedPacket p;
  p.timestamp_ns = marker;
  REQUIRE(block.append(p));
}

std::int64_t marker_of(const PacketBlock& block) {
  std::int64_t marker = -1;
  block.for_each([&](const CapturedPacket& p) {
    marker = p.timestamp_ns;
    return false;
  });
  return marker;
}

auto soon() { return std::chrono::steady_clock::now() + 10ms; }

}  // namespace

TEST_CASE("block exchange: blocks reach the consumer in publish order") {
  BlockExchange exchange(3, 256, PacketBlock::Format::pcapng);
  for (int i = 0; i < 3; ++i) {
    PacketBlock* block = exchange.acquire();
    REQUIRE(block != nullptr);
    put_marker(*block, i);
    exchange.publish(block);
  }
  CHECK_FALSE(exchange.queue_empty());
  for (int i = 0; i < 3; ++i) {
    const auto taken = exchange.take_until(soon());
    REQUIRE(taken.block != nullptr);
    CHECK(marker_of(*taken.block) == i);
    exchange.release(taken.block);
  }
  CHECK(exchange.queue_empty());
}

TEST_CASE("block exchange: an exhausted pool gives nullptr at once, a released block comes back empty") {
  BlockExchange exchange(2, 256, PacketBlock::Format::pcapng);
  PacketBlock* a = exchange.acquire();
  PacketBlock* b = exchange.acquire();
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  CHECK(a != b);
  const auto before = std::chrono::steady_clock::now();
  CHECK(exchange.acquire() == nullptr);
  CHECK(std::chrono::steady_clock::now() - before < 50ms);

  put_marker(*a, 9);
  exchange.publish(a);
  const auto taken = exchange.take_until(soon());
  REQUIRE(taken.block == a);
  exchange.release(taken.block);
  PacketBlock* again = exchange.acquire();
  CHECK(again == a);
  CHECK(again->empty());
}

TEST_CASE("block exchange: take_until times out when nothing is published, reports closed after close()") {
  BlockExchange exchange(2, 256, PacketBlock::Format::pcapng);
  const auto start = std::chrono::steady_clock::now();
  auto taken = exchange.take_until(start + 30ms);
  CHECK(taken.block == nullptr);
  CHECK_FALSE(taken.closed);
  CHECK(std::chrono::steady_clock::now() - start >= 30ms);

  PacketBlock* block = exchange.acquire();
  put_marker(*block, 1);
  exchange.publish(block);
  exchange.close();
  taken = exchange.take_until(soon());
  REQUIRE(taken.block == block);  // queued blocks still come before `closed`
  exchange.release(taken.block);
  taken = exchange.take_until(std::chrono::steady_clock::now() + 10s);
  CHECK(taken.block == nullptr);
  CHECK(taken.closed);
}

TEST_CASE("block exchange: a producer and a consumer thread pass 20000 blocks in order through 4") {
  constexpr int kBlocks = 20000;
  BlockExchange exchange(4, 256, PacketBlock::Format::pcapng);
  std::vector<std::int64_t> received;
  received.reserve(kBlocks);
  std::thread consumer([&] {
    for (;;) {
      const auto taken = exchange.take_until(std::chrono::steady_clock::now() + 1s);
      if (taken.block != nullptr) {
        received.push_back(marker_of(*taken.block));
        exchange.release(taken.block);
      } else if (taken.closed) {
        return;
      }
    }
  });
  for (int i = 0; i < kBlocks;) {
    PacketBlock* block = exchange.acquire();
    if (block == nullptr) {
      std::this_thread::yield();
      continue;
    }
    put_marker(*block, i++);
    exchange.publish(block);
  }
  exchange.close();
  consumer.join();
  REQUIRE(received.size() == kBlocks);
  bool in_order = true;
  for (int i = 0; i < kBlocks; ++i) in_order = in_order && received[static_cast<std::size_t>(i)] == i;
  CHECK(in_order);
}

namespace {

// Pages of `block`'s storage the kernel holds in memory (mincore(2)).
std::size_t resident_pages(const PacketBlock& block) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(block.storage());
  const std::uintptr_t first = (begin + page - 1) & ~(page - 1);
  const std::uintptr_t last = (begin + block.capacity()) & ~(page - 1);
  std::vector<unsigned char> in_core((last - first) / page);
  REQUIRE(mincore(reinterpret_cast<void*>(first), last - first, in_core.data()) == 0);
  std::size_t resident = 0;
  for (unsigned char c : in_core) resident += c & 1;
  return resident;
}

void fill(PacketBlock& block) {
  const std::vector<std::uint8_t> bytes(1500, 0xab);
  while (block.append(CapturedPacket{1, 0, 1500, bytes})) {
  }
}

}  // namespace

TEST_CASE("block exchange: after a burst only the warm blocks stay resident, and they are reused first") {
  constexpr std::size_t kBlockSize = 256 * 1024;
  constexpr std::size_t kPages = kBlockSize / 4096;
  BlockExchange exchange(6, kBlockSize, PacketBlock::Format::pcapng, 2);
  // A burst: every block filled and queued at once.
  std::vector<PacketBlock*> burst;
  for (int i = 0; i < 6; ++i) {
    PacketBlock* block = exchange.acquire();
    REQUIRE(block != nullptr);
    fill(*block);
    CHECK(resident_pages(*block) >= kPages - 1);
    exchange.publish(block);
    burst.push_back(block);
  }
  CHECK(exchange.acquire() == nullptr);
  for (int i = 0; i < 6; ++i) {
    const auto taken = exchange.take_until(soon());
    REQUIRE(taken.block == burst[static_cast<std::size_t>(i)]);
    exchange.release(taken.block);
  }
  // The first two released stayed warm; the other four gave their pages back.
  for (std::size_t i = 0; i < 6; ++i) {
    INFO("block " << i);
    CHECK(burst[i]->resident() == (i < 2));
    if (i < 2) CHECK(resident_pages(*burst[i]) >= kPages - 1);
    else CHECK(resident_pages(*burst[i]) <= 1);
  }
  // Steady traffic afterwards cycles through the warm blocks only.
  for (int round = 0; round < 10; ++round) {
    PacketBlock* block = exchange.acquire();
    REQUIRE(block != nullptr);
    CHECK((block == burst[0] || block == burst[1]));
    put_marker(*block, round);
    exchange.publish(block);
    exchange.release(exchange.take_until(soon()).block);
  }
  for (std::size_t i = 2; i < 6; ++i) CHECK(resident_pages(*burst[i]) <= 1);
}
