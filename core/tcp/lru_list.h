// An intrusive doubly linked list ordered by recency: the tracker moves a
// connection to the front on each of its segments, so the back is always the
// least recently active one (idle timeout and eviction look only there). No
// allocation, O(1) per operation. The list does not own its nodes.
#pragma once

namespace tlsring::tcp {

struct LruHook {
  LruHook* lru_prev = nullptr;  // towards the front (more recent)
  LruHook* lru_next = nullptr;  // towards the back (less recent)
};

class LruList {
 public:
  bool empty() const { return head_ == nullptr; }
  LruHook* back() const { return tail_; }

  // `node` must not be in any list.
  void push_front(LruHook& node) {
    node.lru_prev = nullptr;
    node.lru_next = head_;
    if (head_ != nullptr) head_->lru_prev = &node;
    head_ = &node;
    if (tail_ == nullptr) tail_ = &node;
  }

  // `node` must be in this list.
  void remove(LruHook& node) {
    if (node.lru_prev != nullptr) node.lru_prev->lru_next = node.lru_next; else head_ = node.lru_next;
    if (node.lru_next != nullptr) node.lru_next->lru_prev = node.lru_prev; else tail_ = node.lru_prev;
    node.lru_prev = nullptr;
    node.lru_next = nullptr;
  }

  void move_to_front(LruHook& node) {
    if (head_ == &node) return;
    remove(node);
    push_front(node);
  }

  // Forgets every node (their hooks are left as they are).
  void clear() { head_ = tail_ = nullptr; }

 private:
  LruHook* head_ = nullptr;
  LruHook* tail_ = nullptr;
};

}  // namespace tlsring::tcp
