// Test-side reading of generated captures, independent of the generator's code:
// libpcap opens the file; a small decoder written here from the RFCs parses the
// link, IP and TCP headers and checks both checksums; streams are rebuilt from
// sequence numbers; TLS records and handshake messages are split per RFC 5246.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tlsring::testgen::check {

struct Packet {
  std::int64_t timestamp_ns = 0;
  std::uint32_t caplen = 0;
  std::uint32_t len = 0;
  std::optional<std::uint16_t> vlan;
  bool v6 = false;
  std::vector<std::uint8_t> src_ip;
  std::vector<std::uint8_t> dst_ip;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::optional<std::uint16_t> mss;
  bool ip_checksum_ok = true;  // IPv6 has no header checksum
  bool tcp_checksum_ok = false;
  std::vector<std::uint8_t> payload;
};

struct Capture {
  int datalink = -1;
  std::vector<Packet> packets;
  std::size_t undecodable = 0;  // frames the decoder could not parse
};

// Reads every frame of `path` with libpcap (nanosecond precision) and decodes it.
Capture read_capture(const std::filesystem::path& path);

// One direction of one connection, rebuilt by sequence number relative to the
// SYN (isn + 1 is offset 0). Bytes never captured stay absent from `covered`.
struct Stream {
  std::vector<std::uint8_t> bytes;
  std::vector<bool> covered;
  std::uint64_t covered_bytes() const;
  bool complete() const { return covered_bytes() == bytes.size(); }
};
Stream rebuild_stream(const std::vector<const Packet*>& packets, std::uint32_t isn);

// Packets of the connection whose client port is `client_port`, split by direction.
struct Connection {
  std::vector<const Packet*> to_server;
  std::vector<const Packet*> to_client;
};
Connection connection_packets(const Capture& capture, std::uint16_t client_port,
                              std::uint16_t server_port);

struct TlsRecord {
  std::uint8_t type = 0;
  std::uint16_t version = 0;
  std::vector<std::uint8_t> fragment;
};
// Whole records at the start of `stream`; `rest` gets how many bytes follow them.
std::vector<TlsRecord> split_records(const std::vector<std::uint8_t>& stream, std::size_t* rest = nullptr);

struct HandshakeMessage {
  std::uint8_t type = 0;
  std::vector<std::uint8_t> body;
};
// The plaintext handshake messages of the records before the first
// ChangeCipherSpec (TLS <= 1.2) or, for TLS 1.3, before the first non-handshake record.
std::vector<HandshakeMessage> clear_handshake(const std::vector<TlsRecord>& records);

// Extension types in a ClientHello or ServerHello body.
std::vector<std::uint16_t> hello_extensions(const HandshakeMessage& hello);
// The 32-byte random of a ClientHello or ServerHello body.
std::vector<std::uint8_t> hello_random(const HandshakeMessage& hello);
// The session_id of a ClientHello or ServerHello body.
std::vector<std::uint8_t> hello_session_id(const HandshakeMessage& hello);

std::string hex(const std::vector<std::uint8_t>& bytes);
std::vector<std::uint8_t> unhex(const std::string& text);
std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path);
std::string read_text(const std::filesystem::path& path);

// NSS key-log lines as label -> (client random hex -> secret hex).
std::map<std::string, std::map<std::string, std::string>> parse_keylog(const std::string& text);

// pcapng blocks: (type, body between the two length fields), framing checked.
std::vector<std::pair<std::uint32_t, std::vector<std::uint8_t>>> pcapng_blocks(
    const std::filesystem::path& path);

}  // namespace tlsring::testgen::check
