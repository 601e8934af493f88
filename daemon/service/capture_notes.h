// The run summary's lines about the capture itself: a time in which no
// capture file could be written, and what the capture took in all. Pure text
// from counts; the service hands them to the run's summary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/decrypt/capture_losses.h"
#include "daemon/service/ring_recorder.h"

namespace tlsring::daemon {

struct CaptureTotals {
  std::uint64_t packets_written = 0;
  std::uint64_t files_written = 0;
  std::uint64_t kernel_drops = 0;      // the kernel's and the interfaces' counts
  std::uint64_t writer_drops = 0;      // the capture thread had no room for them
  std::uint64_t not_written = 0;       // a disk limit held, or a file could not be written
  std::uint64_t files_deleted_undecrypted = 0;
};

// A time in which one capture interface delivered nothing: it disappeared
// (capture failed) until it could be opened again, or until the stop.
struct InterfaceOutage {
  std::string interface_name;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  bool until_stop = false;  // it was still gone when the capture stopped
  std::string cause;        // how capture on it failed
};

// Outages of one kind (of one interface, or of the capture files) are told
// one by one in the summary, as known capture losses and (interfaces) in the
// log this many times; the rest only counted, into one line at the stop, so
// that days of a flapping link or disk do not grow them without bound.
constexpr std::size_t kOutagesToldOneByOne = 10;

// The outages past those told one by one: how many, how long in all.
struct UntoldOutages {
  std::string interface_name;  // empty for outages of the capture files
  std::size_t count = 0;
  std::int64_t total_ns = 0;
  std::int64_t first_start_ns = 0;
  std::int64_t last_end_ns = 0;
  std::uint64_t packets = 0;  // what they cost: not written (capture files), dropped (drop episodes)
  void add(std::int64_t start_ns, std::int64_t end_ns, std::uint64_t lost_packets = 0) {
    if (count++ == 0) first_start_ns = start_ns;
    total_ns += end_ns - start_ns;
    last_end_ns = end_ns;
    packets += lost_packets;
  }
};

// A time in which the capture dropped packets (daemon/service/capture_drops.h).
struct DropEpisode {
  std::int64_t from_ns = 0;
  std::int64_t to_ns = 0;
  std::uint64_t kernel = 0;  // by the kernel (its capture buffer was full) or the interfaces
  std::uint64_t writer = 0;  // by tlsring's capture thread (its writer fell behind)
};

// How long it lasted, to the second ("6s", "1m5s"; "less than 1s").
std::string outage_length(const WriteOutage& outage);
std::string outage_length(std::int64_t start_ns, std::int64_t end_ns);

// "from T1 to T2 (6s) no capture file could be written: CAUSE. N packet(s)
// captured then were not written: ...; what to do: ..."
std::string describe_outage(const WriteOutage& outage);

// "N packets written to F capture file(s); K dropped by the kernel; ..."
std::string describe_capture_totals(const CaptureTotals& totals);

// "from T1 to T2, 6s, interface "X" delivered no packets (CAUSE). Nothing
// that passed it then was captured: ...; what to do: ..."
std::string describe_interface_outage(const InterfaceOutage& outage);

// "interface "X" was gone N more time(s) between T1 and T2, 5m3s in all: ..."
std::string describe_untold_outages(const UntoldOutages& untold);
// "N more time(s) between T1 and T2, 5m3s in all, no capture file could be written: ..."
std::string describe_untold_write_outages(const UntoldOutages& untold);

// "the capture is dropping packets: N packet(s) ... since about T1 (it goes on
// until a look finds no new drops); what to do: ..."
std::string describe_drops_starting(const DropEpisode& so_far);
// "between T1 and T2 (6s) the capture dropped N packet(s): K by the kernel,
// its capture buffer full, ...: the connections open then have gaps ...; what to do: ..."
std::string describe_drop_episode(const DropEpisode& episode);
// "the capture dropped packets N more time(s) between T1 and T2, P packet(s) in all: ..."
std::string describe_untold_drop_episodes(const UntoldOutages& untold);

// The capture ended before it was asked to, at `time_ns`: "ended early at T: ERROR ...".
std::string describe_capture_failure(std::int64_t time_ns, const std::string& error);

// The outage as the decryption sees it: the times its packets may be missing
// from, and what a connection with a gap then should say and advise.
decrypt::KnownCaptureLoss known_loss(const WriteOutage& outage);
decrypt::KnownCaptureLoss known_loss(const InterfaceOutage& outage);
decrypt::KnownCaptureLoss known_loss(const DropEpisode& episode);

}  // namespace tlsring::daemon
