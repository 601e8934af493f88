#include "tests/unit/live_capture/live_test_support.h"

#include "tests/support/skip.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace tlsring::testing {
namespace {

[[noreturn]] void fail_system(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

std::uint16_t bound_port(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) fail_system("getsockname");
  return ntohs(address.sin_port);
}

int bound_socket(int type) {
  const int fd = ::socket(AF_INET, type, 0);
  if (fd < 0) fail_system("socket");
  const sockaddr_in address = loopback(0);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) fail_system("bind");
  return fd;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) << 24 | static_cast<std::uint32_t>(b[at + 1]) << 16 |
         static_cast<std::uint32_t>(b[at + 2]) << 8 | b[at + 3];
}

}  // namespace

void require_root() {
  if (::geteuid() != 0) {
    skip_test(Catch::getResultCapture().getCurrentTestName(),
              "live capture needs root (CAP_NET_RAW, CAP_NET_ADMIN); run the tests as root: this test was NOT run");
  }
}

std::int64_t wall_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string message_bytes(int i, std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t k = 0; k < size; ++k) bytes[k] = static_cast<char>('A' + (i * 7 + static_cast<int>(k)) % 26);
  return bytes;
}

LoopbackTcp::LoopbackTcp() {
  listener_ = bound_socket(SOCK_STREAM);
  if (::listen(listener_, 1) != 0) fail_system("listen");
  port_ = bound_port(listener_);
}

LoopbackTcp::~LoopbackTcp() {
  close_fd(client_);
  close_fd(server_);
  close_fd(listener_);
}

void LoopbackTcp::connect() {
  client_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (client_ < 0) fail_system("socket");
  const sockaddr_in address = loopback(port_);
  if (::connect(client_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) fail_system("connect");
  server_ = ::accept(listener_, nullptr, nullptr);
  if (server_ < 0) fail_system("accept");
}

void LoopbackTcp::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::write(client_, bytes.data() + sent, bytes.size() - sent);
    if (n <= 0) fail_system("write");
    sent += static_cast<std::size_t>(n);
  }
  std::string received(bytes.size(), '\0');
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(server_, received.data() + got, bytes.size() - got);
    if (n <= 0) fail_system("read");
    got += static_cast<std::size_t>(n);
  }
  if (received != bytes) throw std::runtime_error("loopback TCP delivered other bytes than were sent");
}

void LoopbackTcp::close_client() { close_fd(client_); }

LoopbackUdp::LoopbackUdp() {
  receiver_ = bound_socket(SOCK_DGRAM);
  port_ = bound_port(receiver_);
  sender_ = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (sender_ < 0) fail_system("socket");
}

LoopbackUdp::~LoopbackUdp() {
  close_fd(sender_);
  close_fd(receiver_);
}

void LoopbackUdp::send(std::uint32_t sequence, std::size_t extra) {
  std::string payload(4 + extra, 'u');
  payload[0] = static_cast<char>(sequence >> 24);
  payload[1] = static_cast<char>(sequence >> 16);
  payload[2] = static_cast<char>(sequence >> 8);
  payload[3] = static_cast<char>(sequence);
  const sockaddr_in address = loopback(port_);
  if (::sendto(sender_, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&address),
               sizeof address) != static_cast<ssize_t>(payload.size())) {
    fail_system("sendto");
  }
}

std::optional<DecodedPacket> decode_ethernet_ipv4(std::span<const std::uint8_t> frame) {
  constexpr std::size_t kEthernet = 14;
  if (frame.size() < kEthernet + 20 || be16(frame, 12) != 0x0800) return std::nullopt;
  const auto ip = frame.subspan(kEthernet);
  if ((ip[0] >> 4) != 4) return std::nullopt;
  const std::size_t ip_header = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
  const std::size_t ip_total = be16(ip, 2);
  if (ip_header < 20 || ip_total < ip_header || ip_total > ip.size()) return std::nullopt;
  DecodedPacket packet;
  packet.protocol = ip[9];
  const auto l4 = ip.subspan(ip_header, ip_total - ip_header);
  std::size_t l4_header = 0;
  if (packet.protocol == 6) {
    if (l4.size() < 20) return std::nullopt;
    l4_header = static_cast<std::size_t>(l4[12] >> 4) * 4;
    packet.tcp_seq = be32(l4, 4);
    packet.tcp_flags = l4[13];
  } else if (packet.protocol == 17) {
    l4_header = 8;
  } else {
    return std::nullopt;
  }
  if (l4.size() < l4_header) return std::nullopt;
  packet.src_port = be16(l4, 0);
  packet.dst_port = be16(l4, 2);
  packet.payload.assign(l4.begin() + static_cast<std::ptrdiff_t>(l4_header), l4.end());
  return packet;
}

}  // namespace tlsring::testing
