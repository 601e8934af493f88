#include "daemon/capture/packet_block.h"

#include "daemon/platform/process.h"

namespace tlsring::daemon {

void PacketBlock::release_memory() {
  clear();
  platform::release_pages(storage_.get(), capacity_);
  resident_ = false;
}

}  // namespace tlsring::daemon
