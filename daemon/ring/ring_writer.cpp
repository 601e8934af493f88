#include "daemon/ring/ring_writer.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "core/capture/capture_writer_blocks.h"
#include "daemon/ring/capture_file_name.h"
#include "daemon/ring/durable_file.h"

namespace tlsring::daemon {
namespace {

constexpr std::size_t kMinBufferSize = 4096;

bool is_pcapng(capture::CaptureFormat format) { return format == capture::CaptureFormat::pcapng; }

std::uint32_t effective_snaplen(const InterfaceInfo& info) {
  return info.snaplen == 0 ? capture::CaptureWriter::kDefaultSnaplen : info.snaplen;
}

// A counter that went down between open and close was reset (the capture
// handle was reopened): what it counts now all happened since.
std::uint64_t since(std::uint64_t at_open, std::uint64_t at_close) {
  return at_close >= at_open ? at_close - at_open : at_close;
}

bool path_exists(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found;
}

}  // namespace

Result<std::unique_ptr<RingWriter>> RingWriter::create(RingWriterOptions options) {
  const std::string where = "capture ring " + options.directory.string();
  std::error_code ec;
  if (!std::filesystem::is_directory(options.directory, ec)) {
    return make_error(where + ": not a directory" + (ec ? " (" + ec.message() + ")" : std::string()) +
                      "; create it or set the capture directory to an existing one");
  }
  if (!is_valid_capture_prefix(options.prefix)) {
    return make_error(where + ": invalid file name prefix \"" + options.prefix +
                      "\"; use 1 to 64 characters of A-Z a-z 0-9 . _ - not starting with . or -");
  }
  if (options.interfaces.empty()) return make_error(where + ": no interface to declare in the capture files");
  if (!is_pcapng(options.format) && options.interfaces.size() != 1) {
    return make_error(where + ": " + std::to_string(options.interfaces.size()) +
                      " interfaces, but a pcap file holds one; use the pcapng format");
  }
  if (options.buffer_size < kMinBufferSize) options.buffer_size = kMinBufferSize;
  return std::unique_ptr<RingWriter>(new RingWriter(std::move(options)));
}

RingWriter::RingWriter(RingWriterOptions options)
    : options_(std::move(options)), next_sequence_(options_.first_sequence) {
  counters_at_open_.reserve(options_.interfaces.size());
}

// A file still open stays a `.part`, exactly as after a crash: without the
// end time and the counters it cannot be completed honestly.
RingWriter::~RingWriter() = default;

Status RingWriter::open_file(std::int64_t start_ns, std::span<const InterfaceCounters> counters_at_open) {
  if (writer_) return make_error(part_path_.string() + ": a capture file is open already; close it first");
  if (start_ns < 0) return make_error("capture file start time before 1970");
  const std::string name = capture_file_name(options_.prefix, next_sequence_, start_ns, options_.format);
  const std::filesystem::path final_path = options_.directory / name;
  const std::filesystem::path part_path = options_.directory / (name + std::string(kPartSuffix));
  if (path_exists(final_path)) {
    return make_error(final_path.string() + ": exists already; a capture file is never overwritten "
                      "(start the ring after its highest sequence number)");
  }

  capture::CaptureWriter::Options writer_options;
  writer_options.buffer_size = options_.buffer_size;
  writer_options.replace_existing = false;  // O_EXCL: an existing .part is someone's data
  writer_options.fsync_on_close = true;
  writer_options.reuse_buffer = std::move(spare_buffer_);
  auto created = capture::CaptureWriter::create(part_path, options_.format, std::move(writer_options));
  if (!created) return created.error();
  std::unique_ptr<capture::CaptureWriter> writer = std::move(*created);
  for (const InterfaceInfo& info : options_.interfaces) {
    auto id = writer->add_interface(info.link_type, effective_snaplen(info), info.name);
    if (!id) {
      (void)writer->close();
      std::error_code ec;
      std::filesystem::remove(part_path, ec);  // holds only headers: nothing is lost
      return id.error();
    }
  }

  writer_ = std::move(writer);
  part_path_ = part_path;
  final_path_ = final_path;
  sequence_ = next_sequence_++;
  start_ns_ = start_ns;
  captured_bytes_ = 0;
  counters_at_open_.assign(counters_at_open.begin(), counters_at_open.end());
  return {};
}

Status RingWriter::write(const CapturedPacket& packet, std::uint64_t dropped_before) {
  if (!writer_) return make_error("capture ring " + options_.directory.string() + ": no capture file open");
  // A packet with a drop count is encoded again, with the option.
  const bool encoded = dropped_before == 0 && !packet.record.empty() && packet.record_format == options_.format &&
                       packet.interface_id < options_.interfaces.size() &&
                       packet.data.size() <= effective_snaplen(options_.interfaces[packet.interface_id]);
  if (!encoded) {
    if (Status flushed = flush_records(); !flushed) return flushed;  // keeps the packets in order
    Status status = writer_->write_packet(packet.timestamp_ns, packet.interface_id, packet.data,
                                          packet.original_length, dropped_before);
    if (status) {
      // write_packet() checked interface_id against the declared interfaces.
      captured_bytes_ += std::min<std::uint64_t>(packet.data.size(),
                                                 effective_snaplen(options_.interfaces[packet.interface_id]));
    }
    return status;
  }
  if (!extends_run(packet)) {
    if (Status flushed = flush_records(); !flushed) return flushed;
    run_.begin = packet.record.data();
  }
  run_.size += packet.record.size();
  ++run_.packets;
  run_.latest_ns = std::max(run_.latest_ns, packet.timestamp_ns);
  captured_bytes_ += packet.data.size();
  return {};
}

bool RingWriter::extends_run(const CapturedPacket& packet) const {
  return run_.packets > 0 && run_.begin + run_.size == packet.record.data();
}

Status RingWriter::flush_records() {
  if (run_.packets == 0) return {};
  const RecordRun run = std::exchange(run_, RecordRun{});
  if (!writer_) return make_error("capture ring " + options_.directory.string() + ": no capture file open");
  return writer_->write_encoded({run.begin, run.size}, run.packets, run.latest_ns);
}

Status RingWriter::flush() {
  if (!writer_) return {};
  if (Status flushed = flush_records(); !flushed) return flushed;
  return writer_->flush();
}

Status RingWriter::write_statistics(std::int64_t end_ns, std::span<const InterfaceCounters> at_close) {
  if (!is_pcapng(options_.format)) return {};
  const std::size_t count = std::min(at_close.size(), options_.interfaces.size());
  for (std::size_t id = 0; id < count; ++id) {
    const InterfaceCounters open =
        id < counters_at_open_.size() ? counters_at_open_[id] : InterfaceCounters{};
    const InterfaceCounters& close = at_close[id];
    const std::uint64_t received = since(open.received, close.received);
    const std::uint64_t dropped = since(open.dropped, close.dropped) + since(open.if_dropped, close.if_dropped);
    // The counters count from the file's start, when counters_at_open_ were read.
    auto status = writer_->set_interface_statistics(static_cast<std::uint32_t>(id), received, dropped,
                                                    std::max<std::int64_t>(end_ns, 0),
                                                    std::max<std::int64_t>(start_ns_, 0));
    if (!status) return status;
  }
  return {};
}

Result<CompletedFile> RingWriter::close_file(std::int64_t end_ns,
                                             std::span<const InterfaceCounters> counters_at_close) {
  if (!writer_) return make_error("capture ring " + options_.directory.string() + ": no capture file open to close");
  Status status = flush_records();  // before the counts below, which include the run
  CompletedFile done;
  done.path = final_path_;
  done.sequence = sequence_;
  done.start_ns = start_ns_;
  done.end_ns = end_ns;
  done.packets = writer_->packets_written();
  done.captured_bytes = captured_bytes_;

  if (status) status = write_statistics(end_ns, counters_at_close);
  Status closed = writer_->close();  // flush + fsync + close, even after a statistics error
  if (status) status = closed;
  done.bytes = writer_->bytes_written();
  const std::filesystem::path part_path = part_path_;
  forget_file();
  if (!status) return status.error();  // it names the .part, which stays
  if (auto renamed = rename_no_replace(part_path, done.path); !renamed) {
    return renamed.error().with_context("capture file complete but left as " + part_path.string());
  }
  if (auto synced = fsync_directory(options_.directory); !synced) return synced.error();
  return done;
}

void RingWriter::discard_file() {
  if (!writer_) return;
  (void)writer_->close();  // fails as the headers did; the file goes either way
  const std::filesystem::path part_path = part_path_;
  forget_file();
  std::error_code ec;
  std::filesystem::remove(part_path, ec);
}

void RingWriter::forget_file() {
  if (writer_) spare_buffer_ = writer_->take_buffer();
  writer_.reset();
  run_ = RecordRun{};
  part_path_.clear();
  final_path_.clear();
  captured_bytes_ = 0;
  counters_at_open_.clear();
}

std::uint64_t RingWriter::current_size() const {
  if (!writer_) return 0;
  const std::uint64_t statistics =
      is_pcapng(options_.format) ? capture::blocks::kIsbMaxSize * options_.interfaces.size() : 0;
  return writer_->bytes_written() + run_.size + statistics;
}

std::uint64_t RingWriter::current_file_packets() const {
  return writer_ ? writer_->packets_written() + run_.packets : 0;
}

std::uint64_t RingWriter::record_size(const CapturedPacket& packet) const {
  std::uint64_t captured = packet.data.size();
  if (packet.interface_id < options_.interfaces.size()) {
    captured = std::min<std::uint64_t>(captured, effective_snaplen(options_.interfaces[packet.interface_id]));
  }
  const auto n = static_cast<std::size_t>(captured);
  return is_pcapng(options_.format) ? capture::blocks::epb_size(n) : capture::blocks::pcap_record_size(n);
}

}  // namespace tlsring::daemon
