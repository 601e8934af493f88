// RingWriter: writes the files of a capture ring one after the other, each
// under its `.part` name until it is complete. Mechanism: the daemon asks
// rotation_policy.h when to call close_file()/open_file(), and ring_policy.h
// what to delete; the writer only writes, closes and renames.
//
// Contract:
//  - create() checks the options (the directory exists and is a directory, the
//    prefix is valid, at least one interface, exactly one for pcap formats, a
//    buffer of at least 4 KiB) and opens nothing yet.
//  - open_file(start_ns, counters_at_open) creates DIR/NAME.part (mode 0600,
//    O_EXCL) where NAME = capture_file_name(prefix, sequence, start_ns, format),
//    declares every interface (in order, so interface ids match
//    CapturedPacket::interface_id) and remembers the counters. It fails when a
//    file is open, when NAME or NAME.part exists, or when start_ns < 0. The
//    sequence starts at first_sequence and advances with each file opened.
//  - write(packet) appends one packet to the open file. It makes no allocation
//    and no system call per packet. A packet without a record is encoded into
//    CaptureWriter's buffer (buffer_size bytes). A packet whose `record` is
//    already encoded in the ring's format is not copied: the writer keeps a
//    view of it, extends that run while the records follow each other in
//    memory, and writes the run with one system call at flush_records() (or
//    when a record does not follow, or at flush() and close_file()). The
//    caller keeps those records valid until one of these returns.
//  - close_file(end_ns, counters_at_close) writes, in pcapng, one Interface
//    Statistics Block per interface i < counters_at_close.size(), stamped
//    end_ns, holding the counts since open_file(): isb_ifrecv = received,
//    isb_ifdrop = dropped + if_dropped, each minus its value at open (a counter
//    that went down was reset: its value at close is taken whole; no counters
//    at open count as zeros). Then it flushes, fsyncs, closes, renames
//    NAME.part to NAME (never over an existing file) and fsyncs the
//    directory. After it the writer has no file open, whether it succeeded or
//    not; on failure the `.part` is left for recover_part_file().
//  - discard_file() closes the open file without completing it and deletes
//    its `.part`: for a file whose headers could not be written, which holds
//    no packet. After it the writer has no file open.
//  - current_size() is the size the open file would have if closed now: every
//    byte written or buffered, plus (pcapng) one ISB per interface;
//    record_size(packet) is what write(packet) would add. Together they feed
//    rotation_due(), so that no file grows beyond max_file_size.
//  - Destroying the writer with a file open flushes and fsyncs it but leaves
//    it as `.part`, as a crash would (recover_part_file() finishes it).
//  - Not thread-safe: one writer belongs to one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/capture/capture_writer.h"
#include "core/result.h"
#include "daemon/capture/captured_packet.h"

namespace tlsring::daemon {

struct RingWriterOptions {
  std::filesystem::path directory;
  std::string prefix = "tlsring";
  capture::CaptureFormat format = capture::CaptureFormat::pcapng;
  std::vector<InterfaceInfo> interfaces;
  std::uint64_t first_sequence = 1;
  std::size_t buffer_size = std::size_t{4} << 20;
};

struct CompletedFile {
  std::filesystem::path path;       // final name, no ".part"
  std::uint64_t sequence = 0;
  std::int64_t start_ns = 0;        // as passed to open_file()
  std::int64_t end_ns = 0;          // as passed to close_file()
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;          // size of the file on disk
  std::uint64_t captured_bytes = 0; // packet bytes recorded (after snaplen)
};

class RingWriter {
 public:
  static Result<std::unique_ptr<RingWriter>> create(RingWriterOptions options);

  ~RingWriter();
  RingWriter(const RingWriter&) = delete;
  RingWriter& operator=(const RingWriter&) = delete;

  Status open_file(std::int64_t start_ns, std::span<const InterfaceCounters> counters_at_open = {});
  // `dropped_before` > 0: that many packets captured just before this one
  // were not written (pcapng records it on this packet: epb_dropcount).
  Status write(const CapturedPacket& packet, std::uint64_t dropped_before = 0);
  // Writes the run of encoded records kept by write() and lets go of it.
  Status flush_records();
  // Hands what is buffered to the operating system (one write, no fsync), so
  // that a crash of the process loses nothing written before the call.
  Status flush();
  Result<CompletedFile> close_file(std::int64_t end_ns,
                                   std::span<const InterfaceCounters> counters_at_close);
  void discard_file();

  bool is_open() const { return writer_ != nullptr; }
  std::uint64_t current_size() const;
  std::uint64_t current_file_packets() const;
  std::uint64_t record_size(const CapturedPacket& packet) const;
  // The `.part` path of the open file (empty when none is open).
  const std::filesystem::path& current_path() const { return part_path_; }
  // The sequence the next open_file() will use.
  std::uint64_t next_sequence() const { return next_sequence_; }
  const RingWriterOptions& options() const { return options_; }

 private:
  explicit RingWriter(RingWriterOptions options);
  Status write_statistics(std::int64_t end_ns, std::span<const InterfaceCounters> at_close);
  void forget_file();
  bool extends_run(const CapturedPacket& packet) const;

  // The run of encoded records not yet handed to the CaptureWriter.
  struct RecordRun {
    const std::uint8_t* begin = nullptr;
    std::size_t size = 0;
    std::uint64_t packets = 0;
    std::int64_t latest_ns = 0;
  };

  RingWriterOptions options_;
  std::uint64_t next_sequence_;
  std::unique_ptr<capture::CaptureWriter> writer_;
  std::vector<std::uint8_t> spare_buffer_;  // the last file's write buffer, for the next
  std::filesystem::path part_path_;
  std::filesystem::path final_path_;
  std::uint64_t sequence_ = 0;
  std::int64_t start_ns_ = 0;
  std::uint64_t captured_bytes_ = 0;
  std::vector<InterfaceCounters> counters_at_open_;
  RecordRun run_;
};

}  // namespace tlsring::daemon
