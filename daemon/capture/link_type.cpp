#include "daemon/capture/link_type.h"

#include <pcap/dlt.h>

namespace tlsring::daemon {

std::uint32_t link_type_from_dlt(int dlt) {
  // The DLT_ macros carry this platform's values, so the cases below are the
  // platform's own historical numbers; the LINKTYPE values on the right are
  // the same on every platform (they are what files carry).
  switch (dlt) {
    case DLT_ATM_RFC1483: return 100;  // LINKTYPE_ATM_RFC1483
    case DLT_RAW: return 101;          // LINKTYPE_RAW
    case DLT_SLIP_BSDOS: return 102;   // LINKTYPE_SLIP_BSDOS
    case DLT_PPP_BSDOS: return 103;    // LINKTYPE_PPP_BSDOS
    case DLT_ATM_CLIP: return 106;     // LINKTYPE_ATM_CLIP (Linux CLIP)
    default: break;
  }
  // DLT_LINUX_SLL (113), DLT_LINUX_SLL2 (276), DLT_EN10MB (1) and the other
  // values libpcap assigned after the split are identical in both spaces.
  return dlt < 0 ? 0u : static_cast<std::uint32_t>(dlt);
}

}  // namespace tlsring::daemon
