// ConnectionTable: the tracker's connections by 4-tuple. Open addressing
// (linear probing) over a power-of-two array of {hash, owner} slots, so that a
// lookup reads one slot and then the connection itself, instead of walking a
// chain of scattered nodes: this runs for every packet. A Connection never
// moves (the recency lists link them). Internal to core/tcp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/tcp/connection.h"

namespace tlsring::tcp {

class ConnectionTable {
 public:
  ConnectionTable();

  // The connection with this key (`hash` = ConnectionKeyHash of it), or nullptr.
  Connection* find(const ConnectionKey& key, std::uint64_t hash) const;
  // Adds a connection whose key is not in the table; connection->hash must be set.
  Connection& insert(std::unique_ptr<Connection> connection);
  // Removes and destroys the connection.
  void erase(const Connection& connection);
  void clear();
  std::size_t size() const { return size_; }

  template <class Fn>
  void for_each(Fn&& fn) {
    for (Slot& slot : slots_) {
      if (slot.connection) fn(*slot.connection);
    }
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::unique_ptr<Connection> connection;  // null: free
  };
  std::size_t home(std::uint64_t hash) const { return static_cast<std::size_t>(hash >> shift_); }
  void grow();

  std::vector<Slot> slots_;
  unsigned shift_;   // 64 - log2(slots_.size()): the home slot is the hash's top bits
  std::size_t size_ = 0;
};

}  // namespace tlsring::tcp
