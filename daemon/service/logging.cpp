#include "daemon/service/logging.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/output/private_file.h"
#include "daemon/platform/event_log_sink.h"
#include "daemon/platform/process.h"

namespace tlsring::daemon {
namespace {

// journald reads "<N>" at the start of a line as its syslog priority and adds
// the time itself.
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line = "<" + std::to_string(priority(msg.level)) + ">";
    line.append(formatted.data(), formatted.size());
    platform::write_standard_error(line);
  }
  void flush_() override {}

 private:
  static int priority(spdlog::level::level_enum level) {
    switch (level) {
      case spdlog::level::critical: return 2;
      case spdlog::level::err: return 3;
      case spdlog::level::warn: return 4;
      case spdlog::level::info: return 6;
      default: return 7;
    }
  }
};

// The event log's sink, kept across setup_logging calls (a reload builds a
// new logger; the event source stays registered). Guarded: the sink is
// attached on the service's thread, milestones come from its event loop.
struct EventLogState {
  std::mutex mutex;
  std::shared_ptr<platform::EventLogSinkMt> sink;
};

EventLogState& event_log_state() {
  static EventLogState state;
  return state;
}

std::shared_ptr<platform::EventLogSinkMt> event_log_sink() {
  EventLogState& state = event_log_state();
  std::lock_guard lock(state.mutex);
  return state.sink;
}

void add_event_log_sink(spdlog::logger& logger, const std::shared_ptr<platform::EventLogSinkMt>& sink) {
  if (sink) logger.sinks().push_back(sink);
}

// Straight to the event log, past its sink's level (which keeps routine
// lines out): for the lines sent there on purpose.
void to_event_log(spdlog::level::level_enum level, const std::string& text) {
  if (const auto sink = event_log_sink()) {
    sink->log(spdlog::details::log_msg(spdlog::default_logger()->name(), level, text));
  }
}

}  // namespace

void attach_event_log(std::unique_ptr<platform::EventLog> event_log) {
  std::shared_ptr<platform::EventLogSinkMt> sink;
  if (event_log) {
    sink = std::make_shared<platform::EventLogSinkMt>(std::move(event_log));
    sink->set_level(spdlog::level::warn);
  }
  std::shared_ptr<platform::EventLogSinkMt> old;
  {
    EventLogState& state = event_log_state();
    std::lock_guard lock(state.mutex);
    old = std::exchange(state.sink, sink);
  }
  // spdlog's sinks() is not thread safe: attach before other threads log.
  const std::shared_ptr<spdlog::logger> logger = spdlog::default_logger();
  auto& sinks = logger->sinks();
  if (old) sinks.erase(std::remove(sinks.begin(), sinks.end(), old), sinks.end());
  add_event_log_sink(*logger, sink);
}

void log_early_error(const std::string& text, std::ostream& err) {
  err << text << "\n";
  to_event_log(spdlog::level::err, text);
}

void log_milestone(const std::string& text) {
  spdlog::info("{}", text);
  to_event_log(spdlog::level::info, text);
}

Status setup_logging(const LogOptions& options) {
  const spdlog::level::level_enum level = spdlog::level::from_str(options.level);
  std::shared_ptr<spdlog::logger> logger;
  try {
    switch (options.target) {
      case LogOptions::Target::console: {
        auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        logger = std::make_shared<spdlog::logger>("tlsring", sink);
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
        break;
      }
      case LogOptions::Target::journal: {
        logger = std::make_shared<spdlog::logger>("tlsring", std::make_shared<JournalSink>());
        logger->set_pattern("%v");
        break;
      }
      case LogOptions::Target::file: {
        if (auto made = output::create_private_directory(options.file.parent_path()); !made.ok()) {
          return made.error().with_context("logging.file");
        }
        auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            options.file.string(), options.max_file_size, std::max(1u, options.max_files));
        logger = std::make_shared<spdlog::logger>("tlsring", sink);
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l %v");
        break;
      }
    }
  } catch (const spdlog::spdlog_ex& e) {
    return make_error("cannot open the log file " + options.file.string() + ": " + e.what());
  }
  add_event_log_sink(*logger, event_log_sink());
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return {};
}

}  // namespace tlsring::daemon
