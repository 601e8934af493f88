#include "daemon/service/ring_recorder.h"

#include <spdlog/spdlog.h>

#include "config/duration.h"
#include "config/size.h"
#include "daemon/ring/part_recovery.h"
#include "daemon/ring/ring_directory.h"
#include "daemon/service/capture_notes.h"

namespace tlsring::daemon {
namespace {

// How long after a capture file could not be started or written the next is tried.
constexpr std::int64_t kRetryInterval = 5'000'000'000;

// The latest clock boundary at or before `now_ns`: an interval file is named
// by the boundary it starts at.
std::int64_t boundary_at_or_before(std::int64_t now_ns, std::int64_t every_ns) {
  if (every_ns <= 0) return now_ns;
  return now_ns - (now_ns % every_ns);
}

}  // namespace

RingRecorder::RingRecorder(std::unique_ptr<RingWriter> writer, RingRecorderOptions options,
                           DecryptedLedger& ledger, CompletedCallback on_completed, DeletedCallback on_deleted)
    : writer_(std::move(writer)),
      options_(options),
      ledger_(ledger),
      on_completed_(std::move(on_completed)),
      on_deleted_(std::move(on_deleted)) {}

void RingRecorder::set_counters_source(CountersSource source) {
  std::lock_guard lock(counters_mutex_);
  counters_source_ = std::move(source);
}

std::vector<InterfaceCounters> RingRecorder::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_source_ ? counters_source_() : std::vector<InterfaceCounters>{};
}

void RingRecorder::note_error(const std::string& message) {
  spdlog::error("{}", message);
  std::lock_guard lock(stats_mutex_);
  stats_.last_error = message;
}

void RingRecorder::open_file(std::int64_t start_ns) {
  const std::vector<InterfaceCounters> at_open = counters();
  const std::uint64_t sequence = writer_->next_sequence();
  Status opened = writer_->open_file(start_ns, at_open);
  // The headers go to the disk at once: a disk that is full says so now, not
  // with the packets that follow.
  if (opened.ok()) {
    opened = writer_->flush();
    if (!opened.ok()) writer_->discard_file();
  }
  if (!opened.ok()) {
    next_open_retry_ns_ = start_ns + kRetryInterval;
    begin_outage(start_ns, "cannot start a capture file: " + opened.error().message);
    return;
  }
  file_state_ = new_file_state(options_.rotation, start_ns);
  file_sequence_ = sequence;
  file_start_ns_ = start_ns;
  file_packets_ = 0;
  file_captured_bytes_ = 0;
  spdlog::info("capture file {} started", writer_->current_path().filename().string());
  std::lock_guard lock(stats_mutex_);
  stats_.current_file = writer_->current_path().string();
}

// Closes the open file. A file that cannot be completed, or one a write to
// which failed before (`write_error`), begins an outage: what reached the disk
// whole is kept and decrypted, the rest is counted, and no file is started
// before the retry time.
void RingRecorder::close_file(std::int64_t end_ns, const Error* write_error) {
  if (!writer_->is_open()) return;
  const std::filesystem::path part = writer_->current_path();
  auto done = writer_->close_file(end_ns, counters());  // after a write error it fails too, as a rule
  {
    std::lock_guard lock(stats_mutex_);
    stats_.current_file.clear();
  }
  if (done.ok() && write_error == nullptr) {
    last_written_ns_ = latest_ns_;
    end_outage(end_ns, false);  // before the file goes on: its gaps are then explained
    completed(*done);
    return;
  }
  std::uint64_t lost = 0;
  if (done.ok()) {
    lost = count_kept(done->packets, done->captured_bytes);
    completed(*done);
  } else {
    lost = salvage(part, end_ns);
  }
  begin_outage(end_ns,
               write_error != nullptr ? "cannot write a capture file: " + write_error->message
                                      : "cannot complete a capture file: " + done.error().message,
               lost);
  next_open_retry_ns_ = end_ns + kRetryInterval;
}

void RingRecorder::completed(const CompletedFile& file) {
  spdlog::info("capture file {} complete: {} packets, {}", file.path.filename().string(), file.packets,
               config::format_size(file.bytes));
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.files_written;
  }
  if (on_completed_) on_completed_(file);
}

// A file that could not be completed: cut after its last whole packet,
// completed and handed on. Returns the packets given to it that it does not
// hold, which are then counted as not written.
std::uint64_t RingRecorder::salvage(const std::filesystem::path& part, std::int64_t end_ns) {
  auto recovered = recover_part_file(part);
  if (!recovered.ok()) {
    // Left as it is; the next start recovers and decrypts it.
    note_error(recovered.error().message + " (it is recovered and decrypted at the next start)");
    file_packets_ = 0;
    file_captured_bytes_ = 0;
    return 0;
  }
  const std::uint64_t lost = count_kept(recovered->packets_kept, recovered->captured_bytes_kept);
  if (recovered->deleted) return lost;
  CompletedFile file;
  file.path = recovered->final_path;
  file.sequence = file_sequence_;
  file.start_ns = file_start_ns_;
  file.end_ns = end_ns;
  file.packets = recovered->packets_kept;
  file.bytes = recovered->bytes_kept;
  file.captured_bytes = recovered->captured_bytes_kept;
  completed(file);
  return lost;
}

// The open file ended holding `packets` of the packets given to it: the others
// were not written after all. Returns how many.
std::uint64_t RingRecorder::count_kept(std::uint64_t packets, std::uint64_t captured_bytes) {
  const std::uint64_t given = std::exchange(file_packets_, 0);
  const std::uint64_t given_bytes = std::exchange(file_captured_bytes_, 0);
  const std::uint64_t lost = given - std::min(packets, given);
  packets_ -= lost;
  bytes_ -= given_bytes - std::min(captured_bytes, given_bytes);
  not_written(lost);
  return lost;
}

void RingRecorder::not_written(std::uint64_t packets) {
  not_written_ += packets;
  unwritten_since_written_ += packets;
  if (outage_) outage_->packets_not_written += packets;
}

// `lost_first`: packets of the failed file, counted already but before the outage began.
void RingRecorder::begin_outage(std::int64_t now_ns, const std::string& cause, std::uint64_t lost_first) {
  if (outage_) {
    spdlog::debug("still no capture file: {}", cause);
    return;
  }
  // A failed write may have lost packets given since the last one that worked.
  const std::int64_t lost_from = lost_first > 0 ? std::min(now_ns, last_written_ns_) : now_ns;
  outage_ = WriteOutage{now_ns, lost_from, 0, false, lost_first, cause};
  note_error(cause + (lost_first > 0 ? " (" + std::to_string(lost_first) + " packet(s) of that file were lost)" : "") +
             "; no capture file is written until this clears (trying every " +
             config::format_duration(kRetryInterval) + "), and the packets meanwhile are counted as not written");
}

void RingRecorder::end_outage(std::int64_t now_ns, bool until_stop) {
  if (!outage_) return;
  WriteOutage outage = *std::exchange(outage_, std::nullopt);
  outage.end_ns = std::max(now_ns, outage.start_ns);
  outage.until_stop = until_stop;
  spdlog::warn("{} after {}: {} packet(s) captured meanwhile were not written",
               until_stop ? "the capture stopped with no capture file written" : "capture files are written again",
               outage_length(outage), outage.packets_not_written);
  if (on_outage_ended_) on_outage_ended_(outage);
}

void RingRecorder::rotate(std::int64_t now_ns, RotateReason reason) {
  spdlog::debug("rotating ({})", rotate_reason_name(reason));
  close_file(std::max(now_ns, file_state_.start_ns));  // not before its start, after a clock set back
  enforce_limits();
  if (paused_) return;
  const std::int64_t start =
      reason == RotateReason::interval ? boundary_at_or_before(now_ns, options_.rotation.every_ns) : now_ns;
  open_file(start);
}

ConsumerAction RingRecorder::on_packet(const CapturedPacket& packet) {
  latest_ns_ = std::max(latest_ns_, packet.timestamp_ns);
  if (!writer_->is_open() && !paused_ && packet.timestamp_ns >= next_open_retry_ns_) open_file(packet.timestamp_ns);
  if (!writer_->is_open()) {
    not_written(1);
    return ConsumerAction::proceed;
  }
  file_state_.size = writer_->current_size();
  file_state_.packets = writer_->current_file_packets();
  const RotateReason reason =
      rotation_due(options_.rotation, file_state_, packet.timestamp_ns, writer_->record_size(packet));
  if (reason != RotateReason::none) {
    rotate(packet.timestamp_ns, reason);
    if (!writer_->is_open()) {
      not_written(1);
      return ConsumerAction::proceed;
    }
  }
  // The first packet written after some were not says how many (pcapng:
  // epb_dropcount), so that the file itself tells Wireshark and an offline
  // decryption where the gap is.
  const std::uint64_t dropped_before = unwritten_since_written_;
  if (Status written = writer_->write(packet, dropped_before); !written.ok()) {
    close_file(packet.timestamp_ns, &written.error());
    not_written(1);
    return ConsumerAction::proceed;
  }
  unwritten_since_written_ -= dropped_before;
  ++packets_;
  bytes_ += packet.data.size();
  ++file_packets_;
  file_captured_bytes_ += packet.data.size();
  return ConsumerAction::proceed;
}

void RingRecorder::on_block_end() {
  if (!writer_->is_open()) return;
  if (Status written = writer_->flush_records(); !written.ok()) close_file(latest_ns_, &written.error());
}

ConsumerAction RingRecorder::on_tick(std::int64_t now_ns) {
  latest_ns_ = std::max(latest_ns_, now_ns);
  if (now_ns >= next_ring_check_ns_) {
    next_ring_check_ns_ = now_ns + options_.ring_check_interval_ns;
    enforce_limits();
  }
  if (!writer_->is_open()) {
    // Named by the time it starts: a file started again after an outage
    // holds nothing from before (its interval still ends at the boundary).
    if (!paused_ && now_ns >= next_open_retry_ns_) open_file(now_ns);
    return ConsumerAction::proceed;
  }
  if (end_file_requested_.exchange(false)) {
    spdlog::info("the system clock was set back: the current capture file ends now, and the next starts on the "
                 "clock's new time");
    rotate(now_ns, RotateReason::interval);
    return ConsumerAction::proceed;
  }
  file_state_.size = writer_->current_size();
  file_state_.packets = writer_->current_file_packets();
  const RotateReason reason = rotation_due(options_.rotation, file_state_, now_ns, 0);
  if (reason == RotateReason::interval) {
    rotate(now_ns, reason);
  } else if (now_ns >= next_flush_ns_) {
    // A crash then loses at most the last interval: recovery keeps the rest.
    next_flush_ns_ = now_ns + options_.flush_interval_ns;
    if (Status flushed = writer_->flush(); !flushed.ok()) {
      close_file(now_ns, &flushed.error());
    } else {
      last_written_ns_ = latest_ns_;
      if (file_packets_ > 0) end_outage(now_ns, false);  // packets reach the disk again
    }
  }
  return ConsumerAction::proceed;
}

void RingRecorder::on_drain() {
  close_file(latest_ns_);
  enforce_limits();
  end_outage(latest_ns_, true);
}

void RingRecorder::enforce_limits() {
  const std::filesystem::path& directory = writer_->options().directory;
  auto entries = list_ring_directory(directory, writer_->options().prefix);
  if (!entries.ok()) {
    note_error("cannot list the ring: " + entries.error().message);
    return;
  }
  // Unknown free space is not taken for none: that would delete the whole ring.
  const Result<std::uint64_t> free = free_space(directory);
  if (!free.ok()) {
    note_error(free.error().message);
    return;
  }
  std::vector<RingFile> files;
  std::vector<std::filesystem::path> paths;
  for (const RingFileEntry& e : *entries) {
    if (e.name.part) continue;
    files.push_back({e.name.sequence, e.size, ledger_.contains(e.path.filename().string())});
    paths.push_back(e.path);
  }
  RingInput input;
  input.completed = files;
  if (writer_->is_open()) input.current_file_size = writer_->current_size();
  input.free_bytes = *free;
  input.keep_raw = options_.keep_raw;
  const RingPlan plan = plan_ring_cleanup(options_.limits, input);
  const ResultsOnDisk results = results_source_ ? results_source_() : ResultsOnDisk{};
  if (!told_free_space_deletions_) {
    if (std::string text = describe_free_space_deletions(plan, options_.limits, results); !text.empty()) {
      told_free_space_deletions_ = true;
      spdlog::warn("{} (said once a run)", text);
      if (on_note_) on_note_(text);
    }
  }
  for (const RingDeletion& d : plan.deletions) {
    std::filesystem::path path;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (files[i].sequence == d.sequence) path = paths[i];
    }
    std::error_code error;
    if (path.empty() || !std::filesystem::remove(path, error)) {
      note_error("cannot delete " + path.string() + ": " + error.message());
      continue;
    }
    if (d.forced) {
      spdlog::warn("deleted {} BEFORE it was decrypted ({}): the disk limit left no other choice; its "
                   "connections will be reported incomplete",
                   path.filename().string(), delete_reason_name(d.reason));
    } else {
      spdlog::info("deleted {} ({})", path.filename().string(), delete_reason_name(d.reason));
    }
    {
      std::lock_guard lock(stats_mutex_);
      ++stats_.files_deleted;
      if (d.forced) ++stats_.files_deleted_undecrypted;
    }
    if (on_deleted_) on_deleted_(d, path);
  }
  {
    std::lock_guard lock(stats_mutex_);
    stats_.ring_bytes = plan.total_size_after;
    stats_.free_bytes = plan.free_bytes_after;
  }
  if (plan.must_pause_capture && !paused_) {
    if (writer_->is_open()) close_file(latest_ns_);
    begin_outage(latest_ns_, "capture paused: " + pause_explanation(plan, options_.limits, results));
  } else if (!plan.must_pause_capture && paused_) {
    spdlog::info("capture resumed: the disk limits hold again");
  }
  paused_ = plan.must_pause_capture;
}

RingRecorderStats RingRecorder::stats() const {
  std::lock_guard lock(stats_mutex_);
  RingRecorderStats s = stats_;
  s.packets = packets_;
  s.bytes = bytes_;
  s.not_written = not_written_;
  s.paused = paused_;
  return s;
}

}  // namespace tlsring::daemon
