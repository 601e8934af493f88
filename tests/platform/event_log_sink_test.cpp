// EventLogSink: spdlog's levels and text arrive at the EventLog as they should.
#include <catch2/catch.hpp>

#include <spdlog/logger.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/platform/event_log_sink.h"

namespace tp = tlsring::platform;

namespace {

struct Recorded {
  tp::EventSeverity severity;
  std::string text;
};

class RecordingEventLog final : public tp::EventLog {
 public:
  explicit RecordingEventLog(std::vector<Recorded>& events) : events_(events) {}
  void report(tp::EventSeverity severity, std::string_view message) override {
    events_.push_back({severity, std::string(message)});
  }

 private:
  std::vector<Recorded>& events_;
};

}  // namespace

TEST_CASE("event log sink: levels map to event types, the text is the message alone") {
  std::vector<Recorded> events;
  auto sink = std::make_shared<tp::EventLogSinkMt>(std::make_unique<RecordingEventLog>(events));
  spdlog::logger logger("tlsring-test", sink);
  logger.set_level(spdlog::level::trace);
  logger.trace("t");
  logger.debug("d");
  logger.info("capturing on {} interface(s)", 2);
  logger.warn("disk nearly full");
  logger.error("capture failed: {}", "eth0 went down");
  logger.critical("c");
  REQUIRE(events.size() == 6);
  using S = tp::EventSeverity;
  CHECK(events[0].severity == S::information);
  CHECK(events[1].severity == S::information);
  CHECK(events[2].severity == S::information);
  CHECK(events[2].text == "capturing on 2 interface(s)");
  CHECK(events[3].severity == S::warning);
  CHECK(events[3].text == "disk nearly full");
  CHECK(events[4].severity == S::error);
  CHECK(events[4].text == "capture failed: eth0 went down");
  CHECK(events[5].severity == S::error);
}

TEST_CASE("event log sink: the sink's level keeps routine lines out") {
  std::vector<Recorded> events;
  auto sink = std::make_shared<tp::EventLogSinkMt>(std::make_unique<RecordingEventLog>(events));
  sink->set_level(spdlog::level::warn);
  spdlog::logger logger("tlsring-test", sink);
  logger.set_level(spdlog::level::trace);
  logger.info("rotated");
  logger.warn("dropped 12 packets");
  REQUIRE(events.size() == 1);
  CHECK(events[0].text == "dropped 12 packets");
  CHECK(events[0].severity == tp::EventSeverity::warning);
}
