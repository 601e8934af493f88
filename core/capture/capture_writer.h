// CaptureWriter: writes one capture file, pcap (micro- or nanosecond
// timestamps) or pcapng (one section, any number of interfaces, Decryption
// Secrets Blocks, Interface Statistics Blocks). The mirror of CaptureReader.
//
// Contract:
//  - create() makes (or truncates) the file with mode 0600 and writes the file
//    header (pcap) or the Section Header Block (pcapng). It fails with a message
//    naming the file.
//  - Everything is written little-endian. pcapng Interface Description Blocks
//    carry if_tsresol = 9 (nanoseconds); every block is padded to 4 bytes and
//    carries its total length at both ends.
//  - pcap holds exactly one interface: its file header is written by the first
//    add_interface(); a second call fails. pcapng takes any number; an
//    interface may be added after packets of other interfaces were written.
//  - write_packet() and write_secrets() copy into a buffer of
//    Options::buffer_size bytes and reach the file only when it is full (a
//    record larger than the buffer is written straight through), so the
//    steady-state write path makes no allocation and no system call per packet.
//    Captured bytes beyond the interface's snaplen are cut off; the recorded
//    original length is never smaller than the bytes recorded.
//  - Timestamps are nanoseconds since the Unix epoch (UTC); a negative one is
//    refused (neither format can hold it). pcap_micro rounds down to microseconds.
//  - write_secrets() is pcapng only (a Decryption Secrets Block; use
//    kSecretsTypeTlsKeyLog with NSS key-log lines). Readers apply secrets only
//    to packets after them, so write them before the packets they decrypt.
//  - set_interface_statistics() (pcapng) records counters that close() writes as
//    one Interface Statistics Block per interface; pcap has no place for them
//    and ignores them.
//  - close() writes pending statistics, flushes the buffer and fsyncs; it is
//    idempotent and returns the first error the writer met. After any error the
//    writer refuses further writes with that error. The destructor closes (and
//    drops the error: call close() to see it).
//  - Not thread-safe: one writer belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/capture/capture_reader.h"
#include "core/result.h"

namespace tlsring::capture {

enum class CaptureFormat {
  pcap_micro,  // classic pcap, magic a1b2c3d4, microsecond timestamps
  pcap_nano,   // classic pcap, magic a1b23c4d, nanosecond timestamps
  pcapng,      // pcapng, if_tsresol 9
};

// "pcap", "pcap-nano", "pcapng"; the file extension of a format ("pcap" or "pcapng").
std::string_view format_name(CaptureFormat format);
std::string_view format_extension(CaptureFormat format);
// Parses a name of format_name() (also "pcap-micro", "pcap-us", "pcap-ns").
std::optional<CaptureFormat> parse_format(std::string_view name);

class CaptureWriter {
 public:
  struct Options {
    std::size_t buffer_size = std::size_t{1} << 20;  // bytes kept in memory between write(2)s
    // The buffer, if the caller has one from an earlier file (take_buffer()):
    // a new one costs a page fault per 4 KiB the first time it fills.
    std::vector<std::uint8_t> reuse_buffer;
    bool replace_existing = true;  // false: fail when the file exists (O_EXCL)
    bool fsync_on_close = true;
    std::string application = "tlsring";  // pcapng shb_userappl; empty: none
  };

  static constexpr std::uint32_t kDefaultSnaplen = 262144;

  static Result<std::unique_ptr<CaptureWriter>> create(const std::filesystem::path& path,
                                                       CaptureFormat format);
  static Result<std::unique_ptr<CaptureWriter>> create(const std::filesystem::path& path,
                                                       CaptureFormat format, Options options);

  ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  // Declares the next interface (ids count from 0) and returns its id.
  // `name` becomes pcapng if_name (omitted when empty; ignored by pcap).
  Result<std::uint32_t> add_interface(std::uint32_t link_type,
                                      std::uint32_t snaplen = kDefaultSnaplen,
                                      std::string_view name = {});

  // One packet on interface `interface_id`. `original_length` 0 means data.size().
  // `dropped_before` > 0: that many packets were lost just before this one
  // (pcapng: epb_dropcount; pcap has no place for it).
  Status write_packet(std::int64_t timestamp_ns, std::uint32_t interface_id,
                      std::span<const std::uint8_t> data, std::uint32_t original_length = 0,
                      std::uint64_t dropped_before = 0);

  // `packets` records already encoded for this file's format by the
  // capture_writer_blocks.h encoders (pcapng: EPBs on interfaces declared
  // here; pcap: record headers and bytes), the latest stamped
  // `latest_timestamp_ns`. A large run is written straight from `records`
  // (after what is buffered), a small one copied into the buffer. The caller
  // vouches for the encoding: nothing in the records is checked.
  Status write_encoded(std::span<const std::uint8_t> records, std::uint64_t packets,
                       std::int64_t latest_timestamp_ns);

  // The buffer, for the next file's Options::reuse_buffer; once closed.
  std::vector<std::uint8_t> take_buffer() { return fd_ < 0 ? std::move(buffer_) : std::vector<std::uint8_t>{}; }

  // One pcapng Decryption Secrets Block of `secrets_type` (e.g. kSecretsTypeTlsKeyLog).
  Status write_secrets(std::uint32_t secrets_type, std::span<const std::uint8_t> secrets);

  // Counters for `interface_id`, written at close() as an Interface Statistics
  // Block stamped `timestamp_ns` (default: the latest packet timestamp written),
  // with isb_starttime `since_ns` when the counters count from that time.
  // A later call replaces the earlier values.
  Status set_interface_statistics(std::uint32_t interface_id, std::uint64_t received,
                                  std::uint64_t dropped,
                                  std::optional<std::int64_t> timestamp_ns = std::nullopt,
                                  std::optional<std::int64_t> since_ns = std::nullopt);

  // Hands the buffered bytes to the operating system (no fsync), so that a
  // reader of the file sees every record written so far.
  Status flush();
  Status close();

  CaptureFormat format() const { return format_; }
  const std::filesystem::path& path() const { return path_; }
  std::size_t interface_count() const { return interfaces_.size(); }
  std::uint64_t packets_written() const { return packets_written_; }
  // File size once flushed: every byte written or buffered so far.
  std::uint64_t bytes_written() const { return bytes_written_; }
  bool is_open() const { return fd_ >= 0; }

 private:
  struct Interface {
    std::uint32_t link_type = 0;
    std::uint32_t snaplen = 0;
    bool has_statistics = false;
    std::uint64_t received = 0;
    std::uint64_t dropped = 0;
    std::optional<std::int64_t> statistics_timestamp_ns;  // nullopt: latest packet's
    std::optional<std::int64_t> statistics_since_ns;
  };

  CaptureWriter(std::filesystem::path path, CaptureFormat format, int fd, Options options);

  // Room for `size` more bytes in the buffer, flushing first when needed;
  // nullptr when the record does not fit in an empty buffer either.
  std::uint8_t* reserve(std::size_t size);
  Status append(std::span<const std::uint8_t> bytes);
  Status write_through(std::span<const std::uint8_t> bytes);
  Status write_all(std::span<const std::uint8_t> bytes);
  Status fail(Error error);
  Status write_statistics_blocks();

  std::filesystem::path path_;
  CaptureFormat format_;
  int fd_ = -1;
  Options options_;
  std::vector<std::uint8_t> buffer_;
  std::size_t buffered_ = 0;
  std::vector<Interface> interfaces_;
  std::uint64_t packets_written_ = 0;
  std::uint64_t bytes_written_ = 0;
  std::int64_t last_timestamp_ns_ = 0;
  std::optional<Error> error_;
};

}  // namespace tlsring::capture
