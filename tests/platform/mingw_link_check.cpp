// Linked for Windows by mingw_cross_compile.sh, never run: every function of
// platform.h and capture_wait.h, of the OS mechanism headers (durable_files.h,
// process.h, privileges.h, notify_socket.h, ip_address_text.h,
// file_access.h), the service verb, core's private files (private_file.h),
// config's server address check, LiveCapture and the pcap_* the capture code
// calls are referenced here, so that the link proves the
// Windows files define them all and that the Win32 libraries named in
// daemon/platform/CMakeLists.txt are the ones they need. Also ties the
// message table to kEventMessageId.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "config/server_address.h"
#include "core/output/private_file.h"
#include "daemon/capture/live_capture.h"
#include "daemon/platform/capture_wait.h"
#include "daemon/platform/file_access.h"
#include "daemon/platform/durable_files.h"
#include "daemon/platform/ip_address_text.h"
#include "daemon/platform/notify_socket.h"
#include "daemon/platform/platform.h"
#include "daemon/platform/platform_windows_event_log.h"
#include "daemon/platform/platform_windows_npcap.h"
#include "daemon/platform/privileges.h"
#include "daemon/platform/process.h"
#include "daemon/platform/service_verb.h"
#include "daemon/platform/user_setting.h"
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

  if (!tp::sync_directory("d").ok() || !tp::rename_no_replace("a", "b").ok() || !tp::remove_file("a").ok()) ++status;
  if (!tp::replace_file_contents("s", "text", 0640).ok()) ++status;
  if (auto file = tp::FileForRepair::open("p"); file.ok()) {
    if (auto kind = (*file)->kind(); kind.ok() && kind->regular) {
      if (auto view = (*file)->map(kind->size); view.ok()) std::cout << (*view)->bytes().size();
    }
    if (!(*file)->truncate(1).ok() || !(*file)->sync().ok()) ++status;
  }
  status += static_cast<int>(tp::current_process_id() + tp::process_is_running(1) + tp::running_as_root());
  tp::set_file_creation_mask(027);
  tp::name_current_thread("x");
  tp::lower_current_thread_priority();
  tp::release_pages(&status, sizeof status);
  tp::release_free_heap();
  tp::write_standard_error("x\n");
  if (auto problem = tp::probe_write("d")) std::cout << *problem;
  status += tp::reload_signal().value_or(0);
  std::cout << tp::utc_calendar_time(0).tm_year << tp::may_create_files_in("d") << tp::inspect_regular_file("k").posix_mode;
  if (auto address = tp::parse_ip_address("::1")) status += address->version;
  if (auto sid = tp::service_account_sid("tlsring")) std::cout << *sid;
  if (auto text = tp::capability_status_text()) std::cout << *text;
  if (auto warning = tp::unused_user_warning(std::string("u"), tp::kThisOperatingSystem)) std::cout << *warning;
  if (!tp::hand_directory_to("d", "u").ok() || !tp::drop_privileges_to("u").ok()) ++status;
  if (auto socket = tp::open_notify_socket("@x")) status += socket->send("READY=1");
  if (!tlsring::config::check_server_address("10.0.0.5:3000").ok()) ++status;

  namespace out = tlsring::output;
  if (!out::create_private_directory("d").ok()) ++status;
  if (auto directory = out::PrivateDirectory::open("d"); directory.ok()) {
    if (auto file = out::PrivateFile::open_in(*directory, "f", true); file.ok()) {
      const std::uint8_t byte = 0;
      const std::span<const std::uint8_t> pieces[] = {{&byte, 1}};
      if (!file->write("x").ok() || !file->write_pieces(pieces).ok() || !file->sync().ok()) ++status;
    }
  }
  if (auto file = out::PrivateFile::open("f", false); file.ok()) status += file->is_open();

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
