// RingRecorder: the capture ring as the capture pipeline's consumer. On the
// pipeline's writer thread it writes every packet into the current file,
// rotates on clock boundaries (even when no packet arrives) and by size,
// hands each completed file on (to decryption) and keeps the ring within its
// limits. What to do and when is decided by the pure policies in daemon/ring;
// this class only acts on their answers. The boundaries follow the system
// clock, as the packets' times do. stop_after is the service's: it counts on
// a monotonic clock and stops the pipeline, which drains into the recorder.
//
// When a disk limit cannot be met even by deleting every completed file, the
// recorder stops writing (packets are counted as dropped) and tries again on
// the next checks: the capture files never fill the disk (the results of
// their decryption, beside them, are not the ring's: ring_policy.h).
//
// When a file cannot be written (the disk filled up all the same, an I/O
// error), it is cut after its last whole packet, completed and handed on like
// any other, and no file is written until a new one can be started (tried
// every 5 s). Either way the time without capture files is an outage: logged
// once when it begins and once when it ends, with the packets it cost, and
// handed to `on_outage_ended` for the run's report.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/capture/capture_pipeline.h"
#include "daemon/ring/ring_policy.h"
#include "daemon/ring/ring_writer.h"
#include "daemon/ring/rotation_policy.h"
#include "daemon/service/decrypted_ledger.h"

namespace tlsring::daemon {

struct RingRecorderOptions {
  RotationPolicy rotation;
  RingLimits limits;
  bool keep_raw = true;
  std::int64_t ring_check_interval_ns = 5'000'000'000;  // disk checks between rotations
  std::int64_t flush_interval_ns = 1'000'000'000;       // buffered packets reach the OS this often
};

// A time in which captured packets could not be written to capture files.
struct WriteOutage {
  std::int64_t start_ns = 0;
  std::int64_t lost_from_ns = 0;          // packets captured from then on may be missing (<= start_ns)
  std::int64_t end_ns = 0;                // when files were written again, or the capture stopped
  bool until_stop = false;                // it lasted until the capture stopped
  std::uint64_t packets_not_written = 0;
  std::string cause;                      // what began it
};

struct RingRecorderStats {
  std::uint64_t packets = 0;          // written to capture files
  std::uint64_t bytes = 0;            // captured bytes written
  std::uint64_t files_written = 0;
  std::uint64_t files_deleted = 0;
  std::uint64_t files_deleted_undecrypted = 0;
  std::uint64_t not_written = 0;      // packets not written: a disk limit held, or a file could not be written
  bool paused = false;
  // As the last look at the disk (every ring check) found it; 0 before the first.
  std::uint64_t ring_bytes = 0;       // completed files kept + the file being written
  std::uint64_t free_bytes = 0;       // free on the capture files' filesystem
  std::string current_file;
  std::string last_error;
};

class RingRecorder final : public CaptureConsumer {
 public:
  using CompletedCallback = std::function<void(const CompletedFile&)>;
  using DeletedCallback = std::function<void(const RingDeletion&, const std::filesystem::path&)>;
  using CountersSource = std::function<std::vector<InterfaceCounters>()>;
  using OutageCallback = std::function<void(const WriteOutage&)>;
  using ResultsSource = std::function<ResultsOnDisk()>;
  using NoteCallback = std::function<void(const std::string&)>;

  RingRecorder(std::unique_ptr<RingWriter> writer, RingRecorderOptions options, DecryptedLedger& ledger,
               CompletedCallback on_completed, DeletedCallback on_deleted);

  // Kernel counters for the statistics blocks; set once the pipeline runs.
  void set_counters_source(CountersSource source);
  // Told of each outage when it ends (on the recorder's thread); set before the pipeline runs.
  void set_outage_callback(OutageCallback on_outage_ended) { on_outage_ended_ = std::move(on_outage_ended); }
  // What the decrypted results take of the ring's disk, for the messages about
  // a disk limit (called on the recorder's thread: keep it cheap); and where a
  // line for the run's summary goes. Both set before the pipeline runs.
  void set_results_source(ResultsSource source) { results_source_ = std::move(source); }
  void set_note_callback(NoteCallback on_note) { on_note_ = std::move(on_note); }

  ConsumerAction on_packet(const CapturedPacket& packet) override;
  void on_block_end() override;
  ConsumerAction on_tick(std::int64_t now_ns) override;
  void on_drain() override;

  // Applies the ring limits now (also called after every rotation).
  void enforce_limits();
  // The system clock was set back (clock_step_ends_file): the file being
  // written ends at the next tick, and the next one starts on the clock's
  // new time. Any thread.
  void end_file_at_next_tick() { end_file_requested_.store(true); }

  RingRecorderStats stats() const;

 private:
  void open_file(std::int64_t start_ns);
  void close_file(std::int64_t end_ns, const Error* write_error = nullptr);
  void completed(const CompletedFile& file);
  std::uint64_t salvage(const std::filesystem::path& part, std::int64_t end_ns);
  std::uint64_t count_kept(std::uint64_t packets, std::uint64_t captured_bytes);
  void not_written(std::uint64_t packets);
  void begin_outage(std::int64_t now_ns, const std::string& cause, std::uint64_t lost_first = 0);
  void end_outage(std::int64_t now_ns, bool until_stop);
  void rotate(std::int64_t now_ns, RotateReason reason);
  std::vector<InterfaceCounters> counters() const;
  void note_error(const std::string& message);

  std::unique_ptr<RingWriter> writer_;
  RingRecorderOptions options_;
  DecryptedLedger& ledger_;
  CompletedCallback on_completed_;
  DeletedCallback on_deleted_;
  CountersSource counters_source_;
  OutageCallback on_outage_ended_;
  ResultsSource results_source_;
  NoteCallback on_note_;
  mutable std::mutex counters_mutex_;
  bool told_free_space_deletions_ = false;  // once a run

  FileState file_state_;
  std::int64_t latest_ns_ = 0;          // the latest time seen (tick or packet)
  std::int64_t next_ring_check_ns_ = 0;
  std::int64_t next_open_retry_ns_ = 0;
  std::int64_t next_flush_ns_ = 0;
  // The open file, as given to it: what is lost when it cannot be completed.
  std::uint64_t file_sequence_ = 0;
  std::int64_t file_start_ns_ = 0;
  std::uint64_t file_packets_ = 0;
  std::uint64_t file_captured_bytes_ = 0;
  std::int64_t last_written_ns_ = 0;     // the latest packet time known to have reached the disk
  std::optional<WriteOutage> outage_;
  std::uint64_t unwritten_since_written_ = 0;  // the next packet written carries it as its drop count

  mutable std::mutex stats_mutex_;
  RingRecorderStats stats_;
  std::atomic<std::uint64_t> packets_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<std::uint64_t> not_written_{0};
  std::atomic<bool> paused_{false};
  std::atomic<bool> end_file_requested_{false};
};

}  // namespace tlsring::daemon
