// run_tls_connection: client and server SSL objects stepped over memory BIOs.
#include <algorithm>
#include <cstdio>
#include <span>

#include "tests/gen/tls_connection.h"

namespace tlsring::testgen {
namespace {

Error openssl_error(const std::string& what) {
  const std::string detail = openssl_errors();
  return make_error(detail.empty() ? what : what + ": " + detail);
}

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

// One side: the SSL object and the two memory BIOs it reads from and writes to.
struct Endpoint {
  SslPtr ssl;
  BIO* in = nullptr;   // owned by ssl
  BIO* out = nullptr;  // owned by ssl
  bool peer_closed = false;
};

class Stepper {
 public:
  explicit Stepper(TlsConnectionResult& result) : result_(result) {}

  Status init(const TlsContextPair& contexts, SSL_SESSION* resume) {
    for (Side side : {Side::client, Side::server}) {
      Endpoint& e = endpoint(side);
      e.ssl.reset(SSL_new(side == Side::client ? contexts.client() : contexts.server()));
      if (!e.ssl) return openssl_error("SSL_new failed");
      e.in = BIO_new(BIO_s_mem());
      e.out = BIO_new(BIO_s_mem());
      if (e.in == nullptr || e.out == nullptr) {
        BIO_free(e.in);
        BIO_free(e.out);
        return openssl_error("BIO_new failed");
      }
      // An empty memory BIO reports "retry", not EOF, so SSL_read says WANT_READ.
      BIO_set_mem_eof_return(e.in, -1);
      SSL_set_bio(e.ssl.get(), e.in, e.out);
    }
    SSL_set_app_data(client_.ssl.get(), &result_);
    SSL_set_connect_state(client_.ssl.get());
    SSL_set_accept_state(server_.ssl.get());
    if (resume != nullptr && SSL_set_session(client_.ssl.get(), resume) != 1) {
      return openssl_error("SSL_set_session failed");
    }
    return {};
  }

  Endpoint& endpoint(Side side) { return side == Side::client ? client_ : server_; }
  SSL* ssl(Side side) { return endpoint(side).ssl.get(); }

  // Moves what `from` wrote to its peer and records it as one chunk.
  bool transfer(Side from, bool new_message) {
    Endpoint& src = endpoint(from);
    Endpoint& dst = endpoint(from == Side::client ? Side::server : Side::client);
    const std::size_t pending = BIO_ctrl_pending(src.out);
    if (pending == 0) return false;
    const Direction dir = from == Side::client ? Direction::client_to_server : Direction::server_to_client;
    auto& wire = result_.wire[index_of(dir)];
    const std::size_t offset = wire.size();
    wire.resize(offset + pending);
    const int n = BIO_read(src.out, wire.data() + offset, static_cast<int>(pending));
    wire.resize(offset + static_cast<std::size_t>(std::max(n, 0)));
    if (n <= 0) return false;
    BIO_write(dst.in, wire.data() + offset, n);
    result_.chunks.push_back(TlsChunk{dir, offset, static_cast<std::size_t>(n), new_message});
    return true;
  }

  // Lets `side` read everything it has received: handshake messages,
  // application data (appended to what it received), alerts.
  Status drive(Side side) {
    Endpoint& e = endpoint(side);
    if (e.peer_closed) return {};
    const Direction incoming =
        side == Side::client ? Direction::server_to_client : Direction::client_to_server;
    auto& received = result_.plaintext[index_of(incoming)];
    for (;;) {
      const int n = SSL_read(e.ssl.get(), buffer_, sizeof buffer_);
      if (n > 0) {
        received.insert(received.end(), buffer_, buffer_ + n);
        continue;
      }
      const int err = SSL_get_error(e.ssl.get(), n);
      if (err == SSL_ERROR_WANT_READ) return {};
      if (err == SSL_ERROR_ZERO_RETURN) {
        e.peer_closed = true;
        return {};
      }
      return openssl_error(std::string(side == Side::client ? "client" : "server") +
                           " failed (SSL_get_error " + std::to_string(err) + ")");
    }
  }

  // Steps both sides until neither has anything more to send.
  Status pump(bool new_message = false) {
    for (int round = 0; round < 64; ++round) {
      if (auto s = drive(Side::client); !s) return s;
      bool moved = transfer(Side::client, new_message);
      if (auto s = drive(Side::server); !s) return s;
      moved = transfer(Side::server, new_message) || moved;
      if (!moved) return {};
      new_message = false;
    }
    return make_error("TLS exchange did not settle");
  }

  Status write(Side side, std::span<const std::uint8_t> data) {
    if (data.empty()) return {};
    const int n = SSL_write(ssl(side), data.data(), static_cast<int>(data.size()));
    if (n != static_cast<int>(data.size())) return openssl_error("SSL_write failed");
    transfer(side, true);
    return pump();
  }

  Status handshake() {
    if (auto s = pump(); !s) return s;
    if (!SSL_is_init_finished(ssl(Side::client)) || !SSL_is_init_finished(ssl(Side::server))) {
      return openssl_error("handshake did not complete");
    }
    return {};
  }

  // TLS 1.3 0-RTT: ClientHello and early data in the client's first flight,
  // then the server reads early data until EndOfEarlyData.
  Status early_data(std::span<const std::uint8_t> data, bool& accepted) {
    std::size_t written = 0;
    if (SSL_write_early_data(ssl(Side::client), data.data(), data.size(), &written) != 1 ||
        written != data.size()) {
      return openssl_error("SSL_write_early_data failed");
    }
    transfer(Side::client, true);
    auto& received = result_.plaintext[index_of(Direction::client_to_server)];
    bool finished = false;
    for (int round = 0; round < 64 && !finished; ++round) {
      for (;;) {
        std::size_t n = 0;
        const int r = SSL_read_early_data(ssl(Side::server), buffer_, sizeof buffer_, &n);
        if (r == SSL_READ_EARLY_DATA_SUCCESS) {
          received.insert(received.end(), buffer_, buffer_ + n);
          continue;
        }
        if (r == SSL_READ_EARLY_DATA_FINISH) {
          finished = true;
          break;
        }
        if (SSL_get_error(ssl(Side::server), 0) != SSL_ERROR_WANT_READ) {
          return openssl_error("server failed reading early data");
        }
        break;
      }
      bool moved = transfer(Side::server, false);
      const int r = SSL_do_handshake(ssl(Side::client));
      if (r != 1 && SSL_get_error(ssl(Side::client), r) != SSL_ERROR_WANT_READ) {
        return openssl_error("client handshake after early data failed");
      }
      moved = transfer(Side::client, false) || moved;
      if (!moved && !finished) return make_error("early data exchange stalled");
    }
    if (auto s = handshake(); !s) return s;
    accepted = SSL_get_early_data_status(ssl(Side::client)) == SSL_EARLY_DATA_ACCEPTED;
    return {};
  }

  Status renegotiate(Side initiator) {
    SSL* s = ssl(initiator);
    if (SSL_renegotiate(s) != 1) return openssl_error("SSL_renegotiate failed");
    const int r = SSL_do_handshake(s);
    if (r != 1 && SSL_get_error(s, r) != SSL_ERROR_WANT_READ) {
      return openssl_error("starting the renegotiation failed");
    }
    transfer(initiator, true);
    if (auto st = pump(); !st) return st;
    if (SSL_renegotiate_pending(s) || !SSL_is_init_finished(ssl(Side::client)) ||
        !SSL_is_init_finished(ssl(Side::server))) {
      return openssl_error("renegotiation did not complete");
    }
    return {};
  }

  Status close() {
    if (SSL_shutdown(ssl(Side::client)) < 0) return openssl_error("client SSL_shutdown failed");
    transfer(Side::client, true);
    if (auto s = drive(Side::server); !s) return s;
    if (!server_.peer_closed) return make_error("server did not see close_notify");
    if (SSL_shutdown(ssl(Side::server)) < 0) return openssl_error("server SSL_shutdown failed");
    transfer(Side::server, false);
    if (auto s = drive(Side::client); !s) return s;
    if (!client_.peer_closed) return make_error("client did not see close_notify");
    return {};
  }

  // Without close_notify OpenSSL would drop the session from the server cache
  // at SSL_free; mark both sides shut so that resumption still works.
  void quiet_close() {
    for (Side side : {Side::client, Side::server}) {
      SSL_set_shutdown(ssl(side), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }
  }

 private:
  TlsConnectionResult& result_;
  Endpoint client_;
  Endpoint server_;
  unsigned char buffer_[16384 + 2048];
};

}  // namespace

Result<TlsConnectionResult> run_tls_connection(const TlsContextPair& contexts,
                                               const ConnectionScript& script,
                                               SSL_SESSION* resume) {
  ERR_clear_error();
  TlsConnectionResult result;
  auto stepper = std::make_unique<Stepper>(result);
  if (auto s = stepper->init(contexts, resume); !s) return s.error();
  SSL* client = stepper->ssl(Side::client);

  std::vector<std::uint8_t> expected_c2s;
  std::vector<std::uint8_t> expected_s2c;
  const bool try_early = !script.early_data.empty() && resume != nullptr &&
                         SSL_SESSION_get_max_early_data(resume) > 0;
  if (try_early) {
    result.early_data_offered = true;
    if (auto s = stepper->early_data(script.early_data, result.early_data_accepted); !s) {
      return s.error().with_context("early data");
    }
  } else if (auto s = stepper->handshake(); !s) {
    return s.error().with_context("handshake");
  }
  result.resumed = SSL_session_reused(client) == 1;  // of the first handshake, not a renegotiation
  unsigned char random[SSL3_RANDOM_SIZE];
  const std::size_t random_size = SSL_get_client_random(client, random, sizeof random);
  result.client_random = to_hex(random, random_size);
  // Early data that was not sent or not accepted goes as ordinary data.
  if (!script.early_data.empty() && !result.early_data_accepted) {
    if (auto s = stepper->write(Side::client, script.early_data); !s) return s.error();
  }
  expected_c2s = script.early_data;

  for (std::size_t i = 0; i <= script.messages.size(); ++i) {
    if (script.renegotiate_before == i) {
      if (auto s = stepper->renegotiate(script.renegotiation_initiator); !s) {
        return s.error().with_context("renegotiation");
      }
      ++result.renegotiations;
    }
    if (i == script.messages.size()) break;
    const Message& message = script.messages[i];
    const Side sender = message.direction == Direction::client_to_server ? Side::client : Side::server;
    if (auto s = stepper->write(sender, message.data); !s) return s.error();
    auto& expected = message.direction == Direction::client_to_server ? expected_c2s : expected_s2c;
    expected.insert(expected.end(), message.data.begin(), message.data.end());
  }

  // Read what identifies the session before the close changes nothing of it.
  result.version = SSL_get_version(client);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(client)) {
    result.cipher = SSL_CIPHER_standard_name(cipher);
    result.cipher_openssl = SSL_CIPHER_get_name(cipher);
  }

  if (script.close_notify) {
    if (auto s = stepper->close(); !s) return s.error().with_context("close");
  } else {
    stepper->quiet_close();
  }
  result.session.reset(SSL_get1_session(client));

  if (result.plaintext[index_of(Direction::client_to_server)] != expected_c2s ||
      result.plaintext[index_of(Direction::server_to_client)] != expected_s2c) {
    return make_error("the peers did not receive exactly what was sent");
  }
  SSL_set_app_data(client, nullptr);
  return result;
}

}  // namespace tlsring::testgen
