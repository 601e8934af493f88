// A fixed pool of PacketBlocks passed from one producer thread (capture) to
// one consumer thread (writer) in FIFO order, and back again once consumed.
// Every block is allocated by the constructor; nothing allocates afterwards.
// Free blocks are reused most recently used first; only `warm_count` of them
// stay resident, the others give their memory back when released, so the
// pool's resident size follows the backlog and does not stay at its peak.
// The producer never waits: when every block is queued or in use, acquire()
// returns nullptr and the producer decides what to drop. The consumer waits
// for a block with a deadline, so it can also keep time.
#pragma once

#include "daemon/capture/packet_block.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace tlsring::daemon {

class BlockExchange {
 public:
  // `block_count` blocks of `block_size` bytes each (block_count >= 1),
  // holding records of `format`; at most `warm_count` free blocks keep their
  // memory.
  BlockExchange(std::size_t block_count, std::size_t block_size, PacketBlock::Format format,
                std::size_t warm_count = SIZE_MAX);

  // Producer: an empty block, or nullptr if none is free right now.
  PacketBlock* acquire();
  // Producer: queues `block` (from acquire) for the consumer.
  void publish(PacketBlock* block);
  // Producer: no more blocks will be published. take_until then reports
  // `closed` once the queue is empty.
  void close();
  // True when no published block waits for the consumer.
  bool queue_empty() const;

  struct Taken {
    PacketBlock* block = nullptr;  // the oldest published block, or nullptr
    bool closed = false;           // nullptr because the producer closed and all was taken
  };
  // Consumer: the oldest published block, waiting at most until `deadline`.
  Taken take_until(std::chrono::steady_clock::time_point deadline);
  // Consumer: gives back a block from take_until; it is cleared for reuse.
  void release(PacketBlock* block);

  std::size_t block_count() const { return blocks_.size(); }
  std::size_t block_size() const { return block_size_; }

 private:
  std::vector<std::unique_ptr<PacketBlock>> blocks_;
  std::size_t block_size_;

  mutable std::mutex mutex_;
  std::condition_variable published_;
  std::size_t warm_count_;
  // Stack: the most recently used block is reused first. The resident blocks
  // are on top (warm_free_ of them), the released ones below.
  std::vector<PacketBlock*> free_;
  std::size_t warm_free_ = 0;
  std::vector<PacketBlock*> queue_;    // ring buffer of capacity blocks_.size()
  std::size_t queue_head_ = 0;
  std::size_t queue_size_ = 0;
  bool closed_ = false;
};

}  // namespace tlsring::daemon
