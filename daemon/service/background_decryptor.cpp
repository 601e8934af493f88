#include "daemon/service/background_decryptor.h"


#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "core/output/private_file.h"
#include "daemon/cli/decrypt_summary.h"
#include "daemon/platform/process.h"
#include "daemon/service/capture_notes.h"

namespace tlsring::daemon {
namespace {

Status write_private_text(const std::filesystem::path& path, const std::string& text) {
  auto file = output::PrivateFile::open(path, true);
  if (!file.ok()) return file.error();
  if (auto written = file->write(text); !written.ok()) return written;
  return file->sync();
}

// What one capture file held and which connections ended in it; the
// connections themselves go on in the run's files.
std::string file_report(const std::filesystem::path& capture, const decrypt::FileSummary& summary,
                        const std::map<std::string, std::uint64_t>& before,
                        const std::map<std::string, std::uint64_t>& after) {
  std::string text = "capture file " + capture.filename().string() + "\n";
  text += "  packets: " + std::to_string(summary.packets) + " (TCP " + std::to_string(summary.tcp_segments) +
          ", other " + std::to_string(summary.other_packets) + ", undecodable " +
          std::to_string(summary.undecodable_packets) + ")\n";
  if (summary.secrets_blocks != 0) {
    text += "  decryption secrets blocks: " + std::to_string(summary.secrets_blocks) + "\n";
  }
  std::uint64_t ended = 0;
  std::string by_verdict;
  for (const auto& [verdict, count] : after) {
    auto it = before.find(verdict);
    const std::uint64_t delta = count - (it == before.end() ? 0 : it->second);
    if (delta == 0) continue;
    ended += delta;
    by_verdict += "    " + verdict + ": " + std::to_string(delta) + "\n";
  }
  text += "  connections that ended in this file: " + std::to_string(ended) + "\n" + by_verdict;
  text += "  (connections still open go on in the next file; report.jsonl and summary.txt cover the run)\n";
  for (const auto& warning : summary.warnings) text += "  warning: " + warning + "\n";
  return text;
}

}  // namespace

std::string describe_decryption_waits(const DecryptionWaits& waits) {
  if (waits.count == 0) return {};
  std::string text = "waited " + std::to_string(waits.count) + " time(s), " + outage_length(0, waits.waited_ns) +
                     " in all, before decrypting a capture file: " + waits.first_reason;
  if (waits.files_left > 0) {
    text += "; at the stop it still waited, and " + std::to_string(waits.files_left) +
            " capture file(s) were left undecrypted in the ring: they are decrypted after the next start, or "
            "now with tlsring decrypt and this run's keys.log";
  }
  return text;
}

Result<std::unique_ptr<BackgroundDecryptor>> BackgroundDecryptor::create(DecryptorOptions options,
                                                                          std::unique_ptr<decrypt::KeyStore> keys,
                                                                          DoneCallback on_done) {
  if (auto made = output::create_private_directory(options.run_directory / "files"); !made.ok()) {
    return made.error();
  }
  output::OutputOptions output_options;
  output_options.transcripts = options.transcripts;
  output_options.payload_files = options.payload_files;
  output_options.sessions_file = "report.jsonl";
  output_options.tickets_file = kSessionTicketsFile;
  auto output = output::DirectoryOutput::create(options.run_directory, output_options);
  if (!output.ok()) return output.error();
  return std::unique_ptr<BackgroundDecryptor>(new BackgroundDecryptor(
      std::move(options), std::move(keys), std::move(output.value()), std::move(on_done)));
}

BackgroundDecryptor::BackgroundDecryptor(DecryptorOptions options, std::unique_ptr<decrypt::KeyStore> keys,
                                         std::unique_ptr<output::DirectoryOutput> output, DoneCallback on_done)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      output_(std::move(output)),
      on_done_(std::move(on_done)),
      thread_(std::make_unique<boost::asio::thread_pool>(1)) {
  // Named, so that top -H and the capture benchmark tell it from capture;
  // below normal priority, so that it yields the CPU to the capture and
  // writer threads (and to the CTI server) whenever they want it. The engine
  // is made on that thread, after, so that its worker threads start with the
  // same lowered priority (Linux threads inherit their creator's nice value).
  // The engine is used on this thread only.
  boost::asio::post(*thread_, [this] {
    platform::name_current_thread("tlsring-decrypt");
    if (const std::optional<std::string> why = platform::lower_current_thread_priority()) {
      spdlog::warn("decryption runs at the capture's priority: lowering it failed ({}); under systemd, the unit's "
                   "SystemCallFilter must allow setpriority (systemd/tlsring.service does)",
                   *why);
    }
    decrypt::EngineOptions engine_options;
    engine_options.workers = std::max(1u, options_.workers);
    engine_options.known_losses = &known_losses_;
    // The ring's completed files: renamed when whole and never truncated
    // afterwards (deleting one leaves a mapping intact), so they can be
    // mapped instead of copied: the decryptor's largest cost per packet.
    engine_options.read_method = capture::ReadMethod::map;
    engine_ = std::make_unique<decrypt::DecryptEngine>(*keys_, *output_, engine_options);
  });
}

BackgroundDecryptor::~BackgroundDecryptor() { (void)finish(); }

void BackgroundDecryptor::submit(std::filesystem::path capture, std::uint64_t sequence, FileOrigin origin) {
  ++backlog_;
  boost::asio::post(*thread_, [this, capture = std::move(capture), sequence, origin] {
    if (skip_queued_) {
      ++files_skipped_;
    } else {
      decrypt_one(capture, sequence, origin);
    }
    --backlog_;
  });
}

void BackgroundDecryptor::skip_queued() {
  skip_queued_ = true;
  end_waits();
}

// Under the mutex, so that a wait between its look at stopping_ and its sleep
// cannot miss the wake-up.
void BackgroundDecryptor::end_waits() {
  {
    std::lock_guard lock(wait_mutex_);
    stopping_ = true;
  }
  wait_wake_.notify_all();
}

std::string BackgroundDecryptor::waiting_for() const {
  std::lock_guard lock(wait_mutex_);
  return waiting_for_;
}

void BackgroundDecryptor::look_at_disk_again() {
  {
    std::lock_guard lock(wait_mutex_);
    look_again_ = true;
  }
  wait_wake_.notify_all();
}

bool BackgroundDecryptor::wait_until_allowed() {
  if (!options_.wait_reason) return true;
  std::string reason = options_.wait_reason();
  if (reason.empty()) return true;
  if (stopping_) return false;
  // Where the results share the ring's disk, a short wait until the ring's
  // next deletion is the usual way of a full disk: told in full once a run.
  if (waits_.count++ == 0) {
    waits_.first_reason = reason;
    spdlog::warn("{} (told in full once a run)", reason);
  } else {
    spdlog::info("decryption waits again for the results' disk to have min_free_space free");
    spdlog::debug("{}", reason);
  }
  const auto began = std::chrono::steady_clock::now();
  std::unique_lock lock(wait_mutex_);
  waiting_for_ = reason;
  // Asked again at each recheck, when the ring freed space, and once more at
  // a stop (the ring's last check may just have freed it).
  for (bool last_look = false; !reason.empty() && !last_look;) {
    wait_wake_.wait_for(lock, options_.wait_recheck, [this] { return stopping_.load() || look_again_; });
    look_again_ = false;
    last_look = stopping_;
    lock.unlock();
    reason = options_.wait_reason();
    lock.lock();
    if (!reason.empty()) waiting_for_ = reason;
  }
  waiting_for_.clear();
  lock.unlock();
  const std::int64_t waited =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - began).count();
  waits_.waited_ns += waited;
  if (!reason.empty()) return false;
  spdlog::info("decryption goes on: the results' disk has min_free_space free again, after {} of waiting",
               outage_length(0, waited));
  return true;
}

void BackgroundDecryptor::between_files(std::function<void(decrypt::KeyStore&)> change) {
  boost::asio::post(*thread_, [this, change = std::move(change)] { change(*keys_); });
}

void BackgroundDecryptor::decrypt_one(const std::filesystem::path& capture, std::uint64_t sequence,
                                      FileOrigin origin) {
  // Once one file is left waiting at a stop, the later ones are left too:
  // the next start decrypts them in their order.
  if (waits_.files_left > 0 || !wait_until_allowed()) {
    ++waits_.files_left;
    return;
  }
  DecryptedFile done;
  done.capture = capture;
  done.sequence = sequence;
  const auto before = verdict_counts();
  // The drop episodes in known_losses_ say to a few seconds when this run's
  // capture dropped packets; the statistics at a file's end only that it did
  // some time within the file. For an earlier run's file they are all there is.
  engine_->set_losses_from_file_statistics(origin == FileOrigin::earlier_run);
  if (options_.before_each_file) options_.before_each_file(*keys_, sequence);
  auto summary = engine_->add_file(capture);
  engine_->drain();
  // What the file carried is written out now, so its results can be read
  // while the connections go on in the next file.
  Status flushed = output_->flush_open_connections();
  if (summary.ok()) {
    done.ok = true;
    done.summary = summary.value();
    summaries_.push_back(summary.value());
    const std::string name = capture.filename().string();
    (void)write_private_text(options_.run_directory / "files" / (name + ".txt"),
                             file_report(capture, summary.value(), before, verdict_counts()));
  } else {
    done.error = summary.error().message;
  }
  note_output_error(flushed);
  write_run_summary();
  // The engine freed what this file's connections used, but the C library
  // keeps freed pages in its per-thread arenas: handed back now, so that the
  // service's resident size follows the connections open now rather than the
  // busiest file so far.
  platform::release_free_heap();
  ++files_decrypted_;
  if (on_done_) on_done_(done);
}

void BackgroundDecryptor::add_run_note(std::string note) {
  boost::asio::post(*thread_, [this, note = std::move(note)] { run_notes_.push_back(note); });
}

void BackgroundDecryptor::add_known_loss(decrypt::KnownCaptureLoss loss) {
  boost::asio::post(*thread_, [this, loss = std::move(loss)] { known_losses_.add(loss); });
}

// The output keeps its first error and goes on writing: a result that could
// not be written (a full disk) leaves a hole in its file. Said once, in the
// log at once and in the run's summary.
void BackgroundDecryptor::note_output_error(const Status& status) {
  if (status.ok() || !output_error_.empty()) return;
  output_error_ = status.error().message;
  spdlog::error("results could not all be written: {}; the transcripts and decrypted bytes of the connections "
                "open then are incomplete",
                output_error_);
}

void BackgroundDecryptor::write_run_summary() {
  std::vector<std::string> notes = run_notes_;
  if (options_.key_notes) {
    for (const std::string& note : options_.key_notes()) notes.push_back("keys: " + note);
  }
  if (std::string waits = describe_decryption_waits(waits_); !waits.empty()) notes.push_back("decryption: " + waits);
  if (files_skipped_ > 0) {
    notes.push_back("decryption: " + std::to_string(files_skipped_) +
                    " capture file(s) still queued at the stop were left undecrypted in the ring (a stop by a "
                    "signal or the service manager finishes only the file being decrypted): they are decrypted "
                    "after the next start, or now with tlsring decrypt and this run's keys.log");
  }
  if (!output_error_.empty()) {
    notes.push_back("results: some could not be written (" + output_error_ +
                    "): the transcripts and decrypted bytes of the connections open then are incomplete; what to "
                    "do: keep the disk of output.directory writable, with space free");
  }
  (void)write_private_text(options_.run_directory / "summary.txt",
                           cli::format_summary("tlsring run", summaries_, *output_, notes));
}

std::map<std::string, std::uint64_t> BackgroundDecryptor::verdict_counts() const {
  std::map<std::string, std::uint64_t> counts;
  const auto verdicts = output_->verdicts();
  for (int v = 0; v < decrypt::kVerdictCount; ++v) {
    if (verdicts[v].count != 0) {
      counts[std::string(decrypt::to_string(static_cast<decrypt::Verdict>(v)))] = verdicts[v].count;
    }
  }
  return counts;
}

Status BackgroundDecryptor::finish() {
  std::lock_guard lock(finish_mutex_);
  if (finished_) return finish_status_;
  finished_ = true;
  // The queued files are decrypted, unless one waits for disk space: a stop
  // takes a bounded time.
  end_waits();
  boost::asio::post(*thread_, [this] {
    engine_->finish();
    finish_status_ = output_->finish();
    note_output_error(finish_status_);
    write_run_summary();
  });
  thread_->join();
  return finish_status_;
}

}  // namespace tlsring::daemon
