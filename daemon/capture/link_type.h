// The link-layer header type written into capture files (LINKTYPE_*) for the
// type libpcap reports for a live handle (DLT_*). The two number spaces agree
// except for a few historical DLT values that differ between platforms; the
// LINKTYPE registry (tcpdump.org/linktypes.html) fixes one value for each.
#pragma once

#include <cstdint>

namespace tlsring::daemon {

// LINKTYPE_* for `dlt`, a value pcap_datalink() returned on this platform.
// DLT_EN10MB -> 1 (also Linux loopback), DLT_RAW -> 101, DLT_LINUX_SLL -> 113,
// DLT_LINUX_SLL2 -> 276. Values without a platform difference pass unchanged.
std::uint32_t link_type_from_dlt(int dlt);

}  // namespace tlsring::daemon
