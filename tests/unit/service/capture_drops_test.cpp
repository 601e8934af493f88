// CaptureDrops: the episodes in which the capture dropped packets, from looks
// at the drop counters with the time passed in, and what they tell the log,
// the summary and the decryption.
#include <catch2/catch.hpp>

#include "daemon/service/capture_drops.h"

using namespace tlsring::daemon;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

DropCounts counts(std::uint64_t kernel, std::uint64_t writer, std::int64_t seconds) {
  return DropCounts{kernel, writer, seconds * kSecond};
}

void check_episode(const std::optional<DropEpisode>& e, std::int64_t from_s, std::int64_t to_s, std::uint64_t kernel,
                   std::uint64_t writer) {
  REQUIRE(e.has_value());
  CHECK(e->from_ns == from_s * kSecond);
  CHECK(e->to_ns == to_s * kSecond);
  CHECK(e->kernel == kernel);
  CHECK(e->writer == writer);
}

}  // namespace

TEST_CASE("a drop episode runs from the look before the first drops to the last look with new drops") {
  CaptureDrops drops(0, 1 * kSecond);  // the kernel's counters may be 1 s old
  CaptureDrops::Found quiet = drops.look(counts(0, 0, 2));
  CHECK_FALSE(quiet.started);
  CHECK_FALSE(quiet.ended);
  CHECK_FALSE(quiet.part);

  // Dropped since the look at 2 s, or in the second before it.
  const CaptureDrops::Found started = drops.look(counts(5, 0, 4));
  check_episode(started.started, 1, 4, 5, 0);
  CHECK(started.told);
  CHECK_FALSE(started.ended);
  CHECK_FALSE(started.part);  // given to the decryption when it ends, or when a file is handed on

  check_episode(drops.under_way(), 1, 4, 5, 0);
  const CaptureDrops::Found going_on = drops.look(counts(8, 2, 6));
  CHECK_FALSE(going_on.started);
  CHECK_FALSE(going_on.ended);
  check_episode(drops.under_way(), 1, 6, 8, 2);

  const CaptureDrops::Found ended = drops.look(counts(8, 2, 8));
  check_episode(ended.ended, 1, 6, 8, 2);
  check_episode(ended.part, 1, 6, 8, 2);
  CHECK(ended.told);
  CHECK_FALSE(drops.under_way());
  CHECK(drops.untold().count == 0);

  CHECK_FALSE(drops.look(counts(8, 2, 10)).ended);  // nothing new: no episode
}

TEST_CASE("a capture file handed on during a drop episode takes the part seen so far, the end takes the rest") {
  CaptureDrops drops(0, 0);
  (void)drops.look(counts(0, 0, 2));
  check_episode(drops.look(counts(5, 0, 4)).started, 2, 4, 5, 0);
  const CaptureDrops::Found handed = drops.look_before_handing_on(counts(7, 0, 5));
  check_episode(handed.part, 2, 5, 7, 0);
  CHECK_FALSE(handed.ended);
  // The next file takes what came after.
  check_episode(drops.look_before_handing_on(counts(9, 1, 7)).part, 5, 7, 2, 1);
  const CaptureDrops::Found ended = drops.look(counts(9, 1, 9));
  check_episode(ended.ended, 2, 7, 9, 1);
  CHECK_FALSE(ended.part);  // the file handed on at 7 s took the rest
}

TEST_CASE("the parts a drop episode gives the decryption cover it once, however many files are handed on") {
  CaptureDrops drops(0, 0);
  std::uint64_t kernel = 0;
  std::vector<DropEpisode> parts;
  for (std::int64_t second = 1; second <= 10; ++second) {
    kernel += 3;
    const CaptureDrops::Found found = second % 4 == 0 ? drops.look_before_handing_on(counts(kernel, 0, second))
                                                      : drops.look(counts(kernel, 0, second));
    if (found.part) parts.push_back(*found.part);
  }
  const CaptureDrops::Found ended = drops.look(counts(kernel, 0, 11));
  REQUIRE(ended.part);
  parts.push_back(*ended.part);
  check_episode(ended.ended, 0, 10, kernel, 0);
  REQUIRE(parts.size() == 3);  // handed on at 4 and 8 s, then the end
  std::uint64_t in_parts = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    INFO("part " << i);
    in_parts += parts[i].kernel;
    if (i > 0) CHECK(parts[i].from_ns == parts[i - 1].to_ns);
  }
  CHECK(in_parts == kernel);
  CHECK(parts.front().from_ns == 0);
}

TEST_CASE("past the first episodes told one by one, drop episodes are only counted") {
  CaptureDrops drops(0, 0);
  std::uint64_t kernel = 0;
  std::int64_t second = 0;
  std::size_t told = 0;
  std::size_t with_parts = 0;
  for (std::size_t episode = 0; episode < CaptureDrops::kToldEpisodes + 3; ++episode) {
    kernel += 10;
    const CaptureDrops::Found started = drops.look(counts(kernel, 0, ++second));
    REQUIRE(started.started);
    const CaptureDrops::Found ended = drops.look(counts(kernel, 0, ++second));
    REQUIRE(ended.ended);
    CHECK(started.told == ended.told);
    if (ended.told) ++told;
    if (ended.part) ++with_parts;
  }
  CHECK(told == CaptureDrops::kToldEpisodes);
  CHECK(with_parts == CaptureDrops::kToldEpisodes);
  const UntoldOutages untold = drops.untold();
  CHECK(untold.count == 3);
  CHECK(untold.packets == 30);
  CHECK(untold.first_start_ns == 2 * CaptureDrops::kToldEpisodes * kSecond);
  CHECK(untold.last_end_ns == second * kSecond - kSecond);
  const std::string line = describe_untold_drop_episodes(untold);
  CHECK_THAT(line, Catch::Contains("the capture dropped packets 3 more time(s) between") &&
                       Catch::Contains("30 packet(s) in all") && Catch::Contains("capture.buffer_size"));
}

TEST_CASE("the stop ends the drop episode under way, even one that starts at that last look") {
  CaptureDrops drops(0, 0);
  (void)drops.look(counts(0, 0, 2));
  const CaptureDrops::Found last = drops.look_at_stop(counts(0, 4, 3));
  check_episode(last.started, 2, 3, 0, 4);
  check_episode(last.ended, 2, 3, 0, 4);
  check_episode(last.part, 2, 3, 0, 4);

  CaptureDrops quiet(0, 0);
  const CaptureDrops::Found none = quiet.look_at_stop(counts(0, 0, 3));
  CHECK_FALSE(none.started);
  CHECK_FALSE(none.ended);
}

TEST_CASE("a drop episode says what dropped the packets and what to do, in the summary and as a known loss") {
  const DropEpisode kernel_only{1700000000 * kSecond, 1700000006 * kSecond, 7, 0};
  CHECK_THAT(describe_drop_episode(kernel_only),
             Catch::Contains("between 2023-11-14T22:13:20Z and 2023-11-14T22:13:26Z (6s) the capture dropped 7 "
                             "packet(s) by the kernel (its capture buffer was full") &&
                 Catch::Contains("what to do: raise capture.buffer_size"));
  const tlsring::decrypt::KnownCaptureLoss loss = known_loss(kernel_only);
  CHECK(loss.from_ns == kernel_only.from_ns);
  CHECK(loss.to_ns == kernel_only.to_ns);
  CHECK_THAT(loss.what, Catch::StartsWith("the capture dropped 7 packet(s) by the kernel"));
  CHECK_THAT(loss.fix, Catch::StartsWith("raise capture.buffer_size"));

  const DropEpisode both{1700000000 * kSecond, 1700000001 * kSecond, 3, 2};
  CHECK_THAT(describe_drop_episode(both),
             Catch::Contains("dropped 5 packet(s): 3 by the kernel") && Catch::Contains("2 by tlsring (its writer"));
  CHECK_THAT(describe_drops_starting(both), Catch::StartsWith("the capture is dropping packets: 5 packet(s)") &&
                                                Catch::Contains("since about 2023-11-14T22:13:20Z"));
}
