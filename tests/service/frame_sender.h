// Frames sent straight out of an interface with a packet socket, so that a
// capture on it (or on its veth peer) sees TCP traffic to port 3000 without
// any socket at either end. Needs root (CAP_NET_RAW).
#pragma once

#include <cstddef>
#include <string>

namespace tlsring::testsvc {

// Sends `count` Ethernet frames, IPv4 10.9.0.2:40000 -> 10.9.0.1:3000 TCP
// (PSH/ACK, one stream) with `payload_size` bytes of payload each (at most
// 1400), out of `interface`. Returns how many went out.
int send_tcp_frames(const std::string& interface, int count, std::size_t payload_size = 8);

}  // namespace tlsring::testsvc
