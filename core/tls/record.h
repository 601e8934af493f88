// TLS record framing (RFC 5246 §6.2, RFC 8446 §5.1) and the SSLv2-compatible
// ClientHello record (RFC 5246 appendix E.2). Pure functions over spans.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tlsring::tls {

enum ContentType : std::uint8_t {
  kChangeCipherSpec = 20,
  kAlert = 21,
  kHandshake = 22,
  kApplicationData = 23,
  kHeartbeat = 24,
};

constexpr std::size_t kRecordHeaderSize = 5;
// Largest record fragment any version allows: 2^14 plaintext + 2048 expansion.
constexpr std::size_t kMaxRecordFragment = (1u << 14) + 2048;

struct RecordHeader {
  std::uint8_t content_type = 0;
  std::uint16_t version = 0;   // the record-layer version field
  std::uint16_t length = 0;    // fragment length
};

enum class ParseStatus {
  ok,          // parsed: `consumed` bytes
  need_more,   // not enough bytes yet: `needed` more at least
  invalid,     // these bytes are not a TLS record
};

struct RecordParse {
  ParseStatus status = ParseStatus::need_more;
  RecordHeader header;
  std::size_t consumed = 0;   // header + fragment when ok
  std::size_t needed = 0;     // when need_more
  std::span<const std::uint8_t> fragment;  // when ok
};

// Parses one record at the start of `data`. `invalid` when the content type is
// not 20..24, the major version is not 3, or the length exceeds kMaxRecordFragment.
// A short prefix whose bytes already break one of these rules is `invalid` at once.
RecordParse parse_record(std::span<const std::uint8_t> data);

// True when `data` starts like an SSLv2-format ClientHello (2-byte header with
// the high bit set, message type 1, version 0x0002 or 0x0300..0x0303).
bool looks_like_sslv2_client_hello(std::span<const std::uint8_t> data);

struct Sslv2RecordParse {
  ParseStatus status = ParseStatus::need_more;
  std::size_t consumed = 0;
  std::size_t needed = 0;
  std::span<const std::uint8_t> body;   // the SSLv2 message (starts with msg type 1)
};
// Frames one SSLv2 record (2- or 3-byte header) at the start of `data`.
Sslv2RecordParse parse_sslv2_record(std::span<const std::uint8_t> data);

}  // namespace tlsring::tls
