#include "daemon/capture/packet_block.h"

#include <sys/mman.h>
#include <unistd.h>

namespace tlsring::daemon {

void PacketBlock::release_memory() {
  clear();
  // Only whole pages inside the allocation: the allocator's own bytes around
  // it stay untouched.
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(storage_.get());
  const std::uintptr_t first = (begin + page - 1) & ~(page - 1);
  const std::uintptr_t last = (begin + capacity_) & ~(page - 1);
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
  resident_ = false;
}

}  // namespace tlsring::daemon
