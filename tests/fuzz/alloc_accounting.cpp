#include "tests/fuzz/alloc_accounting.h"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace tlsring::fuzz::alloc {
namespace {

// Atomics: with --workers 2 the engine allocates from several threads.
std::atomic<std::size_t> live_bytes{0};
std::atomic<std::size_t> run_start{0};
std::atomic<std::size_t> run_peak{0};
std::atomic<std::size_t> run_limit{0};
std::atomic<ExceededHandler> exceeded_handler{nullptr};

void* allocate(std::size_t size, std::size_t alignment, bool nothrow) {
  // Counted before the allocation, so that a huge request is caught before it happens.
  const std::size_t limit = run_limit.load(std::memory_order_relaxed);
  if (limit != 0) {
    const std::size_t live = live_bytes.load(std::memory_order_relaxed);
    const std::size_t start = run_start.load(std::memory_order_relaxed);
    const std::size_t held = live > start ? live - start : 0;
    if (size > limit || held > limit - size) {
      if (ExceededHandler handler = exceeded_handler.exchange(nullptr)) handler(held, size);
    }
  }
  void* p = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    p = std::malloc(size == 0 ? 1 : size);
  } else {
    const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
    p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
  }
  if (p == nullptr) {
    if (nothrow) return nullptr;
    throw std::bad_alloc();
  }
  const std::size_t now = live_bytes.fetch_add(malloc_usable_size(p), std::memory_order_relaxed) +
                          malloc_usable_size(p);
  std::size_t peak = run_peak.load(std::memory_order_relaxed);
  while (now > peak && !run_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  return p;
}

void release(void* p) {
  if (p == nullptr) return;
  live_bytes.fetch_sub(malloc_usable_size(p), std::memory_order_relaxed);
  std::free(p);
}

}  // namespace

void begin_run(std::size_t limit_bytes, ExceededHandler on_exceeded) {
  const std::size_t live = live_bytes.load();
  run_start = live;
  run_peak = live;
  exceeded_handler = on_exceeded;
  run_limit = limit_bytes;
}

std::size_t end_run() {
  run_limit = 0;
  exceeded_handler = nullptr;
  const std::size_t peak = run_peak.load();
  const std::size_t start = run_start.load();
  return peak > start ? peak - start : 0;
}

}  // namespace tlsring::fuzz::alloc

// The replaceable global allocation functions ([new.delete]).
using tlsring::fuzz::alloc::allocate;
using tlsring::fuzz::alloc::release;

void* operator new(std::size_t n) { return allocate(n, 0, false); }
void* operator new[](std::size_t n) { return allocate(n, 0, false); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n, 0, true); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n, 0, true); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate(n, static_cast<std::size_t>(a), false); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate(n, static_cast<std::size_t>(a), false); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(n, static_cast<std::size_t>(a), true);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(n, static_cast<std::size_t>(a), true);
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
