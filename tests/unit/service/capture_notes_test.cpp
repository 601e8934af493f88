// The run summary's lines about the capture: an outage told with its times,
// cause, the packets it cost and what to do; the totals with what they hold.
#include <catch2/catch.hpp>

#include "daemon/service/capture_notes.h"

using namespace tlsring::daemon;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kBase = 1'765'000'000 * kSecond;  // 2025-12-06T05:46:40Z

WriteOutage outage(std::int64_t length_ns, std::uint64_t packets) {
  WriteOutage o;
  o.start_ns = kBase + 250'000'000;
  o.end_ns = o.start_ns + length_ns;
  o.packets_not_written = packets;
  o.cause = "cannot write a capture file: /var/lib/tlsring/capture/x.pcapng.part: write failed: No space left on device";
  return o;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an outage is told with its times to the second, its cause, the packets lost and what to do") {
  const std::string text = describe_outage(outage(65 * kSecond + 400'000'000, 148));
  INFO(text);
  CHECK(has(text, "from 2025-12-06T05:46:40Z to 2025-12-06T05:47:45Z, 1m5s, no capture file could be written"));
  CHECK(has(text, "write failed: No space left on device. 148 packet(s) captured then were not written"));
  CHECK(has(text, "what to do: keep the disk of output.directory writable"));
  CHECK_FALSE(has(text, "(the stop)"));
}

TEST_CASE("an outage that lasted until the stop says so and one with no packet says that nothing was lost") {
  WriteOutage o = outage(3 * kSecond, 0);
  o.until_stop = true;
  const std::string text = describe_outage(o);
  INFO(text);
  CHECK(has(text, "(the stop), 3s, no capture file could be written"));
  CHECK(has(text, "No packet arrived in that time."));
  CHECK_FALSE(has(text, "what to do"));
  CHECK(outage_length(outage(400'000'000, 1)) == "less than 1s");
  CHECK(outage_length(outage(1'600'000'000, 1)) == "2s");
}

TEST_CASE("the capture totals name only the losses there were") {
  CaptureTotals clean;
  clean.packets_written = 1200;
  clean.files_written = 7;
  CHECK(describe_capture_totals(clean) == "1200 packet(s) written to 7 capture file(s); 0 dropped by the kernel");

  CaptureTotals lossy = clean;
  lossy.kernel_drops = 3;
  lossy.not_written = 40;
  lossy.files_deleted_undecrypted = 1;
  const std::string text = describe_capture_totals(lossy);
  INFO(text);
  CHECK(has(text, "; 3 dropped by the kernel; 40 not written (see above); 1 capture file(s) deleted before"));
  CHECK(has(text, "what to do about drops: raise capture.buffer_size"));
  CHECK_FALSE(has(text, "dropped by tlsring"));
}

TEST_CASE("a capture that ended early says when and why") {
  const std::string text = describe_capture_failure(kBase, "capture: poll failed: Bad file descriptor");
  INFO(text);
  CHECK(has(text, "ended early, at 2025-12-06T05:46:40Z: capture: poll failed: Bad file descriptor;"));
  CHECK(has(text, "exited with status 1"));
}

TEST_CASE("an interface that was gone is told with its times and cause and what to do") {
  InterfaceOutage gone;
  gone.interface_name = "eth1";
  gone.start_ns = kBase + 250'000'000;
  gone.end_ns = gone.start_ns + 7 * kSecond;
  gone.cause = "capture on \"eth1\" failed: The interface disappeared";
  const std::string text = describe_interface_outage(gone);
  INFO(text);
  CHECK(has(text, "from 2025-12-06T05:46:40Z to 2025-12-06T05:46:47Z, 7s, interface \"eth1\" delivered no packets "
                  "(capture on \"eth1\" failed: The interface disappeared)."));
  CHECK(has(text, "what to do: keep the capture interface in place"));
  CHECK_FALSE(has(text, "(the stop)"));
  gone.until_stop = true;
  CHECK(has(describe_interface_outage(gone), "to 2025-12-06T05:46:47Z (the stop), 7s, interface"));

  const tlsring::decrypt::KnownCaptureLoss loss = known_loss(gone);
  CHECK(loss.from_ns == gone.start_ns);
  CHECK(loss.to_ns == gone.end_ns);
  CHECK(has(loss.what, "capture on interface \"eth1\" stopped from 2025-12-06T05:46:40Z to 2025-12-06T05:46:47Z"));
  CHECK(has(loss.fix, "capture on \"any\""));
}

TEST_CASE("write outages past those told one by one are summed into one line") {
  UntoldOutages untold;
  for (int i = 0; i < 30; ++i) {
    const std::int64_t start = kBase + i * 60 * kSecond;
    untold.add(start, start + 5 * kSecond, 7);
  }
  const std::string text = describe_untold_write_outages(untold);
  INFO(text);
  CHECK(has(text, "30 more time(s) between 2025-12-06T05:46:40Z and 2025-12-06T06:15:45Z, 2m30s in all, no capture "
                  "file could be written (each is in the log), and 210 packet(s) captured then were not written"));
  CHECK(has(text, "what to do: keep the disk of output.directory writable"));
}
