#include "core/tcp/tcp_tracker.h"

namespace tlsring::tcp {

const char* to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::fin: return "fin";
    case CloseReason::rst: return "rst";
    case CloseReason::idle_timeout: return "idle_timeout";
    case CloseReason::evicted: return "evicted";
    case CloseReason::end_of_capture: return "end_of_capture";
    case CloseReason::reused: return "reused";
  }
  return "unknown";
}

}  // namespace tlsring::tcp
