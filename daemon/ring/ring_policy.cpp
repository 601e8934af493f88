#include "daemon/ring/ring_policy.h"

#include <algorithm>
#include <limits>

#include "config/size.h"

namespace tlsring::daemon {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::uint64_t add_saturating(std::uint64_t a, std::uint64_t b) { return a > kMax - b ? kMax : a + b; }

// The ring as the plan goes: files not yet chosen, in sequence order.
struct Ring {
  std::vector<RingFile> files;       // sorted by sequence
  std::vector<bool> deleted;
  std::uint64_t completed_size = 0;  // of the files not deleted
  std::uint64_t current_size = 0;
  bool has_current = false;
  std::uint64_t freed = 0;
  std::uint64_t free_bytes = 0;
  std::vector<RingDeletion> deletions;

  std::uint64_t total() const { return add_saturating(completed_size, current_size); }
  std::uint64_t free_now() const { return add_saturating(free_bytes, freed); }
  std::uint64_t count() const {
    const auto left = static_cast<std::uint64_t>(std::count(deleted.begin(), deleted.end(), false));
    return left + (has_current ? 1 : 0);
  }

  // Index of the oldest file left that is (not) decrypted, or npos.
  std::size_t oldest(bool decrypted) const {
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (!deleted[i] && files[i].decrypted == decrypted) return i;
    }
    return npos;
  }

  void remove(std::size_t i, DeleteReason reason) {
    deleted[i] = true;
    completed_size -= files[i].size;
    freed = add_saturating(freed, files[i].size);
    deletions.push_back(RingDeletion{files[i].sequence, files[i].size, reason, !files[i].decrypted});
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

bool over_total(const Ring& ring, const RingLimits& limits) {
  return limits.max_total_size && ring.total() > *limits.max_total_size;
}
bool under_free(const Ring& ring, const RingLimits& limits) {
  return ring.free_now() < limits.min_free_space;
}

}  // namespace

RingPlan plan_ring_cleanup(const RingLimits& limits, const RingInput& input) {
  Ring ring;
  ring.files.assign(input.completed.begin(), input.completed.end());
  std::stable_sort(ring.files.begin(), ring.files.end(),
                   [](const RingFile& a, const RingFile& b) { return a.sequence < b.sequence; });
  ring.deleted.assign(ring.files.size(), false);
  for (const RingFile& f : ring.files) ring.completed_size = add_saturating(ring.completed_size, f.size);
  ring.has_current = input.current_file_size.has_value();
  ring.current_size = input.current_file_size.value_or(0);
  ring.free_bytes = input.free_bytes;

  // Rule 2: transcripts are what is kept; the raw file goes once decrypted.
  if (!input.keep_raw) {
    for (std::size_t i = 0; i < ring.files.size(); ++i) {
      if (ring.files[i].decrypted) ring.remove(i, DeleteReason::decrypted_not_kept);
    }
  }

  // Rule 3: a count limit is a preference, not an emergency: decrypted files only.
  if (limits.keep_files) {
    while (ring.count() > *limits.keep_files) {
      const std::size_t i = ring.oldest(true);
      if (i == Ring::npos) break;
      ring.remove(i, DeleteReason::keep_files);
    }
  }

  // Rule 5's test, made before rule 4: could deleting every completed file left
  // satisfy the disk limits? If not, undecrypted files are not sacrificed.
  const bool satisfiable =
      (!limits.max_total_size || ring.current_size <= *limits.max_total_size) &&
      add_saturating(ring.free_now(), ring.completed_size) >= limits.min_free_space;

  // Rule 4: decrypted files first; undecrypted only when that is enough in the end.
  while (over_total(ring, limits) || under_free(ring, limits)) {
    std::size_t i = ring.oldest(true);
    if (i == Ring::npos && satisfiable) i = ring.oldest(false);
    if (i == Ring::npos) break;
    ring.remove(i, over_total(ring, limits) ? DeleteReason::max_total_size
                                            : DeleteReason::min_free_space);
  }

  RingPlan plan;
  plan.deletions = std::move(ring.deletions);
  plan.total_size_after = ring.total();
  plan.free_bytes_after = ring.free_now();
  if (over_total(ring, limits)) plan.over_total_size = ring.total() - *limits.max_total_size;
  if (under_free(ring, limits)) plan.free_space_missing = limits.min_free_space - ring.free_now();
  plan.must_pause_capture = plan.over_total_size > 0 || plan.free_space_missing > 0;
  return plan;
}

const char* delete_reason_name(DeleteReason reason) {
  switch (reason) {
    case DeleteReason::decrypted_not_kept: return "decrypted_not_kept";
    case DeleteReason::keep_files: return "keep_files";
    case DeleteReason::max_total_size: return "max_total_size";
    case DeleteReason::min_free_space: return "min_free_space";
  }
  return "keep_files";
}

namespace {

using config::human_size;

// "; tlsring's decrypted results take …": what the ring cannot free. Empty
// when there are none on this disk.
std::string results_share(const ResultsOnDisk& results) {
  if (results.total() == 0) return {};
  std::string text = "; tlsring's decrypted results take " + human_size(results.total()) +
                     " of that disk (" + human_size(results.this_run) + " written by this run";
  if (results.earlier_runs > 0) text += ", " + human_size(results.earlier_runs) + " left by earlier runs";
  return text + ", in output.directory/runs), which the ring does not delete";
}

// What frees the disk for the ring, besides the limits themselves.
std::string results_fix(const ResultsOnDisk& results) {
  if (results.total() == 0) return {};
  std::string text = "; or make room beside the results: ";
  if (results.earlier_runs > 0) text += "move earlier runs' results (output.directory/runs/) to another disk, ";
  return text + "write fewer of them (decrypt.transcripts or decrypt.payload: false), or give "
                "output.directory a larger disk";
}

}  // namespace

std::string pause_explanation(const RingPlan& plan, const RingLimits& limits, const ResultsOnDisk& results) {
  if (!plan.must_pause_capture) return {};
  std::string text;
  if (plan.over_total_size > 0) {
    text += "the capture ring holds " + human_size(plan.total_size_after) + ", above max_total_size " +
            human_size(limits.max_total_size.value_or(0)) + " even after deleting every file that may be deleted";
  }
  if (plan.free_space_missing > 0) {
    if (!text.empty()) text += "; ";
    text += "the filesystem has " + human_size(plan.free_bytes_after) + " free, below min_free_space " +
            human_size(limits.min_free_space) + " even after deleting every file that may be deleted" +
            results_share(results);
  }
  text += ". Capture is paused (files not yet decrypted are kept): free space on the capture "
          "filesystem, or raise max_total_size / lower min_free_space";
  if (plan.free_space_missing > 0) text += results_fix(results);
  return text;
}

std::string describe_free_space_deletions(const RingPlan& plan, const RingLimits& limits,
                                          const ResultsOnDisk& results) {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  for (const RingDeletion& d : plan.deletions) {
    if (d.reason != DeleteReason::min_free_space) continue;
    ++files;
    bytes += d.size;
  }
  if (files == 0) return {};
  return "the disk of the capture files had less than min_free_space " + human_size(limits.min_free_space) +
         " free, so the oldest capture files are deleted early to keep it free (" + std::to_string(files) +
         " file(s), " + human_size(bytes) + " this time): the ring holds fewer files than keep_files or "
         "max_total_size allow" + results_share(results) +
         "; what to do: free space on that disk, or lower min_free_space" + results_fix(results);
}

std::string decryption_wait_explanation(const ResultsDisk& disk, const RingLimits& limits) {
  if (limits.min_free_space == 0 || disk.free_bytes >= limits.min_free_space) return {};
  std::string text = "the disk of the results (output.directory/runs) has " + human_size(disk.free_bytes) +
                     " free, " + human_size(limits.min_free_space - disk.free_bytes) +
                     " short of min_free_space " + human_size(limits.min_free_space) +
                     ", so decryption waits: the results still to write would take it further down";
  if (disk.holds_ring) {
    return text + results_share(disk.results) +
           "; the capture files wait undecrypted, the ring deletes decrypted ones to free the disk (undecrypted "
           "ones only when no other is left), and decryption goes on by itself once min_free_space is free; what "
           "to do: free space on that disk, or lower min_free_space" +
           results_fix(disk.results);
  }
  return text +
         "; the capture files, on another disk, wait undecrypted in the ring, and decryption goes on by itself "
         "once min_free_space is free on the results' disk; what to do: free space on that disk (move earlier "
         "runs' results, output.directory/runs/, elsewhere), write fewer results (decrypt.transcripts or "
         "decrypt.payload: false), or lower min_free_space";
}

}  // namespace tlsring::daemon
