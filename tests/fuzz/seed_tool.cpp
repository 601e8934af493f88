// tlsring-fuzz-seeds: makes seed inputs for the fuzz targets, at test time,
// from captures and keys made by the generator (and Wireshark's captures).
//
//   tlsring-fuzz-seeds streams OUTDIR CAPTURE...
//       each TCP connection of the captures as a fuzz_tls_stream input
//       (stream_script.h), OUTDIR/<capture>-<n>.stream
//   tlsring-fuzz-seeds tls13 OUTDIR CERT.der
//       fuzz_tls13_records inputs (tls13_script.h): full handshakes with the
//       certificate, 0-RTT, tickets, KeyUpdates, alerts, padding
//   tlsring-fuzz-seeds tls12 OUTDIR
//       fuzz_tls12_records inputs (tls12_script.h): each suite and version,
//       encrypt-then-MAC, extended master secret, renegotiation
//   tlsring-fuzz-seeds keys OUTDIR KEY.pem CERT.pem PASSWORD
//       the key in every form RsaPrivateKey reads (PKCS#1 and PKCS#8, PEM and
//       DER, encrypted PKCS#8, legacy PEM encryption, a 3DES/RC2 .pfx as
//       Windows exports them) and the certificate as DER
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "core/capture/capture_reader.h"
#include "core/crypto/providers.h"
#include "core/net/packet_decoder.h"
#include "core/openssl_ptr.h"
#include "core/tcp/tcp_tracker.h"
#include "tests/fuzz/stream_script.h"
#include "tests/fuzz/tls12_script.h"
#include "tests/fuzz/tls13_script.h"

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "tlsring-fuzz-seeds: %s\n", message.c_str());
  std::exit(1);
}

void write_file(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail("cannot write " + path.string());
}

// Collects every connection's recording; the tracker destroys handlers at close.
class Recorders final : public tlsring::tcp::ConnectionFactory {
 public:
  std::unique_ptr<tlsring::tcp::ConnectionHandler> open(const tlsring::tcp::ConnectionInfo& info) override {
    auto recorder = std::make_shared<tlsring::fuzz::StreamScriptRecorder>(info);
    all.push_back(recorder);
    return std::make_unique<Forward>(recorder);
  }
  std::vector<std::shared_ptr<tlsring::fuzz::StreamScriptRecorder>> all;

 private:
  class Forward final : public tlsring::tcp::ConnectionHandler {
   public:
    explicit Forward(std::shared_ptr<tlsring::fuzz::StreamScriptRecorder> to) : to_(std::move(to)) {}
    void on_data(tlsring::tcp::Side s, std::span<const std::uint8_t> d, std::uint64_t o, std::int64_t t) override {
      to_->on_data(s, d, o, t);
    }
    void on_gap(tlsring::tcp::Side s, std::uint64_t o, std::uint64_t l, std::int64_t t) override {
      to_->on_gap(s, o, l, t);
    }
    void on_fin(tlsring::tcp::Side s, std::int64_t t) override { to_->on_fin(s, t); }
    void on_close(tlsring::tcp::CloseReason r, std::int64_t t) override { to_->on_close(r, t); }

   private:
    std::shared_ptr<tlsring::fuzz::StreamScriptRecorder> to_;
  };
};

int streams(const fs::path& out_dir, const std::vector<fs::path>& captures) {
  fs::create_directories(out_dir);
  std::size_t written = 0;
  for (const fs::path& capture : captures) {
    auto reader = tlsring::capture::CaptureReader::open(capture);
    if (!reader) fail(reader.error().message);
    Recorders recorders;
    tlsring::tcp::TcpTracker tracker(recorders);
    std::int64_t last = 0;
    for (;;) {
      const tlsring::capture::CaptureEvent event = (*reader)->next();
      if (event.kind == tlsring::capture::CaptureEvent::Kind::end ||
          event.kind == tlsring::capture::CaptureEvent::Kind::truncated) {
        break;
      }
      if (event.kind != tlsring::capture::CaptureEvent::Kind::packet) continue;
      tlsring::net::TcpSegment segment;
      if (tlsring::net::decode_tcp(event.packet.link_type, event.packet.data, segment) !=
          tlsring::net::DecodeStatus::tcp) {
        continue;
      }
      last = event.packet.timestamp_ns;
      tracker.add(segment, last, (*reader)->packets_read());
    }
    tracker.finish(last);
    int n = 0;
    for (const auto& recorder : recorders.all) {
      if (recorder->bytes().size() <= 1) continue;  // no payload
      std::vector<std::uint8_t> bytes = recorder->bytes();
      // Every other seed as the parallel engine runs it (deferred resumption, flag bit 2).
      if (n % 2 == 1) bytes[0] |= 4;
      write_file(out_dir / (capture.stem().string() + "-" + std::to_string(n++) + ".stream"), bytes);
      ++written;
    }
  }
  std::printf("tlsring-fuzz-seeds: %zu stream seed(s) in %s\n", written, out_dir.string().c_str());
  return 0;
}

std::vector<std::uint8_t> bio_bytes(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::vector<std::uint8_t>(data, data + size);
}

template <class F>
void write_with(const fs::path& path, F&& writer) {
  tlsring::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!writer(bio.get())) fail("OpenSSL could not write " + path.string());
  write_file(path, bio_bytes(bio.get()));
}

int keys(const fs::path& out_dir, const fs::path& key_path, const fs::path& cert_path, const std::string& password) {
  if (!tlsring::crypto::ensure_crypto_providers().ok()) fail("the OpenSSL providers do not load");
  fs::create_directories(out_dir);
  tlsring::BioPtr key_bio(BIO_new_file(key_path.c_str(), "r"));
  tlsring::BioPtr cert_bio(BIO_new_file(cert_path.c_str(), "r"));
  if (!key_bio || !cert_bio) fail("cannot read " + key_path.string() + " or " + cert_path.string());
  tlsring::EvpPkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  tlsring::X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!key || !cert) fail("no key in " + key_path.string() + " or no certificate in " + cert_path.string());
  EVP_PKEY* k = key.get();
  auto* pass = reinterpret_cast<unsigned char*>(const_cast<char*>(password.c_str()));
  const int pass_len = static_cast<int>(password.size());

  write_with(out_dir / "key.pkcs1.pem", [&](BIO* b) {
    return PEM_write_bio_PrivateKey_traditional(b, k, nullptr, nullptr, 0, nullptr, nullptr);
  });
  write_with(out_dir / "key.pkcs8.pem",
             [&](BIO* b) { return PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr); });
  write_with(out_dir / "key.pkcs1.der", [&](BIO* b) { return i2d_PrivateKey_bio(b, k); });
  write_with(out_dir / "key.pkcs8.der", [&](BIO* b) { return i2d_PKCS8PrivateKey_bio(b, k, nullptr, nullptr, 0, nullptr, nullptr); });
  write_with(out_dir / "key.pkcs8-encrypted.pem", [&](BIO* b) {
    return PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_256_cbc(), nullptr, 0, nullptr, const_cast<char*>(password.c_str()));
  });
  write_with(out_dir / "key.legacy-encrypted.pem", [&](BIO* b) {
    return PEM_write_bio_PrivateKey_traditional(b, k, EVP_aes_128_cbc(), pass, pass_len, nullptr, nullptr);
  });
  write_with(out_dir / "cert.der", [&](BIO* b) { return i2d_X509_bio(b, cert.get()); });
  // PKCS#12 as Windows exports it: 3DES for the key, RC2-40 for the certificates.
  tlsring::Pkcs12Ptr p12(PKCS12_create(password.c_str(), "tlsring", k, cert.get(), nullptr,
                                       NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NID_pbe_WithSHA1And40BitRC2_CBC,
                                       0, 0, 0));
  if (!p12) fail("PKCS12_create failed (legacy provider?)");
  write_with(out_dir / "key.legacy.pfx", [&](BIO* b) { return i2d_PKCS12_bio(b, p12.get()); });
  std::printf("tlsring-fuzz-seeds: key seeds in %s\n", out_dir.string().c_str());
  return 0;
}

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

std::vector<std::uint8_t> read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// The server's flight: EncryptedExtensions, Certificate (TLS 1.3 form), CertificateVerify.
void server_flight(tlsring::fuzz::Tls13ScriptWriter& w, const std::vector<std::uint8_t>& cert) {
  w.handshake(1, 8, std::vector<std::uint8_t>{0x00, 0x00});
  std::vector<std::uint8_t> body{0x00};  // certificate_request_context
  const std::size_t entry = 3 + cert.size() + 2;
  body.push_back(static_cast<std::uint8_t>(entry >> 16));
  body.push_back(static_cast<std::uint8_t>(entry >> 8));
  body.push_back(static_cast<std::uint8_t>(entry));
  body.push_back(static_cast<std::uint8_t>(cert.size() >> 16));
  body.push_back(static_cast<std::uint8_t>(cert.size() >> 8));
  body.push_back(static_cast<std::uint8_t>(cert.size()));
  body.insert(body.end(), cert.begin(), cert.end());
  body.push_back(0);
  body.push_back(0);  // no extensions
  w.handshake(1, 11, body);
  std::vector<std::uint8_t> verify{0x08, 0x04, 0x01, 0x00};  // rsa_pss_rsae_sha256, 256 bytes
  verify.insert(verify.end(), 256, 0x77);
  w.handshake(1, 15, verify);
}

int tls13(const fs::path& out_dir, const fs::path& cert_path) {
  fs::create_directories(out_dir);
  const std::vector<std::uint8_t> cert = read_all(cert_path);
  if (cert.empty()) fail("cannot read " + cert_path.string());
  using W = tlsring::fuzz::Tls13ScriptWriter;
  const std::vector<std::uint8_t> ticket{0, 0, 0x1c, 0x20,  1, 2, 3, 4,  1, 9,  0, 4, 't', 'i', 'c', 'k',  0, 0};
  {  // a full handshake, data both ways, a ticket, KeyUpdates both ways, close_notify
    W w(false);
    w.server_hello();
    server_flight(w, cert);
    w.finished(1);
    w.finished(0);
    w.encrypted(0, W::kInnerApplication, bytes_of("GET / HTTP/1.1\r\nHost: cti\r\n\r\n"));
    w.handshake(1, 4, ticket);
    w.encrypted(1, W::kInnerApplication, bytes_of("HTTP/1.1 200 OK\r\n\r\nhello"), true);
    w.handshake(0, 24, std::vector<std::uint8_t>{0x01});
    w.encrypted(0, W::kInnerApplication, bytes_of("after the client's key update"));
    w.handshake(1, 24, std::vector<std::uint8_t>{0x00});
    w.encrypted(1, W::kInnerApplication, bytes_of("after the server's key update"));
    w.encrypted(0, W::kInnerAlert, std::vector<std::uint8_t>{0x01, 0x00});
    write_file(out_dir / "full.tls13", w.bytes());
  }
  {  // 0-RTT: early data before the ServerHello, EndOfEarlyData, then the handshake
    W w(true);
    w.encrypted(0, W::kInnerApplication, bytes_of("early data, sent before the server answered"));
    w.server_hello();
    server_flight(w, cert);
    w.finished(1);
    w.handshake(0, 5, {});
    w.finished(0);
    w.encrypted(0, W::kInnerApplication, bytes_of("after the handshake"));
    w.encrypted(1, W::kInnerApplication, bytes_of("answer"));
    write_file(out_dir / "early-data.tls13", w.bytes());
  }
  {  // several messages in one record and a message split over two records
    W w(false);
    w.server_hello();
    std::vector<std::uint8_t> two{8, 0, 0, 2, 0, 0, 13, 0, 0, 4, 0, 0, 0, 0};  // EE + CertificateRequest
    w.encrypted(1, W::kInnerHandshake, two);
    w.encrypted(1, W::kInnerHandshake, std::vector<std::uint8_t>{15, 0, 0, 6, 8, 4});
    w.encrypted(1, W::kInnerHandshake, std::vector<std::uint8_t>{0, 2, 0xaa, 0xbb});
    w.finished(1);
    w.finished(0);
    w.encrypted(1, W::kInnerApplication, bytes_of("data"));
    write_file(out_dir / "coalesced.tls13", w.bytes());
  }
  std::printf("tlsring-fuzz-seeds: TLS 1.3 record seeds in %s\n", out_dir.string().c_str());
  return 0;
}

void tls12_handshake(tlsring::fuzz::Tls12ScriptWriter& w) {
  w.step(1);  // ServerHello, ServerHelloDone
  w.step(0);  // ClientKeyExchange
  w.change_cipher_spec(0);
  w.finished(0);
  w.change_cipher_spec(1);
  w.finished(1);
}

int tls12(const fs::path& out_dir) {
  fs::create_directories(out_dir);
  using W = tlsring::fuzz::Tls12ScriptWriter;
  struct Case {
    const char* name;
    int version, suite;
    bool etm, ems, renegotiate;
  };
  const Case cases[] = {
      {"aes128-sha", 0, 0, false, false, false},      {"aes128-sha256-etm", 0, 1, true, true, false},
      {"aes128-gcm", 0, 2, false, true, false},       {"aes256-gcm-reneg", 0, 3, false, false, true},
      {"chacha20", 0, 4, false, false, false},        {"aes256-sha-tls11", 1, 5, false, false, false},
      {"rc4-sha-tls10", 2, 6, false, false, false},    {"3des-tls10-reneg", 2, 7, false, false, true},
      {"aes128-sha-tls10-etm", 2, 0, true, false, false},
  };
  for (const Case& c : cases) {
    W w(c.version, c.suite, c.etm, c.ems);
    tls12_handshake(w);
    w.record(0, W::kApplication, bytes_of("RequestRegisterAddress 4711"));
    w.record(1, W::kApplication, bytes_of("EventRegistered 4711"));
    if (c.renegotiate) {
      w.step(0);  // a new ClientHello under the current keys
      tls12_handshake(w);
      w.record(0, W::kApplication, bytes_of("after renegotiation"));
    }
    w.record(1, W::kApplication, bytes_of("EventLinkConnected"));
    w.record(0, W::kAlert, std::vector<std::uint8_t>{0x01, 0x00});
    write_file(out_dir / (std::string(c.name) + ".tls12"), w.bytes());
  }
  std::printf("tlsring-fuzz-seeds: TLS 1.2 record seeds in %s\n", out_dir.string().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 3 && args[0] == "streams") {
    return streams(args[1], std::vector<fs::path>(args.begin() + 2, args.end()));
  }
  if (args.size() == 2 && args[0] == "tls12") return tls12(args[1]);
  if (args.size() == 3 && args[0] == "tls13") return tls13(args[1], args[2]);
  if (args.size() == 5 && args[0] == "keys") return keys(args[1], args[2], args[3], args[4]);
  std::fprintf(stderr,
               "usage: tlsring-fuzz-seeds streams OUTDIR CAPTURE...\n"
               "       tlsring-fuzz-seeds tls12 OUTDIR\n"
               "       tlsring-fuzz-seeds tls13 OUTDIR CERT.der\n"
               "       tlsring-fuzz-seeds keys OUTDIR KEY.pem CERT.pem PASSWORD\n");
  return 2;
}
