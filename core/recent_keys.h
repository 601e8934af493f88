// RecentKeys: the set of the last `capacity` distinct keys seen, for telling
// "seen before" where remembering every key ever seen would grow without
// bound in a service that runs for days. The oldest key is forgotten first; a
// key forgotten and seen again counts as new.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_set>

namespace tlsring {

class RecentKeys {
 public:
  explicit RecentKeys(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // True when `key` is not among the recent keys; it is then one of them.
  bool insert(std::string key) {
    const auto [at, inserted] = keys_.insert(std::move(key));
    if (!inserted) return false;
    order_.push_back(&*at);  // elements stay put in an unordered_set, whatever it rehashes
    if (order_.size() > capacity_) {
      keys_.erase(keys_.find(*order_.front()));  // by iterator: the key is the element itself
      order_.pop_front();
    }
    return true;
  }
  std::size_t size() const { return keys_.size(); }

 private:
  std::size_t capacity_;
  std::unordered_set<std::string> keys_;
  std::deque<const std::string*> order_;  // keys_'s elements, oldest first
};

}  // namespace tlsring
