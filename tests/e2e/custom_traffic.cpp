#include "tests/e2e/custom_traffic.h"

#include <openssl/err.h>

#include <catch2/catch.hpp>

#include "core/capture/capture_writer.h"
#include "tests/gen/tcp_flow.h"

namespace tlsring::e2e {
namespace {

using testgen::Direction;
using testgen::Side;

std::string openssl_error_text() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += std::string(out.empty() ? "" : "; ") + buf;
  }
  return out;
}

// Counts KeyUpdate messages (RFC 8446 section 4.6.3, type 24) on the client.
void message_callback(int write_p, int, int content_type, const void* buf, std::size_t len, SSL*, void* arg) {
  if (arg == nullptr || content_type != SSL3_RT_HANDSHAKE || len < 1) return;
  if (static_cast<const unsigned char*>(buf)[0] != SSL3_MT_KEY_UPDATE) return;
  auto* counts = static_cast<KeyUpdateCounts*>(arg);
  ++(write_p ? counts->sent_by_client : counts->sent_by_server);
}

// Both peers over memory BIOs, every byte recorded as a chunk of its direction.
class Peers {
 public:
  Peers(const testgen::TlsContextPair& contexts, testgen::TlsConnectionResult& result) : result_(result) {
    for (Side side : {Side::client, Side::server}) {
      End& e = end(side);
      e.ssl.reset(SSL_new(side == Side::client ? contexts.client() : contexts.server()));
      REQUIRE(e.ssl);
      BIO* in = BIO_new(BIO_s_mem());
      BIO* out = BIO_new(BIO_s_mem());
      REQUIRE((in != nullptr && out != nullptr));
      BIO_set_mem_eof_return(in, -1);
      SSL_set_bio(e.ssl.get(), in, out);
      e.in = in;
      e.out = out;
    }
    // The generator's client context logs its secrets into the result hung here.
    SSL_set_app_data(ssl(Side::client), &result_);
    SSL_set_connect_state(ssl(Side::client));
    SSL_set_accept_state(ssl(Side::server));
  }
  ~Peers() { SSL_set_app_data(ssl(Side::client), nullptr); }

  SSL* ssl(Side side) { return end(side).ssl.get(); }

  bool transfer(Side from, bool new_message) {
    End& src = end(from);
    End& dst = end(from == Side::client ? Side::server : Side::client);
    const std::size_t pending = BIO_ctrl_pending(src.out);
    if (pending == 0) return false;
    const Direction d = from == Side::client ? Direction::client_to_server : Direction::server_to_client;
    auto& wire = result_.wire[testgen::index_of(d)];
    const std::size_t offset = wire.size();
    wire.resize(offset + pending);
    const int n = BIO_read(src.out, wire.data() + offset, static_cast<int>(pending));
    REQUIRE(n == static_cast<int>(pending));
    BIO_write(dst.in, wire.data() + offset, n);
    result_.chunks.push_back({d, offset, pending, new_message});
    return true;
  }

  void drive(Side side) {
    End& e = end(side);
    if (e.closed) return;
    const Direction incoming = side == Side::client ? Direction::server_to_client : Direction::client_to_server;
    auto& received = result_.plaintext[testgen::index_of(incoming)];
    for (;;) {
      const int n = SSL_read(e.ssl.get(), buffer_, sizeof buffer_);
      if (n > 0) {
        received.insert(received.end(), buffer_, buffer_ + n);
        continue;
      }
      const int err = SSL_get_error(e.ssl.get(), n);
      if (err == SSL_ERROR_WANT_READ) return;
      if (err == SSL_ERROR_ZERO_RETURN) {
        e.closed = true;
        return;
      }
      FAIL("SSL_read failed: " << err << " " << openssl_error_text());
    }
  }

  void pump(bool new_message = false) {
    for (int round = 0; round < 64; ++round) {
      drive(Side::client);
      bool moved = transfer(Side::client, new_message);
      drive(Side::server);
      moved = transfer(Side::server, new_message) || moved;
      if (!moved) return;
      new_message = false;
    }
    FAIL("the TLS exchange did not settle");
  }

 private:
  struct End {
    testgen::SslPtr ssl;
    BIO* in = nullptr;
    BIO* out = nullptr;
    bool closed = false;
  };
  End& end(Side side) { return side == Side::client ? client_ : server_; }

  testgen::TlsConnectionResult& result_;
  End client_;
  End server_;
  unsigned char buffer_[16384 + 2048];
};

}  // namespace

testgen::TlsConnectionResult run_steps(const testgen::TlsContextPair& contexts, const std::vector<Step>& steps,
                                       KeyUpdateCounts* counts) {
  ERR_clear_error();
  testgen::TlsConnectionResult result;
  std::array<std::vector<std::uint8_t>, 2> sent;
  {
    auto peers = std::make_unique<Peers>(contexts, result);
    SSL* client = peers->ssl(Side::client);
    if (counts != nullptr) {
      SSL_set_msg_callback(client, message_callback);
      SSL_set_msg_callback_arg(client, counts);
    }
    peers->pump();
    REQUIRE(SSL_is_init_finished(client));
    REQUIRE(SSL_is_init_finished(peers->ssl(Side::server)));
    for (const Step& step : steps) {
      if (step.kind == Step::Kind::message) {
        const Side sender = step.direction == Direction::client_to_server ? Side::client : Side::server;
        const int n = SSL_write(peers->ssl(sender), step.data.data(), static_cast<int>(step.data.size()));
        REQUIRE(n == static_cast<int>(step.data.size()));
        auto& s = sent[testgen::index_of(step.direction)];
        s.insert(s.end(), step.data.begin(), step.data.end());
        peers->transfer(sender, true);
        peers->pump();
      } else {
        SSL* s = peers->ssl(step.side);
        INFO(openssl_error_text());
        REQUIRE(SSL_key_update(s, step.update_requested ? SSL_KEY_UPDATE_REQUESTED : SSL_KEY_UPDATE_NOT_REQUESTED) ==
                1);
        // SSL_do_handshake sends the pending KeyUpdate now.
        REQUIRE(SSL_do_handshake(s) == 1);
        peers->transfer(step.side, true);
        peers->pump();
      }
    }
    result.version = SSL_get_version(client);
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(client)) {
      result.cipher = SSL_CIPHER_standard_name(cipher);
      result.cipher_openssl = SSL_CIPHER_get_name(cipher);
    }
    REQUIRE(SSL_shutdown(client) >= 0);
    peers->transfer(Side::client, true);
    peers->drive(Side::server);
    REQUIRE(SSL_shutdown(peers->ssl(Side::server)) >= 0);
    peers->transfer(Side::server, false);
    peers->drive(Side::client);
    SSL_set_msg_callback(client, nullptr);
  }
  REQUIRE(result.plaintext[0] == sent[0]);
  REQUIRE(result.plaintext[1] == sent[1]);
  return result;
}

std::vector<WrittenConnection> write_capture(const std::filesystem::path& path,
                                             const std::vector<const testgen::TlsConnectionResult*>& connections) {
  auto writer = capture::CaptureWriter::create(path, capture::CaptureFormat::pcapng);
  REQUIRE(writer.ok());
  auto interface_id = (*writer)->add_interface(testgen::link_type_of(testgen::LinkLayer::ethernet));
  REQUIRE(interface_id.ok());
  const testgen::FrameBuilder frames{testgen::FrameOptions{}};
  std::vector<WrittenConnection> out;
  std::vector<std::uint8_t> frame;
  std::int64_t start = 1'700'000'000'000'000'000;
  for (std::size_t i = 0; i < connections.size(); ++i) {
    const testgen::TlsConnectionResult& tls = *connections[i];
    WrittenConnection w;
    w.client = {*testgen::IpAddress::parse("10.2.0.10"), static_cast<std::uint16_t>(50000 + i)};
    w.server = {*testgen::IpAddress::parse("10.1.0.1"), 3000};
    testgen::TcpFlowConfig flow;
    flow.client_isn = 0x10000000u + static_cast<std::uint32_t>(i) * 7919u;
    flow.server_isn = 0x80000000u + static_cast<std::uint32_t>(i) * 104729u;
    const auto segments = testgen::build_tcp_flow(tls, flow, start);
    std::array<std::uint16_t, 2> ip_id{1, 1};
    for (const auto& segment : segments) {
      testgen::SegmentHeaders headers;
      headers.direction = segment.direction;
      headers.seq = segment.seq;
      headers.ack = segment.ack;
      headers.flags = segment.flags;
      if (segment.mss_option) headers.mss_option = flow.mss;
      headers.ip_id = ip_id[testgen::index_of(segment.direction)]++;
      const auto& wire = tls.wire[testgen::index_of(segment.direction)];
      frames.build(frame, w.client, w.server, headers, {wire.data() + segment.payload_offset, segment.payload_length});
      REQUIRE((*writer)->write_packet(segment.timestamp_ns, *interface_id, frame).ok());
    }
    if (!segments.empty()) start = segments.back().timestamp_ns + 10'000'000;
    out.push_back(w);
  }
  REQUIRE((*writer)->close().ok());
  return out;
}

}  // namespace tlsring::e2e
