#include "core/tls/record.h"

#include <optional>

#include "core/bytes/byte_reader.h"

namespace tlsring::tls {

namespace {

bool known_content_type(std::uint8_t type) {
  return type >= kChangeCipherSpec && type <= kHeartbeat;
}

// SSLv2 message type of a CLIENT-HELLO (RFC 6101 appendix E.1).
constexpr std::uint8_t kSslv2ClientHello = 1;
// msg type, version, cipher_specs_length, session_id_length, challenge_length.
constexpr std::size_t kSslv2ClientHelloFixedPart = 9;

}  // namespace

RecordParse parse_record(std::span<const std::uint8_t> data) {
  RecordParse out;
  // Judge the header fields as soon as they arrive: a stream that already
  // starts wrong is `invalid` even before all five header bytes are here, so
  // a caller probing a connection does not wait for bytes that cannot help.
  if (!data.empty() && !known_content_type(data[0])) {
    out.status = ParseStatus::invalid;
    return out;
  }
  if (data.size() >= 2 && data[1] != 3) {
    out.status = ParseStatus::invalid;
    return out;
  }
  ByteReader reader(data);
  auto type = reader.u8();
  auto version = reader.u16be();
  auto length = reader.u16be();
  if (!type || !version || !length) {
    out.status = ParseStatus::need_more;
    out.needed = kRecordHeaderSize - data.size();
    return out;
  }
  if (*length > kMaxRecordFragment) {
    out.status = ParseStatus::invalid;
    return out;
  }
  out.header = RecordHeader{*type, *version, *length};
  auto fragment = reader.bytes(*length);
  if (!fragment) {
    out.status = ParseStatus::need_more;
    out.needed = kRecordHeaderSize + *length - data.size();
    return out;
  }
  out.status = ParseStatus::ok;
  out.fragment = *fragment;
  out.consumed = kRecordHeaderSize + *length;
  return out;
}

bool looks_like_sslv2_client_hello(std::span<const std::uint8_t> data) {
  ByteReader reader(data);
  auto header = reader.u16be();
  auto msg_type = reader.u8();
  auto version = reader.u16be();
  if (!header || !msg_type || !version) return false;
  if ((*header & 0x8000) == 0) return false;
  // A record too short for the fixed part of a CLIENT-HELLO is something else.
  if ((*header & 0x7fff) < kSslv2ClientHelloFixedPart) return false;
  if (*msg_type != kSslv2ClientHello) return false;
  return *version == 0x0002 || (*version >= 0x0300 && *version <= 0x0303);
}

Sslv2RecordParse parse_sslv2_record(std::span<const std::uint8_t> data) {
  Sslv2RecordParse out;
  if (data.empty()) {
    out.needed = 2;
    return out;
  }
  // RFC 6101 appendix E.1: with the high bit set the header is 2 bytes and
  // the length has 15 bits; otherwise it is 3 bytes, the length has 14 bits
  // (bit 0x40 is the "is escape" flag) and the third byte counts the padding
  // at the end of the record.
  const bool two_byte_header = (data[0] & 0x80) != 0;
  const std::size_t header_size = two_byte_header ? 2 : 3;
  ByteReader reader(data);
  auto first = reader.u16be();
  std::optional<std::uint8_t> padding = std::uint8_t{0};
  if (first && !two_byte_header) padding = reader.u8();
  if (!first || !padding) {
    out.needed = header_size - data.size();
    return out;
  }
  const std::size_t length = two_byte_header ? (*first & 0x7fff) : (*first & 0x3fff);
  if (length == 0 || *padding > length) {
    out.status = ParseStatus::invalid;
    return out;
  }
  auto record = reader.bytes(length);
  if (!record) {
    out.needed = header_size + length - data.size();
    return out;
  }
  out.status = ParseStatus::ok;
  out.consumed = header_size + length;
  out.body = record->first(length - *padding);
  return out;
}

}  // namespace tlsring::tls
