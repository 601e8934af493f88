#include "tests/gen/capture_check.h"

#include <pcap/pcap.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/bytes/byte_reader.h"

namespace tlsring::testgen::check {
namespace {

// RFC 1071: the one's complement sum over data that includes its checksum is 0xffff.
std::uint32_t add_words(std::uint32_t sum, tlsring::Bytes data) {
  for (std::size_t i = 0; i < data.size(); i += 2) {
    const std::uint32_t hi = data[i];
    const std::uint32_t lo = i + 1 < data.size() ? data[i + 1] : 0;
    sum += (hi << 8) | lo;
  }
  return sum;
}
bool sums_to_ffff(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

// Returns the ethertype after the link header, or nullopt.
std::optional<std::uint16_t> skip_link(int datalink, tlsring::ByteReader& r, Packet& p) {
  switch (datalink) {
    case DLT_EN10MB: {
      if (!r.skip(12)) return std::nullopt;
      auto type = r.u16be();
      if (type == 0x8100) {
        auto tci = r.u16be();
        if (!tci) return std::nullopt;
        p.vlan = static_cast<std::uint16_t>(*tci & 0x0fff);
        type = r.u16be();
      }
      return type;
    }
    case DLT_LINUX_SLL: {
      if (!r.skip(14)) return std::nullopt;
      return r.u16be();
    }
    case DLT_LINUX_SLL2: {
      auto type = r.u16be();
      if (!r.skip(18)) return std::nullopt;
      return type;
    }
    case DLT_NULL: {
      auto family = r.u32le();
      if (!family) return std::nullopt;
      if (*family == 2) return 0x0800;
      if (*family == 24 || *family == 28 || *family == 30) return 0x86dd;
      return std::nullopt;
    }
    default: {  // raw IP: the version nibble decides
      auto rest = r.rest();
      if (rest.empty()) return std::nullopt;
      return (rest[0] >> 4) == 6 ? 0x86dd : 0x0800;
    }
  }
}

bool decode(int datalink, tlsring::Bytes frame, Packet& p) {
  tlsring::ByteReader r(frame);
  auto ethertype = skip_link(datalink, r, p);
  if (!ethertype) return false;
  std::size_t tcp_length = 0;
  std::uint32_t pseudo = 0;
  if (*ethertype == 0x0800) {
    auto header = r.rest();
    if (header.size() < 20 || header[0] != 0x45 || header[9] != 6) return false;
    const std::size_t total = (std::size_t{header[2]} << 8) | header[3];
    if (total > header.size() || total < 20) return false;
    p.ip_checksum_ok = sums_to_ffff(add_words(0, header.first(20)));
    p.src_ip.assign(header.begin() + 12, header.begin() + 16);
    p.dst_ip.assign(header.begin() + 16, header.begin() + 20);
    r.skip(20);
    tcp_length = total - 20;
    pseudo = add_words(0, header.subspan(12, 8)) + 6 + static_cast<std::uint32_t>(tcp_length);
  } else if (*ethertype == 0x86dd) {
    p.v6 = true;
    auto header = r.rest();
    if (header.size() < 40 || (header[0] >> 4) != 6 || header[6] != 6) return false;
    tcp_length = (std::size_t{header[4]} << 8) | header[5];
    p.src_ip.assign(header.begin() + 8, header.begin() + 24);
    p.dst_ip.assign(header.begin() + 24, header.begin() + 40);
    r.skip(40);
    pseudo = add_words(0, header.subspan(8, 32)) + 6 + static_cast<std::uint32_t>(tcp_length);
  } else {
    return false;
  }
  auto segment = r.bytes(tcp_length);
  if (!segment || segment->size() < 20) return false;
  p.tcp_checksum_ok = sums_to_ffff(add_words(pseudo, *segment));
  tlsring::ByteReader t(*segment);
  p.src_port = *t.u16be();
  p.dst_port = *t.u16be();
  p.seq = *t.u32be();
  p.ack = *t.u32be();
  const std::size_t header_length = (*t.u8() >> 4) * 4u;
  p.flags = *t.u8();
  if (header_length < 20 || header_length > segment->size()) return false;
  t.skip(6);
  tlsring::ByteReader options(*t.bytes(header_length - 20));
  while (!options.empty()) {
    const auto kind = *options.u8();
    if (kind == 0) break;
    if (kind == 1) continue;
    auto length = options.u8();
    if (!length || *length < 2) return false;
    auto value = options.bytes(*length - 2u);
    if (!value) return false;
    if (kind == 2 && value->size() == 2) p.mss = static_cast<std::uint16_t>(((*value)[0] << 8) | (*value)[1]);
  }
  auto payload = t.rest();
  p.payload.assign(payload.begin(), payload.end());
  return true;
}

}  // namespace

Capture read_capture(const std::filesystem::path& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  INFO(path << ": " << errbuf);
  REQUIRE(pcap != nullptr);
  Capture capture;
  capture.datalink = pcap_datalink(pcap);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(pcap, &header, &data)) == 1) {
    Packet p;
    p.timestamp_ns = static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000'000 + header->ts.tv_usec;
    p.caplen = header->caplen;
    p.len = header->len;
    if (decode(capture.datalink, {data, header->caplen}, p)) {
      capture.packets.push_back(std::move(p));
    } else {
      ++capture.undecodable;
    }
  }
  CHECK(rc == PCAP_ERROR_BREAK);
  pcap_close(pcap);
  return capture;
}

std::uint64_t Stream::covered_bytes() const {
  std::uint64_t n = 0;
  for (bool b : covered) n += b ? 1 : 0;
  return n;
}

Stream rebuild_stream(const std::vector<const Packet*>& packets, std::uint32_t isn) {
  Stream s;
  for (const Packet* p : packets) {
    if (p->payload.empty()) continue;
    const std::uint32_t offset = p->seq - (isn + 1);  // modulo 2^32, as TCP counts
    const std::size_t end = std::size_t{offset} + p->payload.size();
    if (end > s.bytes.size()) {
      s.bytes.resize(end);
      s.covered.resize(end);
    }
    for (std::size_t i = 0; i < p->payload.size(); ++i) {
      if (s.covered[offset + i]) {
        CHECK(s.bytes[offset + i] == p->payload[i]);  // retransmissions carry the same bytes
      }
      s.bytes[offset + i] = p->payload[i];
      s.covered[offset + i] = true;
    }
  }
  return s;
}

Connection connection_packets(const Capture& capture, std::uint16_t client_port,
                              std::uint16_t server_port) {
  Connection c;
  for (const auto& p : capture.packets) {
    if (p.src_port == client_port && p.dst_port == server_port) c.to_server.push_back(&p);
    if (p.src_port == server_port && p.dst_port == client_port) c.to_client.push_back(&p);
  }
  return c;
}

std::vector<TlsRecord> split_records(const std::vector<std::uint8_t>& stream, std::size_t* rest) {
  std::vector<TlsRecord> out;
  tlsring::ByteReader r(stream);
  for (;;) {
    const std::size_t start = r.offset();
    auto type = r.u8();
    auto version = r.u16be();
    auto fragment = r.length_prefixed(2);
    if (!type || !version || !fragment) {
      if (rest) *rest = stream.size() - start;
      return out;
    }
    out.push_back(TlsRecord{*type, *version, {fragment->begin(), fragment->end()}});
  }
}

std::vector<HandshakeMessage> clear_handshake(const std::vector<TlsRecord>& records) {
  std::vector<std::uint8_t> joined;
  for (const auto& record : records) {
    if (record.type != 22) break;
    joined.insert(joined.end(), record.fragment.begin(), record.fragment.end());
  }
  std::vector<HandshakeMessage> out;
  tlsring::ByteReader r(joined);
  for (;;) {
    auto type = r.u8();
    auto body = r.length_prefixed(3);
    if (!type || !body) return out;
    out.push_back(HandshakeMessage{*type, {body->begin(), body->end()}});
  }
}

std::vector<std::uint8_t> hello_random(const HandshakeMessage& hello) {
  if (hello.body.size() < 34) return {};
  return {hello.body.begin() + 2, hello.body.begin() + 34};
}

std::vector<std::uint8_t> hello_session_id(const HandshakeMessage& hello) {
  tlsring::ByteReader r(hello.body);
  r.skip(34);
  auto id = r.length_prefixed(1);
  if (!id) return {};
  return {id->begin(), id->end()};
}

std::vector<std::uint16_t> hello_extensions(const HandshakeMessage& hello) {
  tlsring::ByteReader r(hello.body);
  r.skip(34);
  r.length_prefixed(1);  // session id
  if (hello.type == 1) {
    r.length_prefixed(2);  // cipher suites
    r.length_prefixed(1);  // compression methods
  } else {
    r.skip(3);  // cipher suite, compression method
  }
  std::vector<std::uint16_t> out;
  auto extensions = r.length_prefixed(2);
  if (!extensions) return out;
  tlsring::ByteReader e(*extensions);
  while (!e.empty()) {
    auto type = e.u16be();
    auto body = e.length_prefixed(2);
    if (!type || !body) break;
    out.push_back(*type);
  }
  return out;
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::vector<std::uint8_t> unhex(const std::string& text) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::map<std::string, std::map<std::string, std::string>> parse_keylog(const std::string& text) {
  std::map<std::string, std::map<std::string, std::string>> out;
  std::istringstream in(text);
  std::string label, random, secret;
  while (in >> label >> random >> secret) out[label][random] = secret;
  return out;
}

std::vector<std::pair<std::uint32_t, std::vector<std::uint8_t>>> pcapng_blocks(
    const std::filesystem::path& path) {
  const auto file = read_bytes(path);
  std::vector<std::pair<std::uint32_t, std::vector<std::uint8_t>>> out;
  tlsring::ByteReader r(file);
  while (!r.empty()) {
    auto type = r.u32le();
    auto total = r.u32le();
    REQUIRE(type);
    REQUIRE(total);
    REQUIRE(*total % 4 == 0);
    auto body = r.bytes(*total - 12);
    REQUIRE(body);
    REQUIRE(r.u32le() == total);
    out.emplace_back(*type, std::vector<std::uint8_t>(body->begin(), body->end()));
  }
  return out;
}

}  // namespace tlsring::testgen::check
