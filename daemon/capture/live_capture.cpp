#include "daemon/capture/live_capture.h"

#include "daemon/capture/link_type.h"
#include "daemon/platform/platform.h"

#include <algorithm>
#include <climits>
#include <utility>

namespace tlsring::daemon {
namespace {

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// libpcap's own explanation, if it left one, as " (libpcap: ...)".
std::string libpcap_says(pcap_t* handle) {
  const std::string text = pcap_geterr(handle);
  return text.empty() ? std::string() : " (libpcap: " + text + ")";
}

Error activation_error(const std::string& name, int status, pcap_t* handle) {
  const platform::CaptureHints hints = platform::capture_hints(name);
  switch (status) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return make_error("capture.interfaces: there is no interface named " + quoted(name) +
                        libpcap_says(handle) + "; " + hints.list_interfaces);
    case PCAP_ERROR_PERM_DENIED:
      return make_error("capture.interfaces: not permitted to capture on " + quoted(name) +
                        libpcap_says(handle) + "; " + hints.permission);
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return make_error("capture.promiscuous: not permitted to put " + quoted(name) + " in promiscuous mode" +
                        libpcap_says(handle) + "; " + hints.permission + ", or turn promiscuous mode off");
    case PCAP_ERROR_IFACE_NOT_UP:
      return make_error("capture.interfaces: interface " + quoted(name) + " is down; " + hints.bring_up +
                        " or capture elsewhere");
    default:
      return make_error("capture.interfaces: cannot capture on " + quoted(name) + ": " +
                        pcap_statustostr(status) + libpcap_says(handle));
  }
}

std::string activation_warning(const std::string& name, int status, pcap_t* handle) {
  std::string text = "capture.interfaces: " + quoted(name) + ": " + pcap_statustostr(status);
  // For the generic PCAP_WARNING the explanation is only in the error buffer.
  return text + libpcap_says(handle);
}

int clamp_to_int(std::uint64_t value) {
  return static_cast<int>(std::min<std::uint64_t>(value, static_cast<std::uint64_t>(INT_MAX)));
}

// Applies options before activation. The setters fail only on an activated
// handle, which this one is not, so their results carry no information.
void configure(pcap_t* handle, const LiveCaptureOptions& options) {
  pcap_set_snaplen(handle, clamp_to_int(options.snaplen));
  pcap_set_promisc(handle, options.promiscuous ? 1 : 0);
  pcap_set_timeout(handle, options.timeout_ms);
  pcap_set_immediate_mode(handle, options.immediate ? 1 : 0);
  if (options.buffer_size > 0) pcap_set_buffer_size(handle, clamp_to_int(options.buffer_size));
  // Files keep nanoseconds; where the platform cannot give them libpcap
  // refuses here and microseconds remain, which create() detects after.
  pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO);
}

Status install_filter(pcap_t* handle, const std::string& name, const std::string& filter) {
  if (filter.empty()) return {};
  BpfProgram program;
  // The netmask matters only to "ip broadcast", which tlsring does not need;
  // PCAP_NETMASK_UNKNOWN makes such a filter fail loudly instead of guessing.
  if (pcap_compile(handle, program.get(), filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return make_error("capture.filter " + quoted(filter) + ": " + pcap_geterr(handle) + " (compiled for interface " +
                      quoted(name) + "); correct the expression, see `man 7 pcap-filter`");
  }
  if (pcap_setfilter(handle, program.get()) != 0) {
    return make_error("capture.filter " + quoted(filter) + ": cannot install it on " + quoted(name) + ": " +
                      pcap_geterr(handle));
  }
  return {};
}

Status check_names(const std::vector<std::string>& names) {
  if (names.empty()) {
    return make_error("capture.interfaces: no interface given; name at least one: " +
                      platform::capture_hints("").list_interfaces);
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) return make_error("capture.interfaces: entry " + std::to_string(i + 1) + " is empty");
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) !=
        names.begin() + static_cast<std::ptrdiff_t>(i)) {
      return make_error("capture.interfaces: " + quoted(names[i]) +
                        " is listed twice; every packet on it would be captured twice");
    }
  }
  return {};
}

}  // namespace

LiveCapture::~LiveCapture() = default;

Result<std::unique_ptr<LiveCapture>> LiveCapture::create(const LiveCaptureOptions& options) {
  if (Status names = check_names(options.interfaces); !names) return names.error();
  if (options.interfaces.size() > platform::kMaxCaptureSources) {
    return make_error("capture.interfaces: " + std::to_string(options.interfaces.size()) +
                      " interfaces are more than tlsring captures on at once (" +
                      std::to_string(platform::kMaxCaptureSources) + "); use \"any\" or fewer interfaces");
  }
  // Windows loads Npcap here; before this no pcap_* call may run.
  if (Status library = platform::load_capture_library(); !library) return library.error();
  std::unique_ptr<LiveCapture> capture(new LiveCapture());
  const bool has_any = std::find(options.interfaces.begin(), options.interfaces.end(), "any") != options.interfaces.end();
  if (has_any && options.interfaces.size() > 1) {
    capture->warnings_.push_back("capture.interfaces: \"any\" already includes the other interfaces listed; "
                                 "their packets are captured twice");
  }
  if (options.buffer_size > static_cast<std::uint64_t>(INT_MAX)) {
    capture->warnings_.push_back("capture.buffer_size: " + std::to_string(options.buffer_size) +
                                 " bytes exceeds libpcap's limit; using " + std::to_string(INT_MAX));
  }

  if (!options.immediate && options.timeout_ms <= 0) {
    // libpcap reads 0 as "wait for a full ring block", which can hold packets back indefinitely.
    return make_error("capture timeout_ms must be positive (it is " + std::to_string(options.timeout_ms) +
                      "); use immediate mode for per-packet delivery");
  }
  capture->delivery_delay_ = std::chrono::milliseconds(options.immediate ? 0 : options.timeout_ms);
  // libpcap's default ring is 2 MiB on Linux, Npcap's kernel buffer 1 MB.
  constexpr std::uint64_t kSmallestDefaultRing = 1'000'000;
  capture->ring_bytes_ = options.buffer_size > 0 ? static_cast<std::uint64_t>(clamp_to_int(options.buffer_size))
                                                 : kSmallestDefaultRing;

  for (const std::string& name : options.interfaces) {
    Result<Opened> opened = open_source(name, options);
    if (!opened) return opened.error();
    if (!opened->warning.empty()) capture->warnings_.push_back(std::move(opened->warning));
    capture->sources_.push_back(std::move(opened->source));
    capture->interfaces_.push_back(std::move(opened->info));
  }
  capture->options_ = options;
  return capture;
}

Result<LiveCapture::Opened> LiveCapture::open_source(const std::string& name, const LiveCaptureOptions& options) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  PcapHandle handle(pcap_create(name.c_str(), errbuf));
  if (!handle) return make_error("capture.interfaces: cannot open " + quoted(name) + ": " + errbuf);
  configure(handle.get(), options);

  Opened opened;
  const int status = pcap_activate(handle.get());
  if (status < 0) return activation_error(name, status, handle.get());
  if (status > 0) opened.warning = activation_warning(name, status, handle.get());

  if (Status filtered = install_filter(handle.get(), name, options.filter); !filtered) return filtered.error();
  if (pcap_setnonblock(handle.get(), 1, errbuf) != 0) {
    return make_error("capture.interfaces: cannot make capture on " + quoted(name) + " non-blocking: " + errbuf);
  }
  auto waitable = platform::capture_waitable(handle.get());
  if (!waitable.ok()) {
    return make_error("capture.interfaces: cannot wait for packets on " + quoted(name) + ": " +
                      waitable.error().message);
  }
  opened.source.waitable = *waitable;
  opened.source.ns_per_fraction = pcap_get_tstamp_precision(handle.get()) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
  opened.info.name = name;
  opened.info.link_type = link_type_from_dlt(pcap_datalink(handle.get()));
  opened.info.snaplen = static_cast<std::uint32_t>(pcap_snapshot(handle.get()));
  opened.source.handle = std::move(handle);
  return opened;
}

void LiveCapture::close_interface(std::size_t index) {
  Source& source = sources_[index];
  counters_of(source);  // what the kernel counted before it goes
  source.handle.reset();
  source.waitable = platform::kNoWaitable;
}

Status LiveCapture::reopen_interface(std::size_t index) {
  const InterfaceInfo& info = interfaces_[index];
  Result<Opened> opened = open_source(info.name, options_);
  if (!opened) return opened.error();
  // Its packets go on into files whose interface description says these.
  if (opened->info.link_type != info.link_type || opened->info.snaplen != info.snaplen) {
    return make_error("capture on " + quoted(info.name) + " cannot go on: the interface came back with link type " +
                      std::to_string(opened->info.link_type) + " and snap length " +
                      std::to_string(opened->info.snaplen) + ", its capture files say " +
                      std::to_string(info.link_type) + " and " + std::to_string(info.snaplen) +
                      "; restart the service");
  }
  Source& source = sources_[index];
  opened->source.total = source.total;  // the new handle counts from 0 (last{} is zero)
  source = std::move(opened->source);
  return {};
}

platform::CaptureWait LiveCapture::wait_set(platform::Waitable wake) const {
  std::vector<platform::Waitable> waitables;
  waitables.reserve(sources_.size());
  for (const Source& source : sources_) waitables.push_back(source.waitable);
  return platform::CaptureWait(std::move(waitables), wake);
}

Result<std::size_t> LiveCapture::dispatch_failed(std::size_t index, int status) const {
  // Only pcap_breakloop produces this, and nothing here calls it; treat it
  // as an empty read rather than a failure.
  if (status == PCAP_ERROR_BREAK) return std::size_t{0};
  pcap_t* handle = sources_[index].handle.get();
  const std::string& name = interfaces_[index].name;
  std::string text = pcap_geterr(handle);
  if (text.empty()) text = pcap_statustostr(status);
  return make_error("capture on " + quoted(name) + " failed: " + text +
                    (status == PCAP_ERROR_IFACE_NOT_UP ? "; the interface went down" : ""));
}

void LiveCapture::counters_of(Source& source) {
  pcap_stat now{};
  if (!source.handle || pcap_stats(source.handle.get(), &now) != 0) return;
  // Unsigned 32-bit differences survive one wrap of libpcap's counters.
  source.total.received += static_cast<std::uint32_t>(now.ps_recv - source.last.ps_recv);
  source.total.dropped += static_cast<std::uint32_t>(now.ps_drop - source.last.ps_drop);
  source.total.if_dropped += static_cast<std::uint32_t>(now.ps_ifdrop - source.last.ps_ifdrop);
  source.last = now;
}

std::vector<InterfaceCounters> LiveCapture::counters() {
  std::vector<InterfaceCounters> result;
  result.reserve(sources_.size());
  for (Source& source : sources_) {
    counters_of(source);
    result.push_back(source.total);
  }
  return result;
}

}  // namespace tlsring::daemon
