#include "core/tcp/connection_table.h"

#include <cassert>
#include <utility>

namespace tlsring::tcp {
namespace {

constexpr unsigned kInitialBits = 10;

}  // namespace

ConnectionTable::ConnectionTable() : slots_(std::size_t{1} << kInitialBits), shift_(64 - kInitialBits) {}

Connection* ConnectionTable::find(const ConnectionKey& key, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home(hash);; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (!slot.connection) return nullptr;
    if (slot.hash == hash && slot.connection->key == key) return slot.connection.get();
  }
}

Connection& ConnectionTable::insert(std::unique_ptr<Connection> connection) {
  // At most half full: probes stay short, and there is always a free slot.
  if (2 * (size_ + 1) > slots_.size()) grow();
  const std::uint64_t hash = connection->hash;
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = home(hash);
  while (slots_[i].connection) i = (i + 1) & mask;
  slots_[i].hash = hash;
  slots_[i].connection = std::move(connection);
  ++size_;
  return *slots_[i].connection;
}

void ConnectionTable::erase(const Connection& connection) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = home(connection.hash);
  while (slots_[hole].connection.get() != &connection) {
    assert(slots_[hole].connection);
    hole = (hole + 1) & mask;
  }
  slots_[hole].connection.reset();
  --size_;
  // Backward-shift deletion: move up every later entry of the probe run that
  // the hole would otherwise cut off from its home slot.
  for (std::size_t i = (hole + 1) & mask; slots_[i].connection; i = (i + 1) & mask) {
    const std::size_t distance_from_home = (i - home(slots_[i].hash)) & mask;
    const std::size_t distance_to_hole = (i - hole) & mask;
    if (distance_from_home >= distance_to_hole) {
      slots_[hole] = std::move(slots_[i]);
      hole = i;
    }
  }
}

void ConnectionTable::clear() {
  for (Slot& slot : slots_) slot.connection.reset();
  size_ = 0;
}

void ConnectionTable::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  --shift_;
  const std::size_t mask = slots_.size() - 1;
  for (Slot& slot : old) {
    if (!slot.connection) continue;
    std::size_t i = home(slot.hash);
    while (slots_[i].connection) i = (i + 1) & mask;
    slots_[i] = std::move(slot);
  }
}

}  // namespace tlsring::tcp
