// decode_tcp over every packet of every reference capture: every frame is TCP
// (tshark -Y tcp lists all of them), the TCP 4-tuples are exactly the
// client/server pairs that cases.json lists for the capture, and the payload
// bytes add up to tshark's sum of tcp.len (see fixture_facts.h).
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/capture/capture_reader.h"
#include "core/net/packet_decoder.h"
#include "tests/unit/capture/fixture_facts.h"

using namespace tlsring;

namespace {

// capture file name -> "client ip:port -> server ip:port" strings, both directions,
// read from cases.json ("capture": "captures/X" ... "client": "..." "server": "...").
std::map<std::string, std::set<std::string>> tuples_from_cases_json() {
  std::ifstream in(test::wireshark_fixtures_dir() / "cases.json");
  std::stringstream text;
  text << in.rdbuf();
  const std::string json = text.str();
  std::map<std::string, std::set<std::string>> tuples;
  std::string capture;
  std::string client;
  const std::string keys[] = {"\"capture\": \"", "\"client\": \"", "\"server\": \""};
  std::size_t pos = 0;
  for (;;) {
    // The next of the three string-valued keys, in file order.
    std::size_t best = std::string::npos;
    int which = -1;
    for (int k = 0; k < 3; ++k) {
      const std::size_t at = json.find(keys[k], pos);
      if (at < best) {
        best = at;
        which = k;
      }
    }
    if (which < 0) break;
    const std::size_t value_start = best + keys[which].size();
    const std::size_t value_end = json.find('"', value_start);
    REQUIRE(value_end != std::string::npos);
    const std::string value = json.substr(value_start, value_end - value_start);
    pos = value_end + 1;
    if (which == 0) {
      capture = value.substr(value.find('/') + 1);
    } else if (which == 1) {
      client = value;
    } else {
      tuples[capture].insert(client + " -> " + value);
      tuples[capture].insert(value + " -> " + client);
    }
  }
  return tuples;
}

}  // namespace

TEST_CASE("decode fixtures: every frame is TCP between the endpoints cases.json lists") {
  if (!test::have_wireshark_fixtures("decode fixtures")) return;
  const auto expected = tuples_from_cases_json();
  REQUIRE(expected.size() == test::fixture_facts().size());

  for (const auto& facts : test::fixture_facts()) {
    INFO("capture " << facts.file);
    auto reader = capture::CaptureReader::open(test::wireshark_fixtures_dir() / "captures" / facts.file);
    REQUIRE(reader.ok());
    std::set<std::string> seen;
    std::uint64_t payload_bytes = 0;
    std::uint64_t frames = 0;
    for (;;) {
      const capture::CaptureEvent event = (*reader)->next();
      if (event.kind == capture::CaptureEvent::Kind::secrets) continue;
      if (event.kind != capture::CaptureEvent::Kind::packet) {
        CHECK(event.kind == capture::CaptureEvent::Kind::end);
        break;
      }
      ++frames;
      net::TcpSegment segment;
      REQUIRE(net::decode_tcp(event.packet.link_type, event.packet.data, segment) == net::DecodeStatus::tcp);
      CHECK_FALSE(segment.payload_truncated);
      // The payload lies inside the frame.
      CHECK(segment.payload.data() >= event.packet.data.data());
      CHECK(segment.payload.data() + segment.payload.size() <= event.packet.data.data() + event.packet.data.size());
      payload_bytes += segment.payload.size();
      seen.insert(segment.src.to_string() + " -> " + segment.dst.to_string());
    }
    CHECK(frames == facts.packets);
    CHECK(payload_bytes == facts.tcp_payload);
    REQUIRE(expected.count(facts.file) == 1);
    CHECK(seen == expected.at(facts.file));
  }
}
