// capture_wait.h on Linux: WakeEvent and CaptureWait over descriptors the test
// makes ready itself (a pipe stands in for a capture source: poll() treats
// both alike). Times are measured with the steady clock, with wide margins.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "daemon/platform/capture_wait.h"

namespace tp = tlsring::platform;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// A pipe: write one byte to make `read_end` readable.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    ::close(read_end);
    ::close(write_end);
  }
  void fill() { REQUIRE(::write(write_end, "x", 1) == 1); }
};

}  // namespace

TEST_CASE("capture wait: nothing ready, the wait lasts its timeout and reports nothing") {
  auto wake = tp::WakeEvent::create();
  REQUIRE(wake.ok());
  Pipe source;
  tp::CaptureWait wait({source.read_end}, wake->waitable());
  REQUIRE(wait.size() == 1);
  const auto start = Clock::now();
  REQUIRE(wait.wait(60ms).ok());
  CHECK(Clock::now() - start >= 55ms);
  CHECK_FALSE(wait.source_ready(0));
  CHECK_FALSE(wait.woken());
}

TEST_CASE("capture wait: a source with data is ready, the others not, and it stays ready until read") {
  auto wake = tp::WakeEvent::create();
  REQUIRE(wake.ok());
  Pipe first;
  Pipe second;
  tp::CaptureWait wait({first.read_end, second.read_end}, wake->waitable());
  second.fill();
  REQUIRE(wait.wait(5s).ok());
  CHECK_FALSE(wait.source_ready(0));
  CHECK(wait.source_ready(1));
  CHECK_FALSE(wait.woken());
  // Waiting does not consume: the data is still there.
  REQUIRE(wait.wait(5s).ok());
  CHECK(wait.source_ready(1));
  char byte = 0;
  REQUIRE(::read(second.read_end, &byte, 1) == 1);
  REQUIRE(wait.wait(10ms).ok());
  CHECK_FALSE(wait.source_ready(1));
}

TEST_CASE("capture wait: signal from another thread ends a long wait at once, clear resets it") {
  auto wake = tp::WakeEvent::create();
  REQUIRE(wake.ok());
  Pipe source;
  tp::CaptureWait wait({source.read_end}, wake->waitable());
  const auto start = Clock::now();
  std::thread signaller([&] {
    std::this_thread::sleep_for(30ms);
    wake->signal();
  });
  REQUIRE(wait.wait(10s).ok());
  const auto waited = Clock::now() - start;
  signaller.join();
  CHECK(wait.woken());
  CHECK_FALSE(wait.source_ready(0));
  CHECK(waited < 5s);
  // Stays set until cleared; signalled twice, one clear resets it.
  wake->signal();
  REQUIRE(wait.wait(10ms).ok());
  CHECK(wait.woken());
  wake->clear();
  REQUIRE(wait.wait(10ms).ok());
  CHECK_FALSE(wait.woken());
}

TEST_CASE("capture wait: a moved wake event keeps its descriptor, the moved-from one has none") {
  auto created = tp::WakeEvent::create();
  REQUIRE(created.ok());
  const tp::Waitable fd = created->waitable();
  CHECK(fd >= 0);
  tp::WakeEvent moved = std::move(created.value());
  CHECK(moved.waitable() == fd);
  CHECK(created->waitable() == tp::kNoWaitable);
  CHECK(moved.fd() == fd);
}
