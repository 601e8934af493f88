// Windows only: Npcap's wpcap.dll, loaded at run time (as Wireshark does)
// rather than linked, so that tlsring.exe starts without Npcap and says what
// to install. The pcap_* functions the daemon calls are resolved into this
// table; platform_windows_pcap_shim.cpp defines pcap_* forwarding through it,
// so the capture code calls libpcap's API unchanged.
#pragma once

#include <pcap/pcap.h>

namespace tlsring::platform {

// Every libpcap function tlsring uses on Windows. pcap_getevent stands in for
// pcap_get_selectable_fd (Windows waits on an event handle, not a descriptor).
#define TLSRING_NPCAP_FUNCTIONS(X)                                                                       \
  X(pcap_activate) X(pcap_close) X(pcap_compile) X(pcap_create) X(pcap_datalink) X(pcap_dispatch)      \
  X(pcap_findalldevs) X(pcap_freealldevs) X(pcap_freecode) X(pcap_get_tstamp_precision) X(pcap_getevent) \
  X(pcap_geterr) X(pcap_lib_version) X(pcap_offline_filter) X(pcap_open_dead) X(pcap_set_buffer_size)   \
  X(pcap_set_immediate_mode) X(pcap_set_promisc) X(pcap_set_snaplen) X(pcap_set_timeout)                \
  X(pcap_set_tstamp_precision) X(pcap_setfilter) X(pcap_setnonblock) X(pcap_snapshot) X(pcap_stats)     \
  X(pcap_statustostr)

// The pointer types come from libpcap's own declarations, so they cannot
// drift from the header the capture code was compiled against.
struct NpcapFunctions {
#define TLSRING_NPCAP_MEMBER(name) decltype(&::name) name = nullptr;
  TLSRING_NPCAP_FUNCTIONS(TLSRING_NPCAP_MEMBER)
#undef TLSRING_NPCAP_MEMBER
};

// The table, loading Npcap on the first call (thread safe); nullptr when it
// could not be loaded: load_capture_library() (platform.h) says why.
const NpcapFunctions* npcap_functions();

// The reason npcap_functions() is nullptr, for errbuf-style messages.
const char* npcap_load_error();

}  // namespace tlsring::platform
