#include "daemon/capture/block_exchange.h"

#include <cassert>

namespace tlsring::daemon {

BlockExchange::BlockExchange(std::size_t block_count, std::size_t block_size, PacketBlock::Format format,
                             std::size_t warm_count)
    : block_size_(block_size), warm_count_(warm_count) {
  blocks_.reserve(block_count);
  free_.reserve(block_count);
  queue_.assign(block_count, nullptr);
  for (std::size_t i = 0; i < block_count; ++i) {
    blocks_.push_back(std::make_unique<PacketBlock>(block_size, format));
    free_.push_back(blocks_.back().get());
  }
}

PacketBlock* BlockExchange::acquire() {
  std::lock_guard lock(mutex_);
  if (free_.empty()) return nullptr;
  PacketBlock* block = free_.back();
  free_.pop_back();
  if (block->resident()) --warm_free_;
  return block;
}

void BlockExchange::publish(PacketBlock* block) {
  {
    std::lock_guard lock(mutex_);
    // Every block is either free, queued, or held by one side, so the ring
    // (sized to all blocks) never overflows.
    assert(queue_size_ < queue_.size());
    queue_[(queue_head_ + queue_size_) % queue_.size()] = block;
    ++queue_size_;
  }
  published_.notify_one();
}

void BlockExchange::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  published_.notify_one();
}

bool BlockExchange::queue_empty() const {
  std::lock_guard lock(mutex_);
  return queue_size_ == 0;
}

BlockExchange::Taken BlockExchange::take_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  published_.wait_until(lock, deadline, [this] { return queue_size_ > 0 || closed_; });
  Taken taken;
  if (queue_size_ > 0) {
    taken.block = queue_[queue_head_];
    queue_head_ = (queue_head_ + 1) % queue_.size();
    --queue_size_;
  } else {
    taken.closed = closed_;
  }
  return taken;
}

void BlockExchange::release(PacketBlock* block) {
  block->clear();
  {
    std::lock_guard lock(mutex_);
    if (!block->resident()) {
      free_.insert(free_.begin(), block);
      return;
    }
    if (warm_free_ < warm_count_) {
      free_.push_back(block);
      ++warm_free_;
      return;
    }
  }
  // Enough warm blocks are free: this one gives its memory back (outside the
  // lock, while no other thread can reach it) and goes below them.
  block->release_memory();
  std::lock_guard lock(mutex_);
  free_.insert(free_.begin(), block);
}

}  // namespace tlsring::daemon
