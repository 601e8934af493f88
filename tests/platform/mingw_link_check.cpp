// Linked for Windows by mingw_cross_compile.sh, never run: every function of
// platform.h and capture_wait.h, the service verb, LiveCapture and the pcap_*
// the capture code calls are referenced here, so that the link proves the
// Windows files define them all and that the Win32 libraries named in
// daemon/platform/CMakeLists.txt are the ones they need. Also ties the
// message table to kEventMessageId.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "daemon/capture/live_capture.h"
#include "daemon/platform/capture_wait.h"
#include "daemon/platform/platform.h"
#include "daemon/platform/platform_windows_event_log.h"
#include "daemon/platform/platform_windows_npcap.h"
#include "daemon/platform/service_verb.h"
#include "tlsring_messages.h"  // made from tlsring_messages.mc by windmc

static_assert(TLSRING_MESSAGE == tlsring::platform::kEventMessageId,
              "tlsring_messages.mc's MessageId and kEventMessageId differ: events would show without text");

namespace tp = tlsring::platform;

int main(int argc, char** argv) {
  // argc is never this large: nothing below runs, it is there for the linker.
  if (argc < 1000) return 0;
  const std::vector<std::string> args = tp::command_line_arguments(argc, argv);
  int status = tp::run_service_verb(args, std::cout, std::cerr);
  status += tp::run_as_service("tlsring", [](tp::ServiceContext& context) {
    context.report_ready();
    return 0;
  });
  if (auto paths = tp::default_paths(); paths.ok()) std::cout << paths->config_file.string();
  if (auto log = tp::open_event_log("tlsring"); log.ok()) (*log)->report(tp::EventSeverity::warning, "x");
  if (!tp::load_capture_library().ok()) ++status;
  std::cout << tp::capture_hints("x").list_interfaces;
  if (!tp::export_certificate_store_key({}, tp::Thumbprint{}).ok()) ++status;
  if (!tp::install_service({}).ok() || !tp::uninstall_service("x").ok()) ++status;
  if (!tp::start_service("x", {}).ok() || !tp::stop_service("x", {}).ok()) ++status;

  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_if_t* devices = nullptr;
  if (pcap_findalldevs(&devices, errbuf) == 0) pcap_freealldevs(devices);
  if (pcap_t* p = pcap_create("x", errbuf)) {
    bpf_program program{};
    pcap_stat statistics{};
    pcap_set_snaplen(p, 1);
    pcap_set_promisc(p, 0);
    pcap_set_timeout(p, 1);
    pcap_set_buffer_size(p, 1);
    pcap_set_immediate_mode(p, 0);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    pcap_activate(p);
    pcap_compile(p, &program, "tcp", 1, PCAP_NETMASK_UNKNOWN);
    pcap_setfilter(p, &program);
    pcap_setnonblock(p, 1, errbuf);
    pcap_dispatch(p, 1, nullptr, nullptr);
    pcap_stats(p, &statistics);
    pcap_offline_filter(&program, nullptr, nullptr);
    pcap_freecode(&program);
    std::cout << pcap_geterr(p) << pcap_datalink(p) << pcap_snapshot(p) << pcap_get_tstamp_precision(p)
              << pcap_getevent(p) << pcap_statustostr(0) << pcap_lib_version();
    pcap_close(p);
  }
  if (pcap_t* dead = pcap_open_dead(1, 1)) pcap_close(dead);

  if (auto wake = tp::WakeEvent::create(); wake.ok()) {
    std::vector<tp::Waitable> sources;
    if (auto source = tp::capture_waitable(nullptr); source.ok()) sources.push_back(*source);
    tp::CaptureWait wait(std::move(sources), wake->waitable());
    wake->signal();
    if (wait.wait(std::chrono::milliseconds(1)).ok() && wait.woken()) wake->clear();
    tlsring::daemon::LiveCaptureOptions options;
    options.interfaces = {"\\Device\\NPF_Loopback"};
    if (auto capture = tlsring::daemon::LiveCapture::create(options); capture.ok()) {
      tp::CaptureWait capture_wait = (*capture)->wait_set(wake->waitable());
      auto count = [](const tlsring::daemon::CapturedPacket&) {};
      if (capture_wait.wait(std::chrono::milliseconds(1)).ok() && capture_wait.source_ready(0)) {
        (void)(*capture)->dispatch(0, 1, count);
      }
      status += static_cast<int>((*capture)->counters().size());
    }
  }
  return status;
}
