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

Result<std::unique_ptr<BackgroundDecryptor>> BackgroundDecryptor::create(DecryptorOptions options,
                                                                          std::unique_ptr<decrypt::KeyStore> keys,
                                                                          DoneCallback on_done) {
  if (auto made = output::create_private_directory(options.run_directory / "files"); !made.ok()) {
    return made.error();
  }
  auto disk_wait = std::make_unique<ResultsDiskWait>(options.wait_reason, options.wait_recheck);
  output::OutputOptions output_options;
  output_options.gate = disk_wait.get();
  output_options.transcripts = options.transcripts;
  output_options.payload_files = options.payload_files;
  output_options.sessions_file = "report.jsonl";
  output_options.tickets_file = kSessionTicketsFile;
  auto output = output::DirectoryOutput::create(options.run_directory, output_options);
  if (!output.ok()) return output.error();
  return std::unique_ptr<BackgroundDecryptor>(new BackgroundDecryptor(
      std::move(options), std::move(keys), std::move(disk_wait), std::move(output.value()), std::move(on_done)));
}

BackgroundDecryptor::BackgroundDecryptor(DecryptorOptions options, std::unique_ptr<decrypt::KeyStore> keys,
                                         std::unique_ptr<ResultsDiskWait> disk_wait,
                                         std::unique_ptr<output::DirectoryOutput> output, DoneCallback on_done)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      disk_wait_(std::move(disk_wait)),
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
  disk_wait_->end_waits();
}

std::string BackgroundDecryptor::waiting_for() const { return disk_wait_->waiting_for(); }

void BackgroundDecryptor::look_at_disk_again() { disk_wait_->look_again(); }

void BackgroundDecryptor::between_files(std::function<void(decrypt::KeyStore&)> change) {
  boost::asio::post(*thread_, [this, change = std::move(change)] { change(*keys_); });
}

void BackgroundDecryptor::decrypt_one(const std::filesystem::path& capture, std::uint64_t sequence,
                                      FileOrigin origin) {
  if (!disk_wait_->wait_before_file()) {
    disk_wait_->count_file_left();
    return;
  }
  DecryptedFile done;
  done.capture = capture;
  done.sequence = sequence;
  const auto before = verdict_counts();
  const std::uint64_t refused_before = disk_wait_->refused_bytes();
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
  if (disk_wait_->refused_bytes() != refused_before) {
    done.results_cut = true;
    disk_wait_->count_file_cut();
  }
  if (summary.ok()) {
    done.ok = true;
    done.summary = summary.value();
    files_read_.add(summary.value());
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
  if (std::string waits = describe_decryption_waits(disk_wait_->waits()); !waits.empty()) {
    notes.push_back("decryption: " + waits);
  }
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
                           cli::format_summary("tlsring run", files_read_, *output_, notes));
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
  disk_wait_->end_waits();
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
