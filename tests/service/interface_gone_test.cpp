// `tlsring run` when its capture interface disappears (a NIC hot-unplugged, a
// VLAN, team or bond interface rebuilt): a veth interface made for the test,
// deleted under the running service and, in the first test, made again. The
// frames are sent into the veth's peer with a packet socket, so that they
// arrive on the captured side as received traffic to port 3000. Needs root;
// skipped by name otherwise, or when this kernel cannot make a veth pair.
#include <catch2/catch.hpp>
#include <arpa/inet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <thread>

#include "core/unique_fd.h"
#include "tests/service/service_harness.h"
#include "tests/support/skip.h"

using namespace tlsring::testsvc;
using namespace std::chrono_literals;

namespace {

bool run_command(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

// A veth pair named NAME and NAMEp, both up, deleted (if still there) with the object.
class VethPair {
 public:
  explicit VethPair(std::string name) : name_(std::move(name)) { make(); }
  ~VethPair() { remove(); }
  bool made() const { return made_; }
  void make() {
    made_ = run_command("ip link add " + name_ + " type veth peer name " + name_ + "p") &&
            run_command("ip link set " + name_ + " up") && run_command("ip link set " + name_ + "p up");
  }
  void remove() {
    if (made_) run_command("ip link del " + name_);
    made_ = false;
  }

 private:
  std::string name_;
  bool made_ = false;
};

std::uint16_t checksum(const std::uint8_t* data, std::size_t size, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < size; i += 2) sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  if (size % 2 != 0) sum += static_cast<std::uint32_t>(data[size - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// Sends `count` Ethernet frames, IPv4 10.9.0.2:40000 -> 10.9.0.1:3000 TCP with
// 8 bytes of payload, out of `interface`. Returns how many went out.
int send_frames(const std::string& interface, int count) {
  const tlsring::UniqueFd socket_fd(::socket(AF_PACKET, SOCK_RAW, 0));
  if (!socket_fd) return 0;
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = static_cast<int>(::if_nametoindex(interface.c_str()));
  address.sll_halen = 6;
  int sent = 0;
  for (int i = 0; i < count; ++i) {
    std::uint8_t frame[14 + 20 + 20 + 8] = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00};
    std::uint8_t* ip = frame + 14;
    std::uint8_t* tcp = ip + 20;
    const std::uint8_t ip_header[20] = {0x45, 0, 0, 48, 0, static_cast<std::uint8_t>(i), 0, 0, 64, 6, 0, 0,
                                        10, 9, 0, 2, 10, 9, 0, 1};
    std::memcpy(ip, ip_header, sizeof ip_header);
    const std::uint16_t ip_sum = htons(checksum(ip, 20));
    std::memcpy(ip + 10, &ip_sum, 2);
    const std::uint8_t tcp_header[20] = {0x9c, 0x40, 0x0b, 0xb8, 0, 0, 0, static_cast<std::uint8_t>(i * 8),
                                         0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0};
    std::memcpy(tcp, tcp_header, sizeof tcp_header);
    std::memcpy(tcp + 20, "message!", 8);
    // The pseudo-header: source and destination address, protocol, TCP length.
    constexpr std::uint32_t kPseudoHeaderSum = 0x0a09 + 0x0002 + 0x0a09 + 0x0001 + 6 + 28;
    const std::uint16_t tcp_sum = htons(checksum(tcp, 28, kPseudoHeaderSum));
    std::memcpy(tcp + 16, &tcp_sum, 2);
    if (::sendto(socket_fd.get(), frame, sizeof frame, 0, reinterpret_cast<const sockaddr*>(&address),
                 sizeof address) == static_cast<ssize_t>(sizeof frame)) {
      ++sent;
    }
  }
  return sent;
}

// The service capturing on a veth interface made for the test, rotating every second.
class VethRun {
 public:
  VethRun(const std::string& tag, const std::string& stop_after) {
    require_root_or_skip();
    if (!veth.made()) {
      tlsring::testing::skip_test(Catch::getResultCapture().getCurrentTestName(),
                                  "`ip link add ... type veth` failed on this machine; not run");
    }
    ServiceConfigText text;
    text.interface = name;
    text.rotation_every = "1s";
    text.stop_after = stop_after;
    dir.emplace(tag, text);
    service.emplace(dir->config(), dir->path() / "service.log");
    REQUIRE(wait_until_capturing(dir->out(), 5s));
  }

  // Waits for the service's exit at stop_after, which must be 0; its log.
  std::string exit_and_log() {
    const auto exit_status = service->wait(30s);
    std::string log = read_text(dir->path() / "service.log");
    INFO(log);
    REQUIRE(exit_status.has_value());
    CHECK(*exit_status == 0);  // stop_after came: the run did its job
    CHECK(list_ring(dir->out()).parts.empty());
    return log;
  }
  std::string summary() const {
    const auto run = only_run_directory(dir->out());
    REQUIRE(!run.empty());
    return read_text(run / "summary.txt");
  }

  const std::string name = "tlsgone" + std::to_string(::getpid() % 100000);  // under IFNAMSIZ
  VethPair veth{name};
  std::optional<ServiceTestDir> dir;
  std::optional<ServiceProcess> service;
};

}  // namespace

TEST_CASE("the capture interface disappears and comes back: capture goes on and the summary says for how long") {
  VethRun run("gone", "12s");
  const std::string& name = run.name;
  const int before = send_frames(name + "p", 5);
  std::this_thread::sleep_for(1500ms);
  run.veth.remove();
  std::this_thread::sleep_for(3s);
  const std::string status_while_gone = read_text(run.dir->out() / "status.json");
  run.veth.make();
  REQUIRE(run.veth.made());
  std::this_thread::sleep_for(3500ms);  // the service tries every 2 s
  const int after = send_frames(name + "p", 7);

  const std::string log = run.exit_and_log();
  INFO(log);
  CHECK(before == 5);
  CHECK(after == 7);
  // Every frame, from before the interface went and after it came back.
  CHECK(count_packets_in_files(list_ring(run.dir->out()).completed) == before + after);
  CHECK(status_while_gone.find("capture on \\\"" + name + "\\\" stopped at ") != std::string::npos);
  CHECK(log.find("capture on \"" + name + "\" failed: ") != std::string::npos);
  CHECK(log.find("capture on \"" + name + "\" goes on, after ") != std::string::npos);
  const std::string summary = run.summary();
  INFO(summary);
  CHECK(summary.find("interface \"" + name + "\" delivered no packets (capture on \"" + name + "\" failed") !=
        std::string::npos);
  CHECK(summary.find("(the stop)") == std::string::npos);
  CHECK(summary.find("capture on \"any\", which follows interfaces that come and go") != std::string::npos);
}

TEST_CASE("the capture interface disappears for good: the run ends at stop_after and the summary says so") {
  VethRun run("gone-for-good", "6s");
  std::this_thread::sleep_for(1500ms);
  run.veth.remove();

  const std::string log = run.exit_and_log();
  INFO(log);
  CHECK(log.find("capture on \"" + run.name + "\" cannot start again yet: ") != std::string::npos);
  const std::string summary = run.summary();
  INFO(summary);
  CHECK(summary.find("(the stop)") != std::string::npos);
  CHECK(summary.find("interface \"" + run.name + "\" delivered no packets") != std::string::npos);
  CHECK(read_text(run.dir->out() / "status.json").find("\"state\": \"stopped\"") != std::string::npos);
}

TEST_CASE("the capture interface is taken down and up again: capture goes on without an outage") {
  VethRun run("down-up", "5s");
  const int before = send_frames(run.name + "p", 3);
  REQUIRE(run_command("ip link set " + run.name + " down"));
  std::this_thread::sleep_for(1s);
  REQUIRE(run_command("ip link set " + run.name + " up"));
  std::this_thread::sleep_for(500ms);
  const int after = send_frames(run.name + "p", 4);

  const std::string log = run.exit_and_log();
  INFO(log);
  CHECK(before + after == 7);
  CHECK(count_packets_in_files(list_ring(run.dir->out()).completed) == 7);
  CHECK(log.find("failed") == std::string::npos);
  CHECK(run.summary().find("delivered no packets") == std::string::npos);
}
