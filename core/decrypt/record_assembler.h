// RecordAssembler: frames TLS records out of one direction's in-order byte
// stream. Records that lie whole inside a segment are handed on in place (no
// copy); a record split over segments is gathered in a buffer bounded by the
// largest legal record. After a gap, or when a stream was picked up in the
// middle, it searches for the next plausible record boundary (resynchronises).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/tls/record.h"

namespace tlsring::decrypt {

struct AssembledRecord {
  tls::RecordHeader header;
  std::span<const std::uint8_t> header_bytes;  // the 5 header bytes as on the wire
  std::span<const std::uint8_t> fragment;
  bool after_gap = false;                      // the first record after a gap or a resync
};

class RecordListener {
 public:
  virtual ~RecordListener() = default;
  virtual void on_record(const AssembledRecord& record) = 0;
  // The stream starts with an SSLv2-format ClientHello: `body` starts at the message type.
  virtual void on_sslv2_client_hello(std::span<const std::uint8_t> body) = 0;
  // The stream's first bytes are not TLS: nothing more is delivered for it.
  virtual void on_not_tls() = 0;
};

class RecordAssembler {
 public:
  enum class Mode {
    start,      // stream start: TLS, SSLv2 ClientHello, or not TLS
    framing,    // on a record boundary
    resync,     // looking for a record boundary
    not_tls,    // given up: bytes are dropped
  };

  // `picked_up_midstream`: the capture did not see the stream's first byte, so
  // the first bytes need not sit on a record boundary.
  explicit RecordAssembler(bool picked_up_midstream);

  void feed(std::span<const std::uint8_t> data, RecordListener& listener);
  // `length` bytes of the stream were lost: drop the partial record and resynchronise.
  void gap(std::uint64_t length);
  // Expect this record-layer version when resynchronising (0: any 3.x).
  void set_expected_version(std::uint16_t version) { expected_version_ = version; }

  Mode mode() const { return mode_; }
  std::uint64_t records() const { return records_; }
  std::uint64_t skipped_bytes() const { return skipped_bytes_; }

 private:
  void feed_start(std::span<const std::uint8_t>& data, RecordListener& listener);
  void feed_framing(std::span<const std::uint8_t>& data, RecordListener& listener);
  void feed_resync(std::span<const std::uint8_t>& data, RecordListener& listener);
  bool plausible_header(std::span<const std::uint8_t> bytes) const;
  void emit(std::span<const std::uint8_t> record, RecordListener& listener);

  Mode mode_;
  std::vector<std::uint8_t> buffer_;   // a partial record (framing) or bytes being searched (resync)
  std::uint16_t expected_version_ = 0;
  bool after_gap_ = false;
  std::uint64_t records_ = 0;
  std::uint64_t skipped_bytes_ = 0;
};

}  // namespace tlsring::decrypt
