// LiveCapture on the loopback interface with traffic the test makes itself.
// Tests that open an interface need root and are skipped (exit 4) without it.
#include "daemon/capture/live_capture.h"
#include "tests/support/as_nobody.h"
#include "tests/unit/live_capture/live_test_support.h"

#include <catch2/catch.hpp>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

using namespace tlsring::daemon;
using namespace tlsring::testing;
using namespace std::chrono_literals;

namespace {

LiveCaptureOptions loopback_options(const std::string& filter) {
  LiveCaptureOptions options;
  options.interfaces = {"lo"};
  options.filter = filter;
  options.buffer_size = 8u << 20;
  return options;
}

struct Seen {
  std::int64_t timestamp_ns;
  std::uint32_t interface_id;
  std::uint32_t original_length;
  std::vector<std::uint8_t> bytes;
};

struct Collector {
  std::vector<Seen> packets;
  void operator()(const CapturedPacket& p) {
    packets.push_back({p.timestamp_ns, p.interface_id, p.original_length, {p.data.begin(), p.data.end()}});
  }
};

// Polls and dispatches until `done()` or the deadline.
template <class Done>
void capture_until(LiveCapture& capture, Collector& collector, Done done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  pollfd fd{capture.selectable_fd(0), POLLIN, 0};
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    ::poll(&fd, 1, 20);
    auto read = capture.dispatch(0, 0, collector);
    REQUIRE(read.ok());
  }
}

// The independent reference for a filter error: libpcap compiling the same
// expression for Ethernet on a handle that captures nothing.
std::string libpcap_filter_message(const std::string& filter) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
  bpf_program program{};
  REQUIRE(pcap_compile(dead, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0);
  const std::string message = pcap_geterr(dead);
  pcap_close(dead);
  return message;
}

}  // namespace

TEST_CASE("live capture: lo is one Ethernet interface with the snaplen asked for") {
  require_root();
  LiveCaptureOptions options = loopback_options("tcp port 9");
  options.snaplen = 2000;
  auto capture = LiveCapture::create(options);
  REQUIRE(capture.ok());
  REQUIRE((*capture)->size() == 1);
  const InterfaceInfo& info = (*capture)->interfaces().at(0);
  CHECK(info.name == "lo");
  CHECK(info.link_type == 1u);  // LINKTYPE_ETHERNET: Linux gives loopback a zeroed Ethernet header
  CHECK(info.snaplen == 2000u);
  CHECK((*capture)->selectable_fd(0) >= 0);
  CHECK((*capture)->delivery_delay() == 100ms);
}

TEST_CASE("live capture: \"any\" captures in Linux cooked format (LINKTYPE 113)") {
  require_root();
  LiveCaptureOptions options = loopback_options("tcp port 9");
  options.interfaces = {"any"};
  auto capture = LiveCapture::create(options);
  REQUIRE(capture.ok());
  CHECK((*capture)->interfaces().at(0).link_type == 113u);
}

TEST_CASE("live capture: a TCP conversation on lo arrives whole and in order, SYN first") {
  require_root();
  LoopbackTcp tcp;
  auto created = LiveCapture::create(loopback_options("tcp port " + std::to_string(tcp.port())));
  REQUIRE(created.ok());
  LiveCapture& capture = **created;

  const std::int64_t before_ns = wall_now_ns();
  tcp.connect();
  std::string sent;
  for (int i = 0; i < 40; ++i) {
    const std::string message = message_bytes(i, 1 + static_cast<std::size_t>(i) * 97);
    tcp.send(message);
    sent += message;
  }
  tcp.close_client();

  Collector collector;
  std::string received;
  std::size_t client_fin = 0;
  const auto all_seen = [&] {
    received.clear();
    client_fin = 0;
    for (const Seen& s : collector.packets) {
      auto decoded = decode_ethernet_ipv4(s.bytes);
      if (decoded && decoded->dst_port == tcp.port()) {
        received += decoded->payload;
        if (decoded->tcp_flags & kTcpFin) ++client_fin;
      }
    }
    return client_fin > 0 && received.size() >= sent.size();
  };
  capture_until(capture, collector, all_seen, 3s);
  const std::int64_t after_ns = wall_now_ns();  // late ACKs of the server count too
  REQUIRE(!collector.packets.empty());

  // The first packet is the client's SYN to the listener.
  const auto first = decode_ethernet_ipv4(collector.packets.front().bytes);
  REQUIRE(first);
  CHECK(first->protocol == 6);
  CHECK(first->dst_port == tcp.port());
  CHECK(first->tcp_flags == kTcpSyn);

  // Payload towards the server, in capture order, is exactly what was sent.
  CHECK(received.size() == sent.size());
  CHECK(received == sent);
  CHECK(client_fin == 1);

  // Every packet is from this conversation, whole, and stamped while the
  // test ran (nanoseconds since the epoch: microseconds would be 1000 times
  // too small), non-decreasing.
  std::int64_t previous = 0;
  for (const Seen& s : collector.packets) {
    auto decoded = decode_ethernet_ipv4(s.bytes);
    REQUIRE(decoded);
    CHECK((decoded->src_port == tcp.port() || decoded->dst_port == tcp.port()));
    CHECK(s.interface_id == 0);
    CHECK(s.original_length == s.bytes.size());
    CHECK(s.timestamp_ns >= before_ns - 1'000'000);
    CHECK(s.timestamp_ns <= after_ns + 1'000'000);
    CHECK(s.timestamp_ns >= previous);
    previous = s.timestamp_ns;
  }

  const std::vector<InterfaceCounters> counters = capture.counters();
  REQUIRE(counters.size() == 1);
  CHECK(counters[0].received >= collector.packets.size());
  CHECK(counters[0].dropped == 0);
}

TEST_CASE("live capture: packets longer than snaplen are cut, keeping their original length") {
  require_root();
  LoopbackTcp tcp;
  LiveCaptureOptions options = loopback_options("tcp dst port " + std::to_string(tcp.port()));
  options.snaplen = 100;
  auto created = LiveCapture::create(options);
  REQUIRE(created.ok());
  tcp.connect();
  tcp.send(std::string(1000, 'q'));
  Collector collector;
  const auto has_data = [&] {
    for (const Seen& s : collector.packets) {
      if (s.original_length > 1000) return true;
    }
    return false;
  };
  capture_until(**created, collector, has_data, 3s);
  bool found = false;
  for (const Seen& s : collector.packets) {
    if (s.original_length > 1000) {
      found = true;
      REQUIRE(s.bytes.size() == 100);
      // The IPv4 total length (bytes 16-17 behind the Ethernet header) says
      // how long the frame really was.
      const std::uint32_t ip_total = static_cast<std::uint32_t>(s.bytes[16] << 8 | s.bytes[17]);
      CHECK(s.original_length == 14 + ip_total);
      CHECK(ip_total >= 20 + 20 + 1000);
    }
  }
  CHECK(found);
}

TEST_CASE("live capture: a bad filter is an error quoting the filter and libpcap's message") {
  require_root();
  const std::string filter = "tcp prot 3000";
  auto capture = LiveCapture::create(loopback_options(filter));
  REQUIRE_FALSE(capture.ok());
  const std::string& message = capture.error().message;
  INFO(message);
  CHECK(message.rfind("capture.filter \"tcp prot 3000\": ", 0) == 0);
  CHECK(message.find(libpcap_filter_message(filter)) != std::string::npos);
  CHECK(message.find("\"lo\"") != std::string::npos);
}

TEST_CASE("live capture: an unknown interface is an error that names it and suggests `ip link`") {
  require_root();
  LiveCaptureOptions options = loopback_options("");
  options.interfaces = {"lo", "tlsring-nope0"};
  auto capture = LiveCapture::create(options);
  REQUIRE_FALSE(capture.ok());
  const std::string& message = capture.error().message;
  INFO(message);
  CHECK(message.find("\"tlsring-nope0\"") != std::string::npos);
  CHECK(message.find("ip link") != std::string::npos);
  CHECK(message.find("no interface") != std::string::npos);
}

TEST_CASE("live capture: without privileges the error says to run as root or with CAP_NET_RAW,CAP_NET_ADMIN") {
  require_root();
  // A child drops to `nobody` (losing every capability) and reports the
  // message; the test process keeps its privileges.
  const std::string report = tlsring::testing::run_as_nobody([] {
    auto capture = LiveCapture::create(loopback_options(""));
    return capture.ok() ? std::string("OPENED") : capture.error().message;
  });
  INFO(report);
  REQUIRE(report.rfind("SETUP", 0) != 0);
  CHECK(report.find("not permitted to capture on \"lo\"") != std::string::npos);
  CHECK(report.find("CAP_NET_RAW,CAP_NET_ADMIN") != std::string::npos);
  CHECK(report.find("root") != std::string::npos);
}

TEST_CASE("live capture: options rejected before any interface is opened") {
  LiveCaptureOptions options;
  auto none = LiveCapture::create(options);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find("no interface given") != std::string::npos);

  options.interfaces = {"lo", "eth0", "lo"};
  auto twice = LiveCapture::create(options);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message.find("\"lo\" is listed twice") != std::string::npos);

  options.interfaces = {"lo"};
  options.timeout_ms = 0;
  auto zero = LiveCapture::create(options);
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error().message.find("timeout_ms must be positive") != std::string::npos);
}
