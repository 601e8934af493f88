#include "tests/service/frame_sender.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/unique_fd.h"

namespace tlsring::testsvc {
namespace {

std::uint16_t checksum(const std::uint8_t* data, std::size_t size, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < size; i += 2) sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  if (size % 2 != 0) sum += static_cast<std::uint32_t>(data[size - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

void put16(std::uint8_t* at, std::uint32_t value) {
  at[0] = static_cast<std::uint8_t>(value >> 8);
  at[1] = static_cast<std::uint8_t>(value);
}

void put32(std::uint8_t* at, std::uint32_t value) {
  put16(at, value >> 16);
  put16(at + 2, value & 0xffff);
}

}  // namespace

int send_tcp_frames(const std::string& interface, int count, std::size_t payload_size) {
  payload_size = std::min<std::size_t>(payload_size, 1400);
  const UniqueFd socket_fd(::socket(AF_PACKET, SOCK_RAW, 0));
  if (!socket_fd) return 0;
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = static_cast<int>(::if_nametoindex(interface.c_str()));
  address.sll_halen = 6;
  const std::size_t tcp_length = 20 + payload_size;
  std::vector<std::uint8_t> frame(14 + 20 + tcp_length, 0);
  const std::uint8_t ethernet[14] = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00};
  std::memcpy(frame.data(), ethernet, sizeof ethernet);
  std::uint8_t* ip = frame.data() + 14;
  std::uint8_t* tcp = ip + 20;
  for (std::size_t i = 0; i < payload_size; ++i) tcp[20 + i] = static_cast<std::uint8_t>("message!"[i % 8]);
  int sent = 0;
  for (int i = 0; i < count; ++i) {
    const std::uint8_t ip_header[20] = {0x45, 0, 0, 0, 0, 0, 0, 0, 64, 6, 0, 0, 10, 9, 0, 2, 10, 9, 0, 1};
    std::memcpy(ip, ip_header, sizeof ip_header);
    put16(ip + 2, static_cast<std::uint32_t>(20 + tcp_length));
    put16(ip + 4, static_cast<std::uint32_t>(i));
    put16(ip + 10, checksum(ip, 20));
    const std::uint8_t tcp_header[20] = {0x9c, 0x40, 0x0b, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff};
    std::memcpy(tcp, tcp_header, sizeof tcp_header);
    put32(tcp + 4, static_cast<std::uint32_t>(static_cast<std::size_t>(i) * payload_size));
    // The pseudo-header: source and destination address, protocol, TCP length.
    const std::uint32_t pseudo_header_sum = 0x0a09 + 0x0002 + 0x0a09 + 0x0001 + 6 + static_cast<std::uint32_t>(tcp_length);
    put16(tcp + 16, checksum(tcp, tcp_length, pseudo_header_sum));
    if (::sendto(socket_fd.get(), frame.data(), frame.size(), 0, reinterpret_cast<const sockaddr*>(&address),
                 sizeof address) == static_cast<ssize_t>(frame.size())) {
      ++sent;
    }
  }
  return sent;
}

}  // namespace tlsring::testsvc
