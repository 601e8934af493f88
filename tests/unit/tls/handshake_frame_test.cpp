#include <catch2/catch.hpp>
#include <vector>

#include "core/tls/handshake.h"
#include "tests/unit/tls/captured_bytes.h"
#include "tests/unit/tls/test_support.h"

using namespace tlsring::tls;
using namespace tlsring::tls::test;

namespace {

// The handshake fragments of every record in `payload`, joined.
ByteVec handshake_stream(const ByteVec& payload) {
  ByteVec stream;
  ByteView rest(payload);
  while (!rest.empty()) {
    RecordParse r = parse_record(rest);
    REQUIRE(r.status == ParseStatus::ok);
    REQUIRE(r.header.content_type == kHandshake);
    stream.insert(stream.end(), r.fragment.begin(), r.fragment.end());
    rest = rest.subspan(r.consumed);
  }
  return stream;
}

}  // namespace

TEST_CASE("frame_handshake frames one message and reports its transcript bytes") {
  // ServerHelloDone (type 14, empty body) followed by the start of another message.
  const ByteVec data = {0x0e, 0x00, 0x00, 0x00, 0x14, 0x00};
  HandshakeFrame f = frame_handshake(data);
  REQUIRE(f.status == ParseStatus::ok);
  CHECK(f.type == kServerHelloDone);
  CHECK(f.body.empty());
  CHECK(f.consumed == 4);
  CHECK(f.message.data() == data.data());
  CHECK(f.message.size() == 4);

  // Finished with a 3-byte body.
  const ByteVec finished = {0x14, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03};
  HandshakeFrame g = frame_handshake(finished);
  REQUIRE(g.status == ParseStatus::ok);
  CHECK(g.type == kFinished);
  CHECK(to_vec(g.body) == ByteVec{0x01, 0x02, 0x03});
  CHECK(to_vec(g.message) == finished);
}

TEST_CASE("frame_handshake asks for exactly the missing bytes") {
  const ByteVec finished = {0x14, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03};
  for (std::size_t size = 0; size < finished.size(); ++size) {
    HandshakeFrame f = frame_handshake(ByteView(finished).first(size));
    CHECK(f.status == ParseStatus::need_more);
    CHECK(f.needed == (size < 4 ? 4 - size : finished.size() - size));
  }
}

TEST_CASE("frame_handshake rejects a declared length above max_body") {
  // Declared length 0xffffff (16 MiB - 1) against the default 1 MiB bound.
  const ByteVec huge = {0x0b, 0xff, 0xff, 0xff};
  CHECK(frame_handshake(huge).status == ParseStatus::invalid);
  // Exactly 2^20 is allowed (and waits); 2^20 + 1 is not.
  const ByteVec at_limit = {0x0b, 0x10, 0x00, 0x00};
  HandshakeFrame f = frame_handshake(at_limit);
  CHECK(f.status == ParseStatus::need_more);
  CHECK(f.needed == (1u << 20));
  const ByteVec over_limit = {0x0b, 0x10, 0x00, 0x01};
  CHECK(frame_handshake(over_limit).status == ParseStatus::invalid);
  // A caller-chosen bound.
  const ByteVec seventeen = {0x01, 0x00, 0x00, 0x11};
  CHECK(frame_handshake(seventeen, 16).status == ParseStatus::invalid);
  CHECK(frame_handshake(seventeen, 17).status == ParseStatus::need_more);
}

TEST_CASE("frame_handshake: a message split over two records") {
  // Certificate (type 11) with a 6-byte body, cut after 2 bytes of its header:
  //   record 1: 16 0303 0002 | 0b 00
  //   record 2: 16 0303 0008 | 00 06 | 00 00 03 aa bb cc
  const ByteVec payload = {0x16, 0x03, 0x03, 0x00, 0x02, 0x0b, 0x00,
                           0x16, 0x03, 0x03, 0x00, 0x08, 0x00, 0x06, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc};
  RecordParse first = parse_record(payload);
  REQUIRE(first.status == ParseStatus::ok);
  HandshakeFrame partial = frame_handshake(first.fragment);
  CHECK(partial.status == ParseStatus::need_more);
  CHECK(partial.needed == 2);

  const ByteVec stream = handshake_stream(payload);
  HandshakeFrame whole = frame_handshake(stream);
  REQUIRE(whole.status == ParseStatus::ok);
  CHECK(whole.type == kCertificate);
  CHECK(to_vec(whole.body) == ByteVec{0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc});
}

TEST_CASE("frame_handshake: three messages in one real record (dmgr frame 6)") {
  // One TLS 1.0 record of 0x893 bytes: ServerHello (0x4d), Certificate (0x83a), ServerHelloDone.
  const ByteVec stream = handshake_stream(hex(kDmgrFrame6ServerFlight));
  REQUIRE(stream.size() == 0x893);
  ByteView rest(stream);
  std::vector<std::pair<int, std::size_t>> seen;
  while (!rest.empty()) {
    HandshakeFrame f = frame_handshake(rest);
    REQUIRE(f.status == ParseStatus::ok);
    CHECK(f.message.data() == rest.data());
    seen.emplace_back(f.type, f.body.size());
    rest = rest.subspan(f.consumed);
  }
  CHECK(seen == std::vector<std::pair<int, std::size_t>>{{2, 0x4d}, {11, 0x83a}, {14, 0}});
}

TEST_CASE("frame_handshake: a real flight fed one byte at a time (rsasnakeoil2 frame 6)") {
  // SSL 3.0 ServerHello (0x46), Certificate (0x340), ServerHelloDone, in three records.
  const ByteVec stream = handshake_stream(hex(kRsaSnakeoil2Frame6ServerFlight));
  std::size_t start = 0;  // first byte not yet framed
  std::vector<std::pair<int, std::size_t>> seen;
  for (std::size_t arrived = 0; arrived <= stream.size(); ++arrived) {
    for (;;) {
      HandshakeFrame f = frame_handshake(ByteView(stream).subspan(start, arrived - start));
      if (f.status == ParseStatus::need_more) {
        REQUIRE(f.needed > 0);
        // The next call succeeds exactly when `needed` more bytes have arrived.
        if (arrived - start + f.needed <= stream.size() - start) {
          HandshakeFrame later = frame_handshake(ByteView(stream).subspan(start, arrived - start + f.needed));
          CHECK(later.status != ParseStatus::invalid);
          if (arrived - start >= 4) CHECK(later.status == ParseStatus::ok);
        }
        break;
      }
      REQUIRE(f.status == ParseStatus::ok);
      seen.emplace_back(f.type, f.body.size());
      start += f.consumed;
    }
  }
  CHECK(start == stream.size());
  CHECK(seen == std::vector<std::pair<int, std::size_t>>{{2, 0x46}, {11, 0x340}, {14, 0}});
}
