// Test support: a minimal reader of pcap and pcapng files (Ethernet, Linux
// cooked v1 and raw IPv4 links; IPv4; TCP) that reassembles each TCP
// connection into the chunks each side sent, in capture order. Enough for the
// Wireshark fixtures; not the product's reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tlsring::crypto::test {

struct TcpChunk {
  bool from_client = false;
  std::vector<std::uint8_t> data;
};

struct TcpConnection {
  std::vector<TcpChunk> chunks;  // in the order the bytes became contiguous
};

// Connections in the order of their first packet (tshark's tcp.stream order).
// Throws std::runtime_error on a file it cannot read.
std::vector<TcpConnection> read_tcp_connections(const std::string& pcap_path);

}  // namespace tlsring::crypto::test
