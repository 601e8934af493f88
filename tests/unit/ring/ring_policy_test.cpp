// Ring cleanup policy: a table of rings, limits and free space, with the
// deletions each must give worked out by hand from the rules in ring_policy.h.
#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

#include "daemon/ring/ring_policy.h"

using namespace tlsring::daemon;

namespace {

constexpr bool T = true;   // decrypted
constexpr bool F = false;  // not yet decrypted
using R = DeleteReason;

struct Expected {
  std::uint64_t sequence;
  DeleteReason reason;
  bool forced;
};

struct Case {
  const char* what;
  std::vector<RingFile> files;
  std::optional<std::uint64_t> current;
  std::uint64_t free_bytes;
  bool keep_raw;
  RingLimits limits;
  std::vector<Expected> deletions;
  bool must_pause;
  std::uint64_t over_total;
  std::uint64_t free_missing;
};

RingLimits keep(std::uint64_t n) { return RingLimits{n, std::nullopt, 0}; }
RingLimits total(std::uint64_t bytes) { return RingLimits{std::nullopt, bytes, 0}; }
RingLimits free_min(std::uint64_t bytes) { return RingLimits{std::nullopt, std::nullopt, bytes}; }

std::string describe(const std::vector<RingDeletion>& deletions) {
  std::ostringstream out;
  for (const auto& d : deletions) {
    out << d.sequence << ":" << delete_reason_name(d.reason) << (d.forced ? ":forced" : "") << " ";
  }
  return out.str();
}

}  // namespace

TEST_CASE("plan_ring_cleanup: table of rings") {
  const Case cases[] = {
      {"within every limit", {{1, 100, T}, {2, 100, F}}, 50, 10'000, true,
       RingLimits{5, 1000, 100}, {}, false, 0, 0},
      {"keep_files: oldest decrypted files go", {{1, 100, T}, {2, 100, T}, {3, 100, F}, {4, 100, T}, {5, 100, F}},
       10, 10'000, true, keep(3), {{1, R::keep_files, F}, {2, R::keep_files, F}, {4, R::keep_files, F}}, false, 0, 0},
      {"keep_files never deletes an undecrypted file", {{1, 100, F}, {2, 100, F}, {3, 100, F}, {4, 100, F}},
       10, 10'000, true, keep(2), {}, false, 0, 0},
      {"keep_files: only the decrypted ones go", {{1, 100, F}, {2, 100, T}, {3, 100, F}, {4, 100, F}},
       10, 10'000, true, keep(2), {{2, R::keep_files, F}}, false, 0, 0},
      {"keep_files counts the file being written", {{1, 100, T}, {2, 100, T}}, 0, 10'000, true, keep(2),
       {{1, R::keep_files, F}}, false, 0, 0},
      {"keep_files, no file being written", {{1, 100, T}, {2, 100, T}}, std::nullopt, 10'000, true, keep(2),
       {}, false, 0, 0},
      {"input in any order", {{3, 10, T}, {1, 10, T}, {2, 10, T}}, std::nullopt, 10'000, true, keep(1),
       {{1, R::keep_files, F}, {2, R::keep_files, F}}, false, 0, 0},
      {"max_total_size: decrypted first", {{1, 100, F}, {2, 100, T}, {3, 100, T}, {4, 100, F}}, 50, 10'000,
       true, total(260), {{2, R::max_total_size, F}, {3, R::max_total_size, F}}, false, 0, 0},
      {"max_total_size: then the oldest undecrypted, forced", {{1, 100, F}, {2, 100, T}, {3, 100, T}, {4, 100, F}},
       50, 10'000, true, total(160),
       {{2, R::max_total_size, F}, {3, R::max_total_size, F}, {1, R::max_total_size, T}}, false, 0, 0},
      {"max_total_size exactly met", {{1, 100, T}, {2, 100, T}}, 50, 10'000, true, total(250), {}, false, 0, 0},
      {"min_free_space: decrypted first", {{1, 100, T}, {2, 100, F}, {3, 100, T}}, 10, 50, true, free_min(200),
       {{1, R::min_free_space, F}, {3, R::min_free_space, F}}, false, 0, 0},
      {"min_free_space: forced", {{1, 100, T}, {2, 100, F}, {3, 100, T}}, 10, 50, true, free_min(320),
       {{1, R::min_free_space, F}, {3, R::min_free_space, F}, {2, R::min_free_space, T}}, false, 0, 0},
      // 50 free + 300 in the ring < 400: hopeless, so file 2 (undecrypted) stays.
      {"min_free_space unreachable: pause, keep undecrypted", {{1, 100, T}, {2, 100, F}, {3, 100, T}}, 10, 50,
       true, free_min(400), {{1, R::min_free_space, F}, {3, R::min_free_space, F}}, true, 0, 150},
      // the file being written alone (500) exceeds 400: 600 left after file 1.
      {"file being written exceeds max_total_size: pause", {{1, 100, T}, {2, 100, F}}, 500, 10'000, true,
       total(400), {{1, R::max_total_size, F}}, true, 200, 0},
      {"nothing deletable and full: pause", {{1, 100, F}}, 10, 0, true, RingLimits{1, 50, 1000}, {}, true, 60, 1000},
      {"keep_raw false: decrypted files go at once", {{1, 100, T}, {2, 100, F}, {3, 100, T}}, 10, 10'000, false,
       RingLimits{}, {{1, R::decrypted_not_kept, F}, {3, R::decrypted_not_kept, F}}, false, 0, 0},
      {"keep_raw false, then a forced deletion", {{1, 100, T}, {2, 100, F}, {3, 100, T}, {4, 100, F}}, 0, 10'000,
       false, total(150),
       {{1, R::decrypted_not_kept, F}, {3, R::decrypted_not_kept, F}, {2, R::max_total_size, T}}, false, 0, 0},
      {"the reason follows the limit still violated", {{1, 100, T}, {2, 100, T}, {3, 100, T}}, 0, 0, true,
       RingLimits{std::nullopt, 250, 250},
       {{1, R::max_total_size, F}, {2, R::min_free_space, F}, {3, R::min_free_space, F}}, false, 0, 0},
      {"keep_files, then a disk limit forces", {{1, 100, F}, {2, 100, T}}, 100, 10'000, true,
       RingLimits{1, 150, 0}, {{2, R::keep_files, F}, {1, R::max_total_size, T}}, false, 0, 0},
      {"empty ring", {}, 0, 0, true, RingLimits{0, 0, 0}, {}, false, 0, 0},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    RingInput input{c.files, c.current, c.free_bytes, c.keep_raw};
    const RingPlan plan = plan_ring_cleanup(c.limits, input);
    INFO("got: " << describe(plan.deletions));
    REQUIRE(plan.deletions.size() == c.deletions.size());
    for (std::size_t i = 0; i < c.deletions.size(); ++i) {
      CHECK(plan.deletions[i].sequence == c.deletions[i].sequence);
      CHECK(plan.deletions[i].reason == c.deletions[i].reason);
      CHECK(plan.deletions[i].forced == c.deletions[i].forced);
      for (const RingFile& f : c.files) {
        if (f.sequence == c.deletions[i].sequence) CHECK(plan.deletions[i].size == f.size);
      }
    }
    CHECK(plan.must_pause_capture == c.must_pause);
    CHECK(plan.over_total_size == c.over_total);
    CHECK(plan.free_space_missing == c.free_missing);
    CHECK(pause_explanation(plan, c.limits).empty() == !c.must_pause);
  }
}

TEST_CASE("plan_ring_cleanup: sizes after the plan") {
  const std::vector<RingFile> files = {{1, 300, T}, {2, 200, F}, {3, 100, T}};
  const RingPlan plan = plan_ring_cleanup(RingLimits{std::nullopt, 400, 0}, RingInput{files, 50, 1000, true});
  // 650 in all: file 1 (300) goes, leaving 350 <= 400.
  REQUIRE(plan.deletions.size() == 1);
  CHECK(plan.deletions[0].sequence == 1);
  CHECK(plan.deletions[0].size == 300);
  CHECK(plan.total_size_after == 350);
  CHECK(plan.free_bytes_after == 1300);
  CHECK_FALSE(plan.must_pause_capture);
}

TEST_CASE("pause_explanation names the limits and what to do") {
  const std::vector<RingFile> files = {{1, 100, F}};
  const RingLimits limits{std::nullopt, 50, 1000};
  const RingPlan plan = plan_ring_cleanup(limits, RingInput{files, 10, 0, true});
  REQUIRE(plan.must_pause_capture);
  const std::string text = pause_explanation(plan, limits);
  CHECK_THAT(text, Catch::Contains("max_total_size 50") && Catch::Contains("min_free_space 1000") &&
                       Catch::Contains("not yet decrypted are kept") && Catch::Contains("free space"));
}

TEST_CASE("pause_explanation: what the decrypted results take of the disk, and what frees it") {
  constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;
  const std::vector<RingFile> files = {{1, kGiB, F}};
  const RingLimits limits{std::nullopt, std::nullopt, 2 * kGiB};
  const RingPlan plan = plan_ring_cleanup(limits, RingInput{files, kGiB / 2, kGiB / 2, true});
  REQUIRE(plan.must_pause_capture);
  const std::string with_results = pause_explanation(plan, limits, ResultsOnDisk{5 * kGiB, 30 * kGiB});
  CHECK_THAT(with_results,
             Catch::Contains("the filesystem has 512 MiB free, below min_free_space 2.0 GiB") &&
                 Catch::Contains("tlsring's decrypted results take 35 GiB of that disk (5.0 GiB written by this "
                                 "run, 30 GiB left by earlier runs, in output.directory/runs), which the ring "
                                 "does not delete") &&
                 Catch::Contains("move earlier runs' results (output.directory/runs/) to another disk") &&
                 Catch::Contains("decrypt.transcripts or decrypt.payload: false"));
  // No earlier runs: nothing to move.
  const std::string this_run_only = pause_explanation(plan, limits, ResultsOnDisk{5 * kGiB, 0});
  CHECK_THAT(this_run_only, Catch::Contains("(5.0 GiB written by this run, in output.directory/runs)"));
  CHECK(this_run_only.find("earlier runs") == std::string::npos);
  // No results on this disk: the text of before, nothing about results.
  CHECK(pause_explanation(plan, limits).find("results") == std::string::npos);
  CHECK(pause_explanation(plan, limits, ResultsOnDisk{}) == pause_explanation(plan, limits));
}

TEST_CASE("describe_free_space_deletions: said when min_free_space deletes files, with the results' share") {
  constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
  // 100 MiB free, 256 MiB wanted: files 1 and 2 (100 MiB each, decrypted) go, which frees 200 MiB.
  const std::vector<RingFile> files = {{1, 100 * kMiB, T}, {2, 100 * kMiB, T}, {3, 100 * kMiB, T}};
  const RingLimits limits{std::nullopt, std::nullopt, 256 * kMiB};
  const RingPlan plan = plan_ring_cleanup(limits, RingInput{files, 10 * kMiB, 100 * kMiB, true});
  REQUIRE(plan.deletions.size() == 2);
  const std::string text = describe_free_space_deletions(plan, limits, ResultsOnDisk{700 * kMiB, 0});
  CHECK_THAT(text, Catch::StartsWith("the disk of the capture files had less than min_free_space 256 MiB free, "
                                     "so the oldest capture files are deleted early to keep it free (2 file(s), "
                                     "200 MiB this time)") &&
                       Catch::Contains("tlsring's decrypted results take 700 MiB of that disk") &&
                       Catch::Contains("what to do: free space on that disk, or lower min_free_space"));
  // Deletions for another limit, or none: nothing to say.
  const RingLimits count_only{1, std::nullopt, 0};
  const RingPlan by_count = plan_ring_cleanup(count_only, RingInput{files, 10 * kMiB, 100 * kMiB, true});
  REQUIRE_FALSE(by_count.deletions.empty());
  CHECK(describe_free_space_deletions(by_count, count_only, ResultsOnDisk{700 * kMiB, 0}).empty());
  const RingPlan roomy = plan_ring_cleanup(limits, RingInput{files, 10 * kMiB, 1024 * kMiB, true});
  CHECK(roomy.deletions.empty());
  CHECK(describe_free_space_deletions(roomy, limits, ResultsOnDisk{}).empty());
}

TEST_CASE("decryption_wait_explanation: decryption waits while the results' disk has less than min_free_space") {
  constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
  const RingLimits limits{std::nullopt, std::nullopt, 256 * kMiB};
  // Enough free, exactly enough, or no min_free_space: no wait.
  CHECK(decryption_wait_explanation(ResultsDisk{300 * kMiB, true, {}}, limits).empty());
  CHECK(decryption_wait_explanation(ResultsDisk{256 * kMiB, true, {}}, limits).empty());
  CHECK(decryption_wait_explanation(ResultsDisk{0, true, {}}, RingLimits{}).empty());

  // On the ring's disk: the ring frees it, and the results' share is named.
  const std::string shared = decryption_wait_explanation(ResultsDisk{100 * kMiB, true, {700 * kMiB, 0}}, limits);
  CHECK_THAT(shared, Catch::StartsWith("the disk of the results (output.directory/runs) has 100 MiB free, 156 "
                                       "MiB short of min_free_space 256 MiB, so decryption waits") &&
                         Catch::Contains("tlsring's decrypted results take 700 MiB of that disk") &&
                         Catch::Contains("the ring deletes decrypted ones to free the disk") &&
                         Catch::Contains("decryption goes on by itself once min_free_space is free") &&
                         Catch::Contains("what to do: free space on that disk, or lower min_free_space") &&
                         Catch::Contains("decrypt.transcripts or decrypt.payload: false"));
  // On a disk of its own: the ring cannot free it, so nothing says it does.
  const std::string apart = decryption_wait_explanation(ResultsDisk{100 * kMiB, false, {}}, limits);
  CHECK_THAT(apart, Catch::StartsWith("the disk of the results (output.directory/runs) has 100 MiB free") &&
                        Catch::Contains("the capture files, on another disk, wait undecrypted in the ring") &&
                        Catch::Contains("move earlier runs' results, output.directory/runs/, elsewhere"));
  CHECK(apart.find("the ring deletes") == std::string::npos);
}
