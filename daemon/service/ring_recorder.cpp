#include "daemon/service/ring_recorder.h"

#include <spdlog/spdlog.h>

#include "config/size.h"
#include "daemon/ring/ring_directory.h"

namespace tlsring::daemon {
namespace {

std::uint64_t free_bytes(const std::filesystem::path& directory) {
  std::error_code error;
  const std::filesystem::space_info space = std::filesystem::space(directory, error);
  if (error) return 0;
  return static_cast<std::uint64_t>(space.available);
}

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
  if (Status opened = writer_->open_file(start_ns, at_open); !opened.ok()) {
    note_error("cannot start a capture file: " + opened.error().message + " (trying again in 5 s)");
    next_open_retry_ns_ = start_ns + 5'000'000'000;
    return;
  }
  file_state_ = new_file_state(options_.rotation, start_ns);
  spdlog::info("capture file {} started", writer_->current_path().filename().string());
  std::lock_guard lock(stats_mutex_);
  stats_.current_file = writer_->current_path().string();
}

void RingRecorder::close_file(std::int64_t end_ns) {
  if (!writer_->is_open()) return;
  auto completed = writer_->close_file(end_ns, counters());
  {
    std::lock_guard lock(stats_mutex_);
    stats_.current_file.clear();
  }
  if (!completed.ok()) {
    note_error("cannot complete a capture file: " + completed.error().message +
               " (its .part stays and is recovered at the next start)");
    return;
  }
  spdlog::info("capture file {} complete: {} packets, {}", completed->path.filename().string(), completed->packets,
               config::format_size(completed->bytes));
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.files_written;
  }
  if (on_completed_) on_completed_(*completed);
}

// A write failed: say so and close the file, which keeps what reached it; the
// next packet opens a new one when it may.
void RingRecorder::abandon_file(const Error& error, std::int64_t end_ns) {
  note_error("cannot write to " + writer_->current_path().string() + ": " + error.message);
  close_file(end_ns);
}

void RingRecorder::rotate(std::int64_t now_ns, RotateReason reason) {
  spdlog::debug("rotating ({})", rotate_reason_name(reason));
  close_file(now_ns);
  enforce_limits();
  if (paused_) return;
  const std::int64_t start =
      reason == RotateReason::interval ? boundary_at_or_before(now_ns, options_.rotation.every_ns) : now_ns;
  open_file(start);
}

ConsumerAction RingRecorder::on_packet(const CapturedPacket& packet) {
  latest_ns_ = std::max(latest_ns_, packet.timestamp_ns);
  if (stop_reached_) return ConsumerAction::stop;
  if (!writer_->is_open() && !paused_ && packet.timestamp_ns >= next_open_retry_ns_) open_file(packet.timestamp_ns);
  if (!writer_->is_open()) {
    ++paused_drops_;
    return ConsumerAction::proceed;
  }
  file_state_.size = writer_->current_size();
  file_state_.packets = writer_->current_file_packets();
  const RotateReason reason =
      rotation_due(options_.rotation, file_state_, packet.timestamp_ns, writer_->record_size(packet));
  if (reason != RotateReason::none) {
    rotate(packet.timestamp_ns, reason);
    if (!writer_->is_open()) {
      ++paused_drops_;
      return ConsumerAction::proceed;
    }
  }
  if (Status written = writer_->write(packet); !written.ok()) {
    abandon_file(written.error(), packet.timestamp_ns);
    return ConsumerAction::proceed;
  }
  ++packets_;
  bytes_ += packet.data.size();
  return ConsumerAction::proceed;
}

void RingRecorder::on_block_end() {
  if (!writer_->is_open()) return;
  if (Status written = writer_->flush_records(); !written.ok()) abandon_file(written.error(), latest_ns_);
}

ConsumerAction RingRecorder::on_tick(std::int64_t now_ns) {
  latest_ns_ = std::max(latest_ns_, now_ns);
  if (stop_due(options_.stop_at_ns, now_ns)) {
    if (!stop_reached_) spdlog::info("stop_after reached: closing the capture");
    stop_reached_ = true;
    return ConsumerAction::stop;
  }
  if (now_ns >= next_ring_check_ns_) {
    next_ring_check_ns_ = now_ns + options_.ring_check_interval_ns;
    enforce_limits();
  }
  if (!writer_->is_open()) {
    if (!paused_ && now_ns >= next_open_retry_ns_) {
      open_file(writer_->next_sequence() == writer_->options().first_sequence
                    ? now_ns
                    : boundary_at_or_before(now_ns, options_.rotation.every_ns));
    }
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
    if (Status flushed = writer_->flush(); !flushed.ok()) note_error(flushed.error().message);
  }
  return ConsumerAction::proceed;
}

void RingRecorder::on_drain() {
  close_file(latest_ns_);
  enforce_limits();
}

void RingRecorder::enforce_limits() {
  const std::filesystem::path& directory = writer_->options().directory;
  auto entries = list_ring_directory(directory, writer_->options().prefix);
  if (!entries.ok()) {
    note_error("cannot list the ring: " + entries.error().message);
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
  input.free_bytes = free_bytes(directory);
  input.keep_raw = options_.keep_raw;
  const RingPlan plan = plan_ring_cleanup(options_.limits, input);
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
  if (plan.must_pause_capture && !paused_) {
    note_error("capture paused: " + pause_explanation(plan, options_.limits));
    if (writer_->is_open()) close_file(latest_ns_);
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
  s.paused_drops = paused_drops_;
  s.paused = paused_;
  return s;
}

}  // namespace tlsring::daemon
