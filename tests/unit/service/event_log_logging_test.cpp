// logging.h with an event log attached (what `tlsring run` does when the
// Windows service manager runs it): a recording EventLog stands in for
// Windows' own, and what reaches it is checked against what was logged here.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "daemon/platform/platform.h"
#include "daemon/service/logging.h"

using namespace tlsring::daemon;
using tlsring::platform::EventSeverity;

namespace {

struct Event {
  EventSeverity severity;
  std::string text;
  bool operator==(const Event&) const = default;
};

class RecordingEventLog final : public tlsring::platform::EventLog {
 public:
  explicit RecordingEventLog(std::shared_ptr<std::vector<Event>> events) : events_(std::move(events)) {}
  void report(EventSeverity severity, std::string_view message) override {
    events_->push_back({severity, std::string(message)});
  }

 private:
  std::shared_ptr<std::vector<Event>> events_;
};

LogOptions console_at(const std::string& level) {
  LogOptions options;
  options.level = level;
  options.target = LogOptions::Target::console;
  return options;
}

}  // namespace

TEST_CASE("event log: warnings, errors and milestones reach it, routine info does not") {
  REQUIRE(setup_logging(console_at("info")).ok());
  auto events = std::make_shared<std::vector<Event>>();
  attach_event_log(std::make_unique<RecordingEventLog>(events));

  spdlog::info("decrypted tlsring-000001.pcapng: 12 packets");
  spdlog::debug("not even in the console");
  spdlog::warn("3 packet(s) dropped");
  spdlog::error("capture ended: {}", "the interface went down");
  log_milestone("capturing on eth0");

  const std::vector<Event> expected = {
      {EventSeverity::warning, "3 packet(s) dropped"},
      {EventSeverity::error, "capture ended: the interface went down"},
      {EventSeverity::information, "capturing on eth0"},
  };
  CHECK(*events == expected);
  attach_event_log(nullptr);
}

TEST_CASE("event log: stays attached when the logging is set up again (a reload), goes when detached") {
  REQUIRE(setup_logging(console_at("info")).ok());
  auto events = std::make_shared<std::vector<Event>>();
  attach_event_log(std::make_unique<RecordingEventLog>(events));
  REQUIRE(setup_logging(console_at("info")).ok());
  spdlog::warn("after the reload");
  REQUIRE(events->size() == 1);
  CHECK(events->back() == Event{EventSeverity::warning, "after the reload"});

  attach_event_log(nullptr);
  spdlog::warn("detached");
  log_milestone("detached too");
  CHECK(events->size() == 1);
}

TEST_CASE("event log: a second one replaces the first") {
  REQUIRE(setup_logging(console_at("info")).ok());
  auto first = std::make_shared<std::vector<Event>>();
  auto second = std::make_shared<std::vector<Event>>();
  attach_event_log(std::make_unique<RecordingEventLog>(first));
  attach_event_log(std::make_unique<RecordingEventLog>(second));
  spdlog::error("once");
  CHECK(first->empty());
  CHECK(second->size() == 1);
  attach_event_log(nullptr);
}

TEST_CASE("event log: an error before the log is set up goes to the stream and, as an error, to the event log") {
  REQUIRE(setup_logging(console_at("info")).ok());
  auto events = std::make_shared<std::vector<Event>>();
  std::ostringstream err;
  log_early_error("tlsring run: unattached", err);
  CHECK(err.str() == "tlsring run: unattached\n");
  CHECK(events->empty());

  attach_event_log(std::make_unique<RecordingEventLog>(events));
  log_early_error("tlsring run: tlsring.yaml:3:19: decrypt.keys[0].thumbprint: it has 4 hexadecimal digits", err);
  const std::vector<Event> expected = {{EventSeverity::error,
                                        "tlsring run: tlsring.yaml:3:19: decrypt.keys[0].thumbprint: it has 4 "
                                        "hexadecimal digits"}};
  CHECK(*events == expected);
  attach_event_log(nullptr);
}
