// ResultsDiskWait on its own: when the gate looks at the disk, what a stop
// does to a wait, and what the summary says of it.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "daemon/service/results_disk_wait.h"
#include "tests/unit/service/test_wait_reason.h"

using namespace tlsring;
using daemon::ResultsDiskWait;
using testsvc::TestWaitReason;

namespace {

constexpr const char* kShort = "the disk of the results has 1.0 MiB free";

}  // namespace

TEST_CASE("the results gate looks at the disk once a MiB of results, and lets them through while there is room") {
  TestWaitReason reason;
  ResultsDiskWait wait(reason.function(), std::chrono::milliseconds(10));
  constexpr std::uint64_t kStep = ResultsDiskWait::kLookEvery / 4;
  for (int i = 0; i < 3; ++i) CHECK(wait.before_write(kStep));
  CHECK(reason.asked() == 0);
  CHECK(wait.before_write(kStep));  // the fourth reaches a MiB
  CHECK(reason.asked() == 1);
  CHECK(wait.before_write(kStep));
  CHECK(reason.asked() == 1);
  CHECK(wait.before_write(ResultsDiskWait::kLookEvery));
  CHECK(reason.asked() == 2);
  CHECK(wait.wait_before_file());  // before a file: always asked
  CHECK(reason.asked() == 3);
  CHECK(wait.refused_bytes() == 0);
  CHECK(daemon::describe_decryption_waits(wait.waits()).empty());
}

TEST_CASE("after a stop the results gate leaves results unwritten while the disk is short, and the summary says so") {
  TestWaitReason reason(kShort);
  ResultsDiskWait wait(reason.function(), std::chrono::hours(1));  // a wait would end only at the stop
  wait.end_waits();
  CHECK_FALSE(wait.before_write(ResultsDiskWait::kLookEvery));
  CHECK(wait.refused_bytes() == ResultsDiskWait::kLookEvery);
  // Once it refused, the rest is refused too, even with room again: files end
  // short rather than go on after a hole.
  reason.clear();
  CHECK_FALSE(wait.before_write(100));
  CHECK(wait.refused_bytes() == ResultsDiskWait::kLookEvery + 100);
  reason.set(kShort);
  CHECK_FALSE(wait.wait_before_file());
  wait.count_file_left();
  const daemon::DecryptionWaits waits = wait.waits();
  CHECK(waits.count == 0);  // no wait began: the stop came first
  CHECK(waits.first_reason == kShort);
  CHECK(daemon::describe_decryption_waits(waits) ==
        std::string("at the stop, ") + kShort +
            ", so 1.0 MiB of results were left unwritten rather than fill that disk: the transcripts and decrypted "
            "bytes of the connections open then are incomplete, and 1 capture file(s) were left undecrypted in the "
            "ring: they are decrypted after the next start, or now with tlsring decrypt and this run's keys.log");
}

TEST_CASE("a file whose results were cut at the stop is named in the summary as left in the ring") {
  daemon::DecryptionWaits waits;
  waits.count = 2;
  waits.waited_ns = 3'000'000'000;
  waits.first_reason = kShort;
  waits.refused_bytes = 3 << 20;
  waits.files_cut = 1;
  const std::string text = daemon::describe_decryption_waits(waits);
  INFO(text);
  CHECK(text.rfind("waited 2 time(s), ", 0) == 0);
  CHECK(text.find(std::string(" in all, for room to write results: ") + kShort +
                  "; at the stop it still waited, so 3.0 MiB of results were left unwritten rather than fill that "
                  "disk: the transcripts and decrypted bytes of the connections open then are incomplete, and the "
                  "capture file being decrypted then stays in the ring undecrypted: it is decrypted again after the "
                  "next start, or now with tlsring decrypt and this run's keys.log") != std::string::npos);
  CHECK(text.find("capture file(s) were left undecrypted") == std::string::npos);
}
