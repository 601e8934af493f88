#include "daemon/service/logging.h"

#include <unistd.h>

#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/output/private_file.h"

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
    (void)!::write(STDERR_FILENO, line.data(), line.size());
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

}  // namespace

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
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return {};
}

}  // namespace tlsring::daemon
