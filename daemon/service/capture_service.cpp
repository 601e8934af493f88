#include "daemon/service/capture_service.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>
#include <spdlog/spdlog.h>

#include "config/duration.h"
#include "core/crypto/providers.h"
#include "core/keys/key_log.h"
#include "core/output/private_file.h"
#include "daemon/capture/capture_pipeline.h"
#include "daemon/cli/key_spec.h"
#include "daemon/capture/live_capture.h"
#include "daemon/platform/clocks.h"
#include "daemon/platform/file_access.h"
#include "daemon/platform/privileges.h"
#include "daemon/platform/process.h"
#include "daemon/platform/user_setting.h"
#include "daemon/ring/capture_file_name.h"
#include "daemon/ring/part_recovery.h"
#include "daemon/ring/ring_directory.h"
#include "daemon/service/background_decryptor.h"
#include "daemon/service/capture_drops.h"
#include "daemon/service/capture_notes.h"
#include "daemon/service/clock_steps.h"
#include "daemon/service/configured_keys.h"
#include "daemon/service/decrypted_ledger.h"
#include "daemon/service/earlier_runs.h"
#include "daemon/service/key_log_follower.h"
#include "daemon/service/logging.h"
#include "daemon/service/lost_interfaces.h"
#include "daemon/service/ring_recorder.h"
#include "daemon/service/service_status.h"
#include "daemon/service/systemd_notify.h"

namespace tlsring::daemon {
namespace {

constexpr const char* kPrefix = "tlsring";
// How often capture on an interface that disappeared is tried again.
constexpr std::chrono::seconds kReopenInterval{2};
std::string reopen_interval_text() {
  return config::format_duration(std::chrono::duration_cast<std::chrono::nanoseconds>(kReopenInterval).count());
}
constexpr auto kStatusInterval = std::chrono::seconds(2);

using platform::steady_now_ns;
using platform::system_now_ns;

// Both clocks, read together.
ClockReading read_clocks() { return ClockReading{system_now_ns(), steady_now_ns()}; }

LogOptions log_options(const config::LoggingConfig& logging) {
  LogOptions options;
  options.level = std::string(config::level_name(logging.level));
  switch (logging.target) {
    case config::LoggingConfig::Target::console: options.target = LogOptions::Target::console; break;
    case config::LoggingConfig::Target::journal: options.target = LogOptions::Target::journal; break;
    case config::LoggingConfig::Target::file: options.target = LogOptions::Target::file; break;
  }
  options.file = logging.file;
  options.max_file_size = logging.max_file_size;
  options.max_files = logging.max_files;
  return options;
}

LiveCaptureOptions capture_options(const config::CaptureConfig& capture) {
  LiveCaptureOptions options;
  options.interfaces = capture.interfaces;
  options.filter = capture.filter;
  options.snaplen = capture.snaplen;
  options.buffer_size = capture.buffer_size;
  options.promiscuous = capture.promiscuous;
  return options;
}

// What the kernel and the interfaces dropped, over every interface.
std::uint64_t kernel_drops(const CaptureStats& stats) {
  std::uint64_t drops = 0;
  for (const auto& k : stats.kernel) drops += k.dropped + k.if_dropped;
  return drops;
}

// What a look at the key logs found, for the log (never a secret: names and counts).
void tell(const KeyLogFollower::Look& look) {
  for (const auto& warning : look.warnings) spdlog::warn("{}", warning);
  for (const auto& note : look.notes) spdlog::info("{}", note);
  if (look.added > 0) spdlog::debug("key logs: {} new secret(s)", look.added);
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ",") + item;
  return text;
}

// The service once everything is open: what the event loop drives.
class Service {
 public:
  Service(const config::ServiceConfig& config, platform::ServiceContext& context, std::filesystem::path capture_dir,
          std::filesystem::path run_dir)
      : config_(config), context_(context), capture_dir_(std::move(capture_dir)), run_dir_(std::move(run_dir)) {}

  int run(std::unique_ptr<LiveCapture> capture, std::unique_ptr<decrypt::KeyStore> keys,
          std::unique_ptr<KeyLogFollower> key_logs, std::unique_ptr<DecryptedLedger> ledger,
          std::uint64_t first_sequence, std::vector<RingFileEntry> pending) {
    key_logs_ = std::move(key_logs);
    const ClockReading started = read_clocks();
    started_ns_ = started.wall_ns;
    clock_steps_.emplace(started);
    // On the monotonic clock: a system clock set forward must not cut the
    // capture window short, nor one set back stretch it.
    stop_at_steady_ns_ = stop_deadline(started.steady_ns, config_.stop_after_ns);
    ledger_ = std::move(ledger);
    (void)ledger_->forget_missing(capture_dir_);

    DecryptorOptions decrypt_options;
    decrypt_options.run_directory = run_dir_;
    decrypt_options.workers = config_.decrypt.workers;
    decrypt_options.transcripts = config_.decrypt.transcripts;
    decrypt_options.payload_files = config_.decrypt.payload;
    // The clients and servers that write the key logs go on writing them, for
    // days: what they gain is read before each file, and what can no longer
    // be needed is let go of (forget_key_log_lines).
    first_sequence_ = first_sequence;
    writing_sequence_.store(first_sequence);
    decrypt_options.before_each_file = [this](decrypt::KeyStore& store, std::uint64_t sequence) {
      tell(key_logs_->look(store.key_log(), writing_sequence_.load()));
      forget_key_log_lines(store.key_log(), sequence);
    };
    decrypt_options.key_notes = [this] { return key_logs_->summary_lines(); };
    // min_free_space holds for the results too: decrypting onto a disk short
    // of it would fill the disk the ring keeps free.
    decrypt_options.wait_reason = [this] { return decryption_wait(); };
    auto decryptor = BackgroundDecryptor::create(decrypt_options, std::move(keys),
                                                 [this](const DecryptedFile& done) { on_decrypted(done); });
    if (!decryptor.ok()) return fail_setup("cannot write the run's results: " + decryptor.error().message);
    decryptor_ = std::move(decryptor.value());
    // The results share the ring's disk but are not the ring's to delete: the
    // messages about a disk limit say what they take. Earlier runs' results
    // are measured off the capture's path, at the start and every 10 minutes.
    // (Before the first file is queued: the decrypting thread reads them;
    // after the run directory is made.)
    results_on_capture_disk_ = platform::same_filesystem(capture_dir_, run_dir_).value_or(true);
    earlier_results_.emplace(run_dir_.parent_path(), run_dir_.filename().string());
    for (const RingFileEntry& file : pending) {
      spdlog::info("{} was not decrypted before the last stop: decrypting it now", file.path.filename().string());
      decryptor_->submit(file.path, file.name.sequence, FileOrigin::earlier_run);
    }

    RingWriterOptions writer_options;
    writer_options.directory = capture_dir_;
    writer_options.prefix = kPrefix;
    writer_options.format = config_.output.format;
    writer_options.interfaces = capture->interfaces();
    writer_options.first_sequence = first_sequence;
    auto writer = RingWriter::create(writer_options);
    if (!writer.ok()) return fail_setup(writer.error().message);

    RingRecorderOptions ring_options;
    ring_options.rotation.every_ns = config_.rotation.every_ns;
    ring_options.rotation.max_file_size = config_.rotation.max_file_size;
    ring_options.limits.keep_files = config_.rotation.keep_files;
    ring_options.limits.max_total_size = config_.rotation.max_total_size;
    ring_options.limits.min_free_space = config_.rotation.min_free_space;
    ring_options.keep_raw = config_.decrypt.keep_raw;
    recorder_ = std::make_unique<RingRecorder>(
        std::move(writer.value()), ring_options, *ledger_,
        [this](const CompletedFile& file) {
          // First what the capture dropped while it was written: its gaps are explained then.
          if (drops_ready_.load(std::memory_order_acquire)) tell_drops(drops_->look_before_handing_on(drop_counts()));
          writing_sequence_.store(file.sequence + 1);
          decryptor_->submit(file.path, file.sequence);
        },
        [this](const RingDeletion& deletion, const std::filesystem::path& path) { on_deleted(deletion, path); });
    recorder_->set_results_source([this] { return results_on_capture_disk_ ? results_on_disk() : ResultsOnDisk{}; });
    recorder_->set_note_callback([this](const std::string& note) { decryptor_->add_run_note("capture: " + note); });
    // On the writer thread; untold_write_outages_ is read after it ended.
    recorder_->set_outage_callback([this](const WriteOutage& outage) {
      if (++write_outages_ > kOutagesToldOneByOne) {
        untold_write_outages_.add(outage.start_ns, outage.end_ns, outage.packets_not_written);
        return;
      }
      decryptor_->add_run_note("capture: " + describe_outage(outage));
      if (outage.packets_not_written > 0) decryptor_->add_known_loss(known_loss(outage));
    });

    pipeline_interfaces_ = capture->interfaces();
    CapturePipelineOptions pipeline_options;
    pipeline_options.record_format = config_.output.format;  // records go to the files as encoded
    pipeline_options.on_finished = [this] { io_.post([this] { on_capture_finished(); }); };
    pipeline_options.reopen_interval = kReopenInterval;
    pipeline_options.on_interface_event = [this](const InterfaceEvent& event) { on_interface_event(event); };
    auto pipeline = CapturePipeline::start(std::move(capture), *recorder_, system_now_ns, pipeline_options);
    if (!pipeline.ok()) return fail_setup(pipeline.error().message);
    pipeline_ = std::move(pipeline.value());
    recorder_->set_counters_source([this] { return pipeline_->stats().kernel; });
    drops_.emplace(started_ns_, std::chrono::nanoseconds(pipeline_options.counters_interval).count());
    drops_ready_.store(true, std::memory_order_release);

    log_milestone("capturing on " + join(config_.capture.interfaces) + " with filter \"" + config_.capture.filter +
                  "\"; files in " + capture_dir_.string() + "; results in " + run_dir_.string() +
                  (stop_at_steady_ns_ ? "; stopping after " + config::format_duration(*config_.stop_after_ns) : ""));
    state_ = "capturing";
    notifier_.ready();
    write_status();
    context_.report_ready();

    boost::asio::signal_set signals(io_, SIGINT, SIGTERM);
    if (const auto reload = platform::reload_signal()) signals.add(*reload);
    wait_for_signal(signals);
    // The service manager's requests take the signals' way, through the loop.
    // Cleared before io_ goes: a handler then can no longer post to it.
    const HandlersCleared handlers_cleared{context_};
    context_.on_reload_requested([this] { io_.post([this] { reload("the service manager asked to reload"); }); });
    context_.on_stop_requested([this] { io_.post([this] { request_stop("the service manager asked to stop"); }); });
    schedule_status();
    if (stop_at_steady_ns_) schedule_stop(*stop_at_steady_ns_);
    if (auto interval = notifier_.watchdog_interval()) schedule_watchdog(*interval);
    io_.run();
    return exit_status_;
  }

 private:
  int fail_setup(const std::string& message) {
    spdlog::error("{}", message);
    return kServiceExitBadSetup;
  }

  struct HandlersCleared {
    platform::ServiceContext& context;
    ~HandlersCleared() { context.clear_handlers(); }
  };

  void wait_for_signal(boost::asio::signal_set& signals) {
    signals.async_wait([this, &signals](const boost::system::error_code& error, int signal) {
      if (error) return;
      if (signal == platform::reload_signal()) {
        reload("SIGHUP");
        wait_for_signal(signals);
        return;
      }
      request_stop(signal == SIGTERM ? "SIGTERM received" : "SIGINT received");
    });
  }

  // A stop asked from outside (a signal, the service manager): the current
  // file is decrypted, the queued ones wait for the next start.
  void request_stop(const std::string& why) {
    if (stopping_) {
      spdlog::warn("{} again: leaving at once (the current .part is recovered at the next start)", why);
      std::_Exit(kServiceExitFailed);
    }
    spdlog::info("{}: stopping (queued files are decrypted at the next start)", why);
    decryptor_->skip_queued();
    stop();
  }

  // On the capture thread (LostInterfaces and the decryptor's notes are
  // thread-safe): an interface that disappeared and came back.
  void on_interface_event(const InterfaceEvent& event) {
    const std::string& name = pipeline_interfaces_.at(event.interface_index).name;
    switch (event.kind) {
      case InterfaceEvent::Kind::lost:
        if (lost_interfaces_.lost(name, event.time_ns, event.message)) {
          spdlog::warn("{}; capture on it goes on when it is back (tried every {})", event.message,
                       reopen_interval_text());
        } else {
          spdlog::debug("{}; tried again every {}", event.message, reopen_interval_text());
        }
        break;
      case InterfaceEvent::Kind::still_lost:
        spdlog::log(lost_interfaces_.telling(name) ? spdlog::level::warn : spdlog::level::debug,
                    "capture on \"{}\" cannot start again yet: {}", name, event.message);
        break;
      case InterfaceEvent::Kind::back:
        if (std::optional<LostInterfaces::Ended> ended = lost_interfaces_.back(name, event.time_ns)) {
          const std::string length = outage_length(ended->outage.start_ns, ended->outage.end_ns);
          if (!ended->told) {
            spdlog::debug("capture on \"{}\" goes on, after {} without it", name, length);
            break;
          }
          spdlog::info("capture on \"{}\" goes on, after {} without it{}", name, length,
                       lost_interfaces_.told_all(name) ? "; its next outages are only counted, and told at the stop"
                                                       : "");
          decryptor_->add_run_note("capture: " + describe_interface_outage(ended->outage));
          decryptor_->add_known_loss(known_loss(ended->outage));
        }
        break;
    }
  }

  DropCounts drop_counts() const {
    const CaptureStats stats = pipeline_->stats();
    return DropCounts{kernel_drops(stats), stats.user_dropped, system_now_ns()};
  }

  // On the event loop and on the writer thread. The first kToldEpisodes
  // episodes are logged and go into the summary and the known losses; the
  // rest are logged at debug level and counted into one line at the stop.
  void tell_drops(const CaptureDrops::Found& found) {
    const auto level = found.told ? spdlog::level::warn : spdlog::level::debug;
    if (found.started) {
      spdlog::log(level, "{}", describe_drops_starting(*found.started));
    }
    if (found.ended) {
      spdlog::log(level, "{}", describe_drop_episode(*found.ended));
      if (found.told) decryptor_->add_run_note("capture: " + describe_drop_episode(*found.ended));
    }
    if (found.part) decryptor_->add_known_loss(known_loss(*found.part));
  }

  void on_capture_finished() {
    if (stopping_) return;
    const CaptureStats stats = pipeline_->stats();
    if (!stats.error.empty()) {
      spdlog::error("capture ended: {}", stats.error);
      decryptor_->add_run_note("capture: " + describe_capture_failure(system_now_ns(), stats.error));
      exit_status_ = kServiceExitFailed;
    }
    stop();
  }

  // Closes the current file, lets decryption finish (all queued files at
  // stop_after; only the current one on a signal), writes the final report.
  void stop() {
    if (stopping_) return;
    stopping_ = true;
    state_ = "stopping";
    notifier_.stopping();
    write_status();
    pipeline_->stop();
    tell_drops(drops_->look_at_stop(drop_counts()));
    if (const UntoldOutages untold = drops_->untold(); untold.count > 0) {
      decryptor_->add_run_note("capture: " + describe_untold_drop_episodes(untold));
    }
    const LostInterfaces::AtStop lost = lost_interfaces_.end_at_stop(system_now_ns());
    for (const InterfaceOutage& outage : lost.still_gone) {
      decryptor_->add_run_note("capture: " + describe_interface_outage(outage));
    }
    for (const UntoldOutages& untold : lost.untold) {
      decryptor_->add_run_note("capture: " + describe_untold_outages(untold));
    }
    if (clock_steps_ && clock_steps_->untold() > 0) {
      decryptor_->add_run_note("capture: " + describe_untold_clock_steps(clock_steps_->untold()));
    }
    if (untold_write_outages_.count > 0) {
      decryptor_->add_run_note("capture: " + describe_untold_write_outages(untold_write_outages_));
    }
    const RingRecorderStats ring = recorder_->stats();
    spdlog::info("capture closed: {} packets in {} files; decrypting what remains ({} file(s) queued)", ring.packets,
                 ring.files_written, decryptor_->backlog());
    const CaptureStats capture = pipeline_->stats();
    CaptureTotals totals;
    totals.packets_written = ring.packets;
    totals.files_written = ring.files_written;
    totals.kernel_drops = kernel_drops(capture);
    totals.writer_drops = capture.user_dropped;
    totals.not_written = ring.not_written;
    totals.files_deleted_undecrypted = ring.files_deleted_undecrypted;
    decryptor_->add_run_note("capture: " + describe_capture_totals(totals));
    if (Status finished = decryptor_->finish(); !finished.ok()) {
      spdlog::error("writing the results failed: {}", finished.error().message);
      exit_status_ = kServiceExitFailed;
    }
    state_ = "stopped";
    write_status();
    log_milestone("stopped; report in " + (run_dir_ / "summary.txt").string());
    io_.stop();
  }

  void reload(const std::string& why) {
    spdlog::info("{}: reloading keys and reopening the log", why);
    (void)setup_logging(log_options(config_.logging));
    // Check every key first; the running set changes only when all load.
    decrypt::KeyStore check;
    if (Status loaded = load_configured_keys(config_, check, KeyLogLoading::skip); !loaded.ok()) {
      spdlog::error("key reload failed, keeping the keys loaded before: {}", loaded.error().message);
      return;
    }
    decryptor_->between_files([this, config = config_](decrypt::KeyStore& store) {
      store.clear_rsa_keys();
      if (Status loaded = load_configured_keys(config, store, KeyLogLoading::skip); !loaded.ok()) {
        spdlog::error("key reload failed: {}", loaded.error().message);
        return;
      }
      key_logs_->check_from_start();
      spdlog::info("keys reloaded: {} key(s); {} key log(s) checked before the next file (one replaced is read "
                   "again from its start)",
                   config.decrypt.keys.size(), config.decrypt.keylogs.size());
    });
  }

  // On the decrypting thread, before capture file `sequence` is decrypted.
  // A key-log line is written at its handshake, so the line read while file
  // S was being written is for a handshake in S or before, or in S + 1 when
  // a rotation on the clock ran ahead of the handshake's packets still on
  // their way to the writer. Once the files before `sequence` are decrypted,
  // the lines tagged below sequence - 1 are no longer needed: the sessions
  // they are for hold their keys (and the session cache what a resumption
  // needs). Without this, a key log followed for days would grow the
  // service's memory by every handshake it ever saw. The lines read at the
  // start (tag 0) are for earlier runs' files, decrypted first, and this
  // run's first two; none goes before those are decrypted.
  void forget_key_log_lines(keys::KeyLog& key_log, std::uint64_t sequence) {
    if (sequence < first_sequence_ + 2) return;
    if (const std::size_t forgotten = key_log.forget_tagged_below(sequence - 1); forgotten > 0) {
      spdlog::debug("{} key-log secret(s) no longer needed let go of before {}", forgotten, sequence);
    }
  }

  // What this run's and earlier runs' results take. Any thread, once the run started.
  ResultsOnDisk results_on_disk() const { return {decryptor_->results_bytes(), earlier_results_->bytes()}; }

  // On the decrypting thread before each file, and on the results' writing
  // thread every few MiB of results.
  std::string decryption_wait() const {
    const Result<std::uint64_t> free = free_space(run_dir_);
    if (!free.ok()) return {};  // the writes say what is wrong
    ResultsDisk disk;
    disk.free_bytes = *free;
    disk.holds_ring = results_on_capture_disk_;
    disk.results = results_on_disk();
    RingLimits limits;
    limits.min_free_space = config_.rotation.min_free_space;
    return decryption_wait_explanation(disk, limits);
  }

  void on_decrypted(const DecryptedFile& done) {
    const std::string name = done.capture.filename().string();
    if (!done.ok) {
      spdlog::error("{} could not be decrypted: {}", name, done.error);
      return;
    }
    for (const auto& warning : done.summary.warnings) spdlog::warn("{}: {}", name, warning);
    std::uint64_t total = 0;
    for (const auto& [verdict, count] : decryptor_->verdict_counts()) total += count;
    spdlog::info("decrypted {}: {} packets; {} connection(s) ended so far in this run", name, done.summary.packets,
                 total);
    if (done.results_cut) {
      spdlog::warn("{}: some of its results were left unwritten (the results' disk was still short of "
                   "min_free_space at the stop): it stays in the ring undecrypted and is decrypted again after the "
                   "next start",
                   name);
      return;
    }
    if (Status marked = ledger_->mark(name); !marked.ok()) spdlog::error("{}", marked.error().message);
  }

  void on_deleted(const RingDeletion& deletion, const std::filesystem::path& path) {
    decryptor_->look_at_disk_again();
    if (Status forgotten = ledger_->forget(path.filename().string()); !forgotten.ok()) {
      spdlog::warn("{}", forgotten.error().message);
    }
    if (!deletion.forced) return;
    auto file = output::PrivateFile::open(run_dir_ / "deleted-before-decryption.txt", false);
    if (file.ok()) {
      (void)file->write(path.filename().string() + " (" + delete_reason_name(deletion.reason) +
                        "): deleted before decryption because the disk limit left no other choice\n");
    }
  }

  // stop_after: the capture ends, and every file it wrote is decrypted.
  void schedule_stop(std::int64_t at_steady_ns) {
    stop_timer_.expires_at(std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::nanoseconds(at_steady_ns))));
    stop_timer_.async_wait([this](const boost::system::error_code& error) {
      if (error || stopping_) return;
      spdlog::info("stop_after reached ({} since the start): closing the capture",
                   config::format_duration(*config_.stop_after_ns));
      stop();
    });
  }

  // On the event loop, every status interval.
  void look_at_clock() {
    const std::optional<ClockStep> step = clock_steps_->look(read_clocks());
    if (!step) return;
    if (clock_step_ends_file(step->by_ns(), config_.rotation.every_ns)) recorder_->end_file_at_next_tick();
    const std::string text = describe_clock_step(*step);
    if (!step->told) {
      spdlog::debug("{}", text);
      return;
    }
    spdlog::warn("{}{}", text, step->last_told ? "; the clock's next steps are only counted, and told at the stop" : "");
    decryptor_->add_run_note("capture: " + text);
  }

  void schedule_status() {
    status_timer_.expires_after(kStatusInterval);
    status_timer_.async_wait([this](const boost::system::error_code& error) {
      if (error || stopping_) return;
      look_at_clock();
      write_status();
      schedule_status();
    });
  }

  void schedule_watchdog(std::chrono::milliseconds interval) {
    watchdog_timer_.expires_after(interval);
    watchdog_timer_.async_wait([this, interval](const boost::system::error_code& error) {
      if (error) return;
      notifier_.watchdog();
      schedule_watchdog(interval);
    });
  }

  void write_status() {
    ServiceStatus s;
    s.state = state_;
    s.pid = platform::current_process_id();
    s.started_ns = started_ns_;
    s.updated_ns = system_now_ns();
    // Where the system clock will be when stop_after is reached.
    if (stop_at_steady_ns_) s.stop_at_ns = s.updated_ns + (*stop_at_steady_ns_ - steady_now_ns());
    s.config = config_.source.string();
    s.output_directory = config_.output.directory.string();
    std::optional<DropEpisode> dropping;
    if (pipeline_) {
      const CaptureStats capture = pipeline_->stats();
      s.kernel_drops = kernel_drops(capture);
      s.user_drops = capture.user_dropped;
      if (!stopping_) tell_drops(drops_->look(DropCounts{s.kernel_drops, s.user_drops, s.updated_ns}));
      // The lowest of the errors below: a disk that cannot be written may be why.
      dropping = drops_->under_way();
      if (dropping) s.last_error = describe_drops_starting(*dropping);
      if (!capture.error.empty()) s.last_error = capture.error;
    }
    if (std::string lost = lost_interfaces_.status_text(reopen_interval_text()); !lost.empty()) {
      s.last_error = std::move(lost);
    }
    if (recorder_) {
      const RingRecorderStats ring = recorder_->stats();
      s.packets = ring.packets;
      s.bytes = ring.bytes;
      s.not_written = ring.not_written;
      s.files_written = ring.files_written;
      s.files_deleted = ring.files_deleted;
      s.files_deleted_undecrypted = ring.files_deleted_undecrypted;
      s.current_file = ring.current_file;
      s.ring_bytes = ring.ring_bytes;
      s.free_bytes = ring.free_bytes;
      s.min_free_space = config_.rotation.min_free_space;
      if (!ring.last_error.empty()) s.last_error = ring.last_error;
    }
    if (decryptor_) {
      s.decrypt_backlog = decryptor_->backlog();
      s.files_decrypted = decryptor_->files_decrypted();
      s.results_bytes = decryptor_->results_bytes();
      s.decrypt_waiting = decryptor_->waiting_for();
      s.earlier_results_bytes = earlier_results_ ? earlier_results_->bytes() : 0;
      s.sessions = decryptor_->verdict_counts();
    }
    // Said once when it starts failing (a full disk fails it every few seconds) and once when it works again.
    if (Status written = write_status_file(status_file_path(config_), s); !written.ok()) {
      if (!status_write_failing_) spdlog::warn("{} (said once until it works again)", written.error().message);
      status_write_failing_ = true;
    } else if (status_write_failing_) {
      spdlog::info("the status file is written again");
      status_write_failing_ = false;
    }
    std::string status_line = state_ + ": " + std::to_string(s.packets) + " packets, " +
                              std::to_string(s.kernel_drops) + " dropped, " + std::to_string(s.files_written) +
                              " files, decrypt backlog " + std::to_string(s.decrypt_backlog);
    if (const std::string gone = lost_interfaces_.names(); !gone.empty()) {
      status_line += "; interface gone, capture on it waits: " + gone;
    }
    if (dropping) status_line += "; dropping packets";
    if (!s.decrypt_waiting.empty()) status_line += "; decryption waits for disk space";
    notifier_.status(status_line);
  }

  const config::ServiceConfig& config_;
  platform::ServiceContext& context_;
  std::unique_ptr<KeyLogFollower> key_logs_;  // used on the decrypting thread once the run starts
  std::filesystem::path capture_dir_;
  std::filesystem::path run_dir_;
  boost::asio::io_context io_;
  boost::asio::steady_timer status_timer_{io_};
  boost::asio::steady_timer watchdog_timer_{io_};
  SystemdNotifier notifier_;
  std::unique_ptr<DecryptedLedger> ledger_;
  // Before the decryptor and the recorder, which read it on their threads: it goes after them.
  std::optional<EarlierResultsGauge> earlier_results_;
  std::unique_ptr<BackgroundDecryptor> decryptor_;
  std::unique_ptr<RingRecorder> recorder_;
  std::unique_ptr<CapturePipeline> pipeline_;
  // As the pipeline numbers them; its events may come before pipeline_ is set.
  std::vector<InterfaceInfo> pipeline_interfaces_;
  LostInterfaces lost_interfaces_;
  std::size_t write_outages_ = 0;        // of the capture files, so far
  UntoldOutages untold_write_outages_;  // past the first kOutagesToldOneByOne
  std::int64_t started_ns_ = 0;
  std::optional<std::int64_t> stop_at_steady_ns_;  // stop_after, on the monotonic clock
  boost::asio::steady_timer stop_timer_{io_};
  std::optional<ClockSteps> clock_steps_;  // set when the run starts
  std::string state_ = "starting";
  bool status_write_failing_ = false;
  bool stopping_ = false;
  std::optional<CaptureDrops> drops_;     // set once the pipeline runs
  std::atomic<bool> drops_ready_{false};  // drops_ is set: for the writer thread
  int exit_status_ = kServiceExitOk;
  bool results_on_capture_disk_ = true;   // runs/ is on the capture files' filesystem
  // The capture file being written (the last completed + 1): the tag of the key-log lines read now.
  std::atomic<std::uint64_t> writing_sequence_{0};
  std::uint64_t first_sequence_ = 0;  // this run's first capture file
};

}  // namespace

std::filesystem::path status_file_path(const config::ServiceConfig& config) {
  return config.output.directory / "status.json";
}

// The master secrets recent runs proved, so that connections resuming their
// sessions decrypt after a restart too. Best effort: a key log that does not
// load is a warning, not a reason to stop.
static void load_earlier_secrets(const std::filesystem::path& runs_dir, std::int64_t now_ns, decrypt::KeyStore& keys) {
  const std::vector<std::filesystem::path> key_logs = recent_run_files(runs_dir, "keys.log", now_ns);
  for (const auto& path : key_logs) {
    // Only the lines by session ID: a client random is made new for each connection.
    if (Status loaded = keys.earlier_secrets().add_file(path, keys::KeyLog::Keep::session_ids); !loaded.ok()) {
      spdlog::warn("secrets of an earlier run not loaded: {}", loaded.error().message);
    }
  }
  // Sessions resumed by ticket after the restart.
  std::size_t tickets = 0;
  for (const auto& path : recent_run_files(runs_dir, kSessionTicketsFile, now_ns)) {
    std::ifstream in(path, std::ios::binary);
    for (std::string line; std::getline(in, line);) {
      if (auto ticket = keys::parse_session_ticket_line(line)) {
        keys.remember_ticket(ticket->ticket, ticket->master_secret);
        ++tickets;
      }
    }
  }
  if (key_logs.empty() && tickets == 0) return;
  spdlog::info("loaded the secrets of {} earlier run(s) of the last 24 h and {} session ticket(s), for resumed "
               "sessions",
               key_logs.size(), tickets);
}

int run_service(const config::ServiceConfig& config, platform::ServiceContext& context) {
  platform::set_file_creation_mask(027);
  if (Status logging = setup_logging(log_options(config.logging)); !logging.ok()) {
    log_early_error("tlsring run: " + logging.error().message, std::cerr);
    return kServiceExitBadSetup;
  }
  spdlog::info("tlsring starting with {}", config.source.string());
  if (Status providers = crypto::ensure_crypto_providers(); !providers.ok()) {
    spdlog::error("{}", providers.error().message);
    return kServiceExitBadSetup;
  }
  auto keys = std::make_unique<decrypt::KeyStore>();
  if (Status loaded = load_configured_keys(config, *keys, KeyLogLoading::skip); !loaded.ok()) {
    spdlog::error("{}", loaded.error().message);
    return kServiceExitBadSetup;
  }
  // Key logs are read now and then again before each capture file: the
  // handshakes of the capture window write their lines after this start.
  auto key_logs = std::make_unique<KeyLogFollower>(config.decrypt.keylogs);
  keys->note_key_logs_given(key_logs->size());
  if (key_logs->size() > 0) {
    // Tag 0: let go of once this run's first files are decrypted (forget_key_log_lines).
    const KeyLogFollower::Look first = key_logs->look(keys->key_log(), 0);
    tell(first);
    spdlog::info("key logs: {} secret(s) read from {} file(s); each is read again before each capture file is "
                 "decrypted, for the handshakes written to it meanwhile",
                 first.added, key_logs->size());
  }
  if (config.decrypt.keys.empty() && config.decrypt.keylogs.empty()) {
    spdlog::warn("no keys and no key logs configured: the capture runs, but nothing can be decrypted");
  }
  auto capture = LiveCapture::create(capture_options(config.capture));
  if (!capture.ok()) {
    spdlog::error("{}", capture.error().message);
    return kServiceExitBadSetup;
  }
  for (const auto& warning : (*capture)->warnings()) spdlog::warn("{}", warning);
  if (auto unused = platform::unused_user_warning(config.user, platform::kThisOperatingSystem)) {
    spdlog::warn("{}", *unused);
  }
  if (config.user && platform::running_as_root()) {
    // Capture handles are open and keys read: nothing else needs root.
    Status handed = platform::hand_directory_to(config.output.directory, *config.user);
    if (handed.ok() && config.logging.target == config::LoggingConfig::Target::file) {
      handed = platform::hand_directory_to(config.logging.file.parent_path(), *config.user);
    }
    if (handed.ok()) handed = platform::drop_privileges_to(*config.user);
    if (!handed.ok()) {
      spdlog::error("{}", handed.error().message);
      return kServiceExitBadSetup;
    }
    spdlog::info("running as user {} from now on", *config.user);
  }

  const std::filesystem::path capture_dir = config.output.directory / "capture";
  if (Status made = output::create_private_directory(capture_dir); !made.ok()) {
    spdlog::error("output.directory: {}", made.error().message);
    return kServiceExitBadSetup;
  }
  auto recovery = recover_ring_directory(capture_dir, kPrefix);
  if (!recovery.ok()) {
    spdlog::error("{}", recovery.error().message);
    return kServiceExitBadSetup;
  }
  for (const RecoveredFile& file : recovery->files) {
    if (file.deleted) {
      spdlog::warn("{} held no whole packet and was removed", file.part_path.filename().string());
    } else {
      spdlog::warn("recovered {} left by an earlier stop: {} packets kept, {} bytes cut{}",
                   file.final_path.filename().string(), file.packets_kept, file.bytes_cut,
                   file.cut_reason.empty() ? "" : " (" + file.cut_reason + ")");
    }
  }
  for (const Error& failure : recovery->failures) spdlog::error("{}", failure.message);
  auto entries = list_ring_directory(capture_dir, kPrefix);
  if (!entries.ok()) {
    spdlog::error("{}", entries.error().message);
    return kServiceExitBadSetup;
  }
  auto ledger = DecryptedLedger::open(capture_dir / ".decrypted");
  if (!ledger.ok()) {
    spdlog::error("{}", ledger.error().message);
    return kServiceExitBadSetup;
  }
  std::vector<RingFileEntry> pending;
  for (const RingFileEntry& entry : *entries) {
    if (!entry.name.part && !(*ledger)->contains(entry.path.filename().string())) pending.push_back(entry);
  }
  if (context.stop_requested()) {
    log_milestone("asked to stop while starting: stopped before capturing");
    return kServiceExitOk;
  }
  const std::int64_t started_ns = system_now_ns();
  const std::filesystem::path runs_dir = config.output.directory / "runs";
  load_earlier_secrets(runs_dir, started_ns, *keys);
  const std::filesystem::path run_dir = runs_dir / utc_compact_time(started_ns);
  Service service(config, context, capture_dir, run_dir);
  return service.run(std::move(capture.value()), std::move(keys), std::move(key_logs), std::move(ledger.value()),
                     next_free_sequence(*entries), pending);
}

}  // namespace tlsring::daemon
