// ServiceContext: stop delivered exactly once, however it races.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "daemon/platform/service_context.h"

using tlsring::platform::ServiceContext;

TEST_CASE("service context: a stop asked before the loop listens is delivered when it does") {
  ServiceContext context;
  context.request_stop();
  CHECK(context.stop_requested());
  int stops = 0;
  context.on_stop_requested([&] { ++stops; });
  CHECK(stops == 1);
  context.request_stop();
  CHECK(stops == 1);
}

TEST_CASE("service context: a stop asked while the loop listens runs the handler once") {
  ServiceContext context;
  int stops = 0;
  context.on_stop_requested([&] { ++stops; });
  CHECK_FALSE(context.stop_requested());
  CHECK(stops == 0);
  context.request_stop();
  context.request_stop();
  CHECK(stops == 1);
  // A handler registered later (the loop re-registering) is not run again.
  int later = 0;
  context.on_stop_requested([&] { ++later; });
  CHECK(later == 0);
}

TEST_CASE("service context: stops from many threads against a late registration deliver exactly once") {
  for (int round = 0; round < 50; ++round) {
    ServiceContext context;
    std::atomic<int> stops{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int k = 0; k < 100; ++k) context.request_stop();
      });
    }
    context.on_stop_requested([&] { ++stops; });
    for (std::thread& thread : threads) thread.join();
    CHECK(stops.load() == 1);
  }
}

TEST_CASE("service context: reloads reach a handler, none is kept for later") {
  ServiceContext context;
  int reloads = 0;
  context.request_reload();  // no handler yet: dropped (SIGHUP before the loop runs is moot too)
  context.on_reload_requested([&] { ++reloads; });
  CHECK(reloads == 0);
  context.request_reload();
  context.request_reload();
  CHECK(reloads == 2);
}

TEST_CASE("service context: after clear_handlers nothing is called") {
  ServiceContext context;
  int calls = 0;
  context.on_stop_requested([&] { ++calls; });
  context.on_reload_requested([&] { ++calls; });
  context.clear_handlers();
  context.request_reload();
  context.request_stop();
  CHECK(calls == 0);
  CHECK(context.stop_requested());
}

TEST_CASE("service context: ready is reported once, an inert context ignores it") {
  int ready = 0;
  ServiceContext context("tlsring-b", ServiceContext::Hooks{[&] { ++ready; }});
  CHECK(context.service_name() == "tlsring-b");
  context.report_ready();
  context.report_ready();
  CHECK(ready == 1);
  ServiceContext inert;
  inert.report_ready();  // Linux: nothing to tell
  CHECK_FALSE(inert.stop_requested());
  CHECK(inert.service_name().empty());
}
