#include "daemon/service/capture_notes.h"

#include <algorithm>
#include <utility>

#include "config/duration.h"
#include "core/capture/timestamp.h"

namespace tlsring::daemon {
namespace {

using capture::utc_second_text;

constexpr const char* kFixWritableDisk =
    "keep the disk of output.directory writable, with space free (rotation.min_free_space deletes the oldest "
    "decrypted files to keep it so)";

constexpr const char* kFixInterfaceGone =
    "keep the capture interface in place for the capture window, or capture on \"any\", which follows "
    "interfaces that come and go";

constexpr const char* kFixDrops =
    "raise capture.buffer_size, keep the disk of output.directory fast enough for the traffic, or narrow "
    "capture.filter to the CTI server's port";

// "N more time(s) between T1 and T2": the outages past those told one by one.
std::string more_times(const UntoldOutages& untold) {
  return std::to_string(untold.count) + " more time(s) between " + utc_second_text(untold.first_start_ns) + " and " +
         utc_second_text(untold.last_end_ns);
}

decrypt::KnownCaptureLoss loss_of(std::int64_t from_ns, std::int64_t to_ns, std::string what, const char* fix) {
  decrypt::KnownCaptureLoss loss;
  loss.from_ns = from_ns;
  loss.to_ns = to_ns;
  loss.what = std::move(what);
  loss.fix = fix;
  return loss;
}

// "N packet(s): K by the kernel (its capture buffer was full), W by tlsring (its writer fell behind)"
std::string dropped_packets(const DropEpisode& episode) {
  std::string text = std::to_string(episode.kernel + episode.writer) + " packet(s)";
  std::string kernel = "by the kernel (its capture buffer was full, or the interface dropped them)";
  std::string writer = "by tlsring (its writer fell behind)";
  if (episode.writer == 0) return text + " " + kernel;
  if (episode.kernel == 0) return text + " " + writer;
  return text + ": " + std::to_string(episode.kernel) + " " + kernel + ", " + std::to_string(episode.writer) + " " +
         writer;
}

}  // namespace

std::string describe_drops_starting(const DropEpisode& so_far) {
  return "the capture is dropping packets: " + dropped_packets(so_far) + " since about " + utc_second_text(so_far.from_ns) +
         "; what to do: " + kFixDrops;
}

std::string describe_drop_episode(const DropEpisode& episode) {
  return "between " + utc_second_text(episode.from_ns) + " and " + utc_second_text(episode.to_ns) + " (" +
         outage_length(episode.from_ns, episode.to_ns) + ") the capture dropped " + dropped_packets(episode) +
         ": the connections open then have gaps, and those that began and ended then may be missing from this "
         "report; what to do: " + kFixDrops;
}

std::string describe_untold_drop_episodes(const UntoldOutages& untold) {
  return "the capture dropped packets " + more_times(untold) + ", " + std::to_string(untold.packets) +
         " packet(s) in all (each time is in the log, at debug level); what to do: " + kFixDrops;
}

decrypt::KnownCaptureLoss known_loss(const DropEpisode& episode) {
  return loss_of(episode.from_ns, episode.to_ns,
                 "the capture dropped " + dropped_packets(episode) + " between " + utc_second_text(episode.from_ns) +
                     " and " + utc_second_text(episode.to_ns),
                 kFixDrops);
}

std::string outage_length(std::int64_t start_ns, std::int64_t end_ns) {
  constexpr std::int64_t kSecond = 1'000'000'000;
  const std::int64_t seconds = (end_ns - start_ns + kSecond / 2) / kSecond;
  return seconds <= 0 ? "less than 1s" : config::format_duration(seconds * kSecond);
}

std::string outage_length(const WriteOutage& outage) { return outage_length(outage.start_ns, outage.end_ns); }

std::string describe_interface_outage(const InterfaceOutage& outage) {
  return "from " + utc_second_text(outage.start_ns) + " to " + utc_second_text(outage.end_ns) +
         (outage.until_stop ? " (the stop)" : "") + ", " + outage_length(outage.start_ns, outage.end_ns) +
         ", interface \"" + outage.interface_name + "\" delivered no packets (" + outage.cause +
         "). Nothing that passed it then was captured: the connections open then have gaps, and those that began "
         "and ended then are missing from this report; what to do: " + kFixInterfaceGone;
}

std::string describe_outage(const WriteOutage& outage) {
  std::string text = "from " + utc_second_text(outage.start_ns) + " to " + utc_second_text(outage.end_ns) +
                     (outage.until_stop ? " (the stop)" : "") + ", " + outage_length(outage) +
                     ", no capture file could be written: " + outage.cause + ". ";
  if (outage.packets_not_written == 0) return text + "No packet arrived in that time.";
  return text + std::to_string(outage.packets_not_written) +
         " packet(s) captured then were not written: the connections open then have gaps, and those that began "
         "and ended then are missing from this report; what to do: " + kFixWritableDisk;
}

std::string describe_capture_failure(std::int64_t time_ns, const std::string& error) {
  return "ended early, at " + utc_second_text(time_ns) + ": " + error +
         "; nothing after that was captured, and the service exited with status 1 (systemd's Restart=on-failure "
         "starts it again)";
}

decrypt::KnownCaptureLoss known_loss(const WriteOutage& outage) {
  const std::int64_t from_ns = std::min(outage.lost_from_ns, outage.start_ns);
  return loss_of(from_ns, outage.end_ns,
                 "tlsring could not write its capture files from " + utc_second_text(from_ns) + " to " +
                     utc_second_text(outage.end_ns) + " (summary.txt says why)",
                 kFixWritableDisk);
}

std::string describe_untold_outages(const UntoldOutages& untold) {
  return "interface \"" + untold.interface_name + "\" was gone " + more_times(untold) + ", " +
         outage_length(0, untold.total_ns) +
         " in all (each is in the log, at debug level): nothing that passed it then was captured; what to do: an "
         "interface that keeps coming and going has a failing link or driver: fix that, or capture on \"any\"";
}

std::string describe_untold_write_outages(const UntoldOutages& untold) {
  return more_times(untold) + ", " + outage_length(0, untold.total_ns) +
         " in all, no capture file could be written (each is in the log), and " + std::to_string(untold.packets) +
         " packet(s) captured then were not written; what to do: " + kFixWritableDisk;
}

decrypt::KnownCaptureLoss known_loss(const InterfaceOutage& outage) {
  return loss_of(outage.start_ns, outage.end_ns,
                 "capture on interface \"" + outage.interface_name + "\" stopped from " + utc_second_text(outage.start_ns) +
                     " to " + utc_second_text(outage.end_ns) + " (the interface was gone; summary.txt says more)",
                 kFixInterfaceGone);
}

std::string describe_capture_totals(const CaptureTotals& totals) {
  std::string text = std::to_string(totals.packets_written) + " packet(s) written to " +
                     std::to_string(totals.files_written) + " capture file(s)";
  text += "; " + std::to_string(totals.kernel_drops) + " dropped by the kernel";
  if (totals.writer_drops != 0) text += "; " + std::to_string(totals.writer_drops) + " dropped by tlsring (its writer fell behind)";
  if (totals.not_written != 0) text += "; " + std::to_string(totals.not_written) + " not written (see above)";
  if (totals.files_deleted_undecrypted != 0) {
    text += "; " + std::to_string(totals.files_deleted_undecrypted) +
            " capture file(s) deleted before they were decrypted (deleted-before-decryption.txt)";
  }
  if (totals.kernel_drops != 0 || totals.writer_drops != 0) {
    text += "; what to do about drops: raise capture.buffer_size, or narrow capture.filter";
  }
  return text;
}

}  // namespace tlsring::daemon
