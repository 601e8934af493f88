// libpcap's API on Windows, defined here and forwarded to Npcap's wpcap.dll
// through the table of platform_windows_npcap.h (loaded on first use), so that
// daemon/capture calls pcap_* exactly as on Linux and tlsring.exe does not
// link wpcap.lib. Each definition must match libpcap's declaration in
// <pcap/pcap.h>: the compiler checks that (same extern "C" name).
//
// Without Npcap every call fails the way libpcap fails: NULL or PCAP_ERROR,
// with npcap_load_error() in the errbuf where the function has one. Calls
// that take a pcap_t cannot happen then (no pcap_t exists), but still fail
// cleanly.
#include "daemon/platform/platform_windows_npcap.h"

#include <cstdio>

namespace {

using tlsring::platform::npcap_functions;

void not_loaded(char* errbuf) {
  if (errbuf != nullptr) std::snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", tlsring::platform::npcap_load_error());
}

char kNotLoaded[] = "Npcap is not loaded";

}  // namespace

extern "C" {

pcap_t* pcap_create(const char* source, char* errbuf) {
  const auto* npcap = npcap_functions();
  if (npcap == nullptr) {
    not_loaded(errbuf);
    return nullptr;
  }
  return npcap->pcap_create(source, errbuf);
}

int pcap_findalldevs(pcap_if_t** devices, char* errbuf) {
  const auto* npcap = npcap_functions();
  if (npcap == nullptr) {
    not_loaded(errbuf);
    return PCAP_ERROR;
  }
  return npcap->pcap_findalldevs(devices, errbuf);
}

int pcap_setnonblock(pcap_t* p, int nonblock, char* errbuf) {
  const auto* npcap = npcap_functions();
  if (npcap == nullptr) {
    not_loaded(errbuf);
    return PCAP_ERROR;
  }
  return npcap->pcap_setnonblock(p, nonblock, errbuf);
}

pcap_t* pcap_open_dead(int linktype, int snaplen) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? nullptr : npcap->pcap_open_dead(linktype, snaplen);
}

void pcap_close(pcap_t* p) {
  if (const auto* npcap = npcap_functions()) npcap->pcap_close(p);
}

void pcap_freealldevs(pcap_if_t* devices) {
  if (const auto* npcap = npcap_functions()) npcap->pcap_freealldevs(devices);
}

void pcap_freecode(bpf_program* program) {
  if (const auto* npcap = npcap_functions()) npcap->pcap_freecode(program);
}

int pcap_activate(pcap_t* p) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_activate(p);
}

int pcap_compile(pcap_t* p, bpf_program* program, const char* text, int optimize, bpf_u_int32 netmask) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_compile(p, program, text, optimize, netmask);
}

int pcap_datalink(pcap_t* p) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_datalink(p);
}

int pcap_dispatch(pcap_t* p, int count, pcap_handler callback, u_char* user) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_dispatch(p, count, callback, user);
}

int pcap_get_tstamp_precision(pcap_t* p) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_get_tstamp_precision(p);
}

HANDLE pcap_getevent(pcap_t* p) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? nullptr : npcap->pcap_getevent(p);
}

char* pcap_geterr(pcap_t* p) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? kNotLoaded : npcap->pcap_geterr(p);
}

const char* pcap_lib_version(void) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? kNotLoaded : npcap->pcap_lib_version();
}

int pcap_offline_filter(const bpf_program* program, const pcap_pkthdr* header, const u_char* data) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? 0 : npcap->pcap_offline_filter(program, header, data);
}

int pcap_set_buffer_size(pcap_t* p, int size) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_set_buffer_size(p, size);
}

int pcap_set_immediate_mode(pcap_t* p, int immediate) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_set_immediate_mode(p, immediate);
}

int pcap_set_promisc(pcap_t* p, int promiscuous) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_set_promisc(p, promiscuous);
}

int pcap_set_snaplen(pcap_t* p, int snaplen) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_set_snaplen(p, snaplen);
}

int pcap_set_timeout(pcap_t* p, int timeout_ms) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_set_timeout(p, timeout_ms);
}

int pcap_set_tstamp_precision(pcap_t* p, int precision) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_set_tstamp_precision(p, precision);
}

int pcap_setfilter(pcap_t* p, bpf_program* program) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_setfilter(p, program);
}

int pcap_snapshot(pcap_t* p) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_snapshot(p);
}

int pcap_stats(pcap_t* p, pcap_stat* statistics) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? PCAP_ERROR : npcap->pcap_stats(p, statistics);
}

const char* pcap_statustostr(int status) {
  const auto* npcap = npcap_functions();
  return npcap == nullptr ? kNotLoaded : npcap->pcap_statustostr(status);
}

}  // extern "C"
