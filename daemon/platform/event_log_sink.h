// EventLogSink: an spdlog sink writing to a platform::EventLog (the Windows
// Application event log), so that the service's own messages show in Event
// Viewer. Portable: it only adapts spdlog to platform.h's EventLog, which the
// Windows files implement without spdlog.
//
// Levels: trace, debug, info -> information; warn -> warning; error,
// critical -> error. The text is the formatted message, by default only the
// message itself ("%v": the event log has its own time, source and level).
// Give the sink a level (set_level) so that routine lines stay in the log
// file: warn, plus the few info lines the service sends on purpose.
#pragma once

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>
#include <string_view>

#include "daemon/platform/platform.h"

namespace tlsring::platform {

template <class Mutex>
class EventLogSink final : public spdlog::sinks::base_sink<Mutex> {
 public:
  explicit EventLogSink(std::unique_ptr<EventLog> event_log) : event_log_(std::move(event_log)) {
    this->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v", spdlog::pattern_time_type::local, ""));
  }

  static EventSeverity severity_of(spdlog::level::level_enum level) {
    if (level >= spdlog::level::err) return EventSeverity::error;
    if (level == spdlog::level::warn) return EventSeverity::warning;
    return EventSeverity::information;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    if (message.level == spdlog::level::off) return;
    spdlog::memory_buf_t text;
    this->formatter_->format(message, text);
    event_log_->report(severity_of(message.level), std::string_view(text.data(), text.size()));
  }

  void flush_() override {}

 private:
  std::unique_ptr<EventLog> event_log_;
};

using EventLogSinkMt = EventLogSink<std::mutex>;

}  // namespace tlsring::platform
