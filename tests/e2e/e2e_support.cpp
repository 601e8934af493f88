#include "tests/e2e/e2e_support.h"

#include <openssl/ssl.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/capture/capture_writer.h"
#include "core/crypto/providers.h"

namespace tlsring::e2e {

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "tlsring-e2e-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  if (std::getenv("TLSRING_E2E_KEEP") != nullptr) {
    std::fprintf(stderr, "TLSRING_E2E_KEEP: kept %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string RecordedConnection::bytes(decrypt::Direction d) const {
  std::string out;
  for (const auto& r : records[static_cast<std::size_t>(d)]) out += r;
  return out;
}

void RecordSink::on_application_data(const decrypt::SessionReport& session, decrypt::Direction direction, std::int64_t,
                                     std::span<const std::uint8_t> plaintext) {
  std::lock_guard lock(mutex_);
  connections[session.connection_id].records[static_cast<std::size_t>(direction)].emplace_back(plaintext.begin(),
                                                                                               plaintext.end());
}

void RecordSink::on_master_secret(std::span<const std::uint8_t>, std::span<const std::uint8_t>) {
  std::lock_guard lock(mutex_);
  ++master_secrets;
}

void RecordSink::on_session_end(const decrypt::SessionReport& session) {
  std::lock_guard lock(mutex_);
  auto& c = connections[session.connection_id];
  c.report = session;
  ++c.ends;
}

testgen::GeneratedScenario generate_ok(const testgen::ScenarioConfig& config) {
  auto result = testgen::generate(config);
  INFO((result.ok() ? std::string() : result.error().message));
  REQUIRE(result.ok());
  return std::move(result.value());
}

testgen::ScenarioConfig base_config(const fs::path& dir, const std::string& ciphers, std::size_t sessions) {
  testgen::ScenarioConfig config;
  config.output.dir = dir;
  config.sessions = sessions;
  config.specs[0].tls.ciphers = ciphers;
  config.specs[0].traffic.exchanges = 3;
  return config;
}

net::Endpoint to_endpoint(const testgen::TcpEndpoint& e) {
  net::Endpoint out;
  out.ip.version = e.ip.v6 ? 6 : 4;
  out.ip.bytes = e.ip.bytes;
  out.port = e.port;
  return out;
}

keys::RsaPrivateKey load_key(const fs::path& pem) {
  auto key = keys::RsaPrivateKey::load(pem, std::nullopt);
  INFO((key.ok() ? std::string() : key.error().message));
  REQUIRE(key.ok());
  return std::move(key.value());
}

std::unique_ptr<Decryption> decrypt_files(decrypt::KeyStore& keys, const std::vector<fs::path>& files,
                                          unsigned workers, const decrypt::CaptureLosses* known_losses) {
  REQUIRE(crypto::ensure_crypto_providers().ok());
  auto run = std::make_unique<Decryption>();
  decrypt::EngineOptions options;
  options.workers = workers;
  options.known_losses = known_losses;
  decrypt::DecryptEngine engine(keys, run->sink, options);
  for (const auto& file : files) {
    auto summary = engine.add_file(file);
    INFO(file.string() << ": " << (summary.ok() ? std::string() : summary.error().message));
    REQUIRE(summary.ok());
    run->files.push_back(std::move(summary.value()));
  }
  engine.finish();
  return run;
}

std::vector<fs::path> capture_paths(const testgen::GeneratedScenario& scenario) {
  std::vector<fs::path> out;
  for (const auto& f : scenario.files) out.push_back(f.path);
  return out;
}

void rewrite_capture(const fs::path& from, const fs::path& to, const PacketRewrite& write) {
  auto reader = capture::CaptureReader::open(from);
  REQUIRE(reader.ok());
  auto writer = capture::CaptureWriter::create(to, capture::CaptureFormat::pcapng);
  REQUIRE(writer.ok());
  std::optional<std::uint32_t> interface_id;
  for (;;) {
    const capture::CaptureEvent event = (*reader)->next();
    if (event.kind == capture::CaptureEvent::Kind::end) break;
    REQUIRE(event.kind == capture::CaptureEvent::Kind::packet);
    if (!interface_id) {
      auto id = (*writer)->add_interface(event.packet.link_type);
      REQUIRE(id.ok());
      interface_id = *id;
    }
    write(**writer, *interface_id, event.packet);
  }
  REQUIRE((*writer)->close().ok());
}

void copy_capture_without(const fs::path& from, const fs::path& to,
                          const std::function<bool(const capture::CapturePacket&)>& leave_out, bool record_drops) {
  std::uint64_t left_out = 0;
  rewrite_capture(from, to, [&](capture::CaptureWriter& writer, std::uint32_t interface_id,
                                const capture::CapturePacket& packet) {
    if (leave_out(packet)) {
      ++left_out;
      return;
    }
    const std::uint64_t dropped_before = record_drops ? std::exchange(left_out, 0) : 0;
    REQUIRE(writer.write_packet(packet.timestamp_ns, interface_id, packet.data, 0, dropped_before).ok());
  });
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::array<std::string, 2> sent_plaintext(const testgen::ConnectionRecord& c) {
  return {read_bytes(c.plaintext_files[0]), read_bytes(c.plaintext_files[1])};
}

const RecordedConnection* find_connection(const Decryption& run, const testgen::ConnectionRecord& c) {
  return find_connection(run, c.client, c.server);
}

std::uint16_t version_code(const std::string& v) {
  // RFC 2246, 4346, 5246, 8446: {3,1} .. {3,4}.
  if (v == "TLSv1") return 0x0301;
  if (v == "TLSv1.1") return 0x0302;
  if (v == "TLSv1.2") return 0x0303;
  if (v == "TLSv1.3") return 0x0304;
  FAIL("unknown version " << v);
  return 0;
}

std::optional<std::uint16_t> suite_id(const std::string& iana_name) {
  static const std::map<std::string, std::uint16_t> ids = [] {
    std::map<std::string, std::uint16_t> out;
    SSL_CTX* ctx = SSL_CTX_new(TLS_method());
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
    SSL_CTX_set_ciphersuites(ctx,
                             "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
                             "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256");
    STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
      out[SSL_CIPHER_standard_name(c)] = SSL_CIPHER_get_protocol_id(c);
    }
    SSL_CTX_free(ctx);
    return out;
  }();
  auto it = ids.find(iana_name);
  if (it == ids.end()) return std::nullopt;
  return it->second;
}

std::string describe(const RecordedConnection& c) {
  const auto& r = c.report;
  std::ostringstream o;
  o << "connection " << r.connection_id << " " << r.client.to_string() << " -> " << r.server.to_string() << ": verdict "
    << decrypt::to_string(r.verdict) << " (" << r.reason << ") fix: " << r.fix << " | version "
    << (r.version ? *r.version : 0) << " suite " << (r.cipher_suite ? *r.cipher_suite : 0) << " resumed "
    << decrypt::to_string(r.resumed) << " ems " << r.extended_master_secret << " etm " << r.encrypt_then_mac
    << " handshakes " << r.handshakes << " records " << r.records << " undecrypted " << r.undecrypted_records
    << " gaps " << r.gaps << " (" << r.gap_bytes << " bytes) skipped_early " << r.skipped_early_data_records
    << " finished_verified " << r.finished_verified << " c2s " << c.c2s().size() << " s2c " << c.s2c().size();
  return o.str();
}

const RecordedConnection* find_connection(const Decryption& run, const testgen::TcpEndpoint& client_end,
                                          const testgen::TcpEndpoint& server_end) {
  const net::Endpoint client = to_endpoint(client_end);
  const net::Endpoint server = to_endpoint(server_end);
  for (const auto& [id, conn] : run.sink.connections) {
    // A 4-tuple reused by a later connection would match twice: the map is in id order, take the first.
    if (conn.report.client == client && conn.report.server == server) return &conn;
  }
  return nullptr;
}

void check_decrypted(const Decryption& run, const testgen::TcpEndpoint& client, const testgen::TcpEndpoint& server,
                     const std::array<std::string, 2>& sent, const std::string& version, const std::string& cipher,
                     decrypt::Resumption resumed) {
  INFO(version << " " << cipher << " client port " << client.port);
  const RecordedConnection* got = find_connection(run, client, server);
  REQUIRE(got != nullptr);
  INFO(describe(*got));
  CHECK(got->ends == 1);
  CHECK(got->report.verdict == decrypt::Verdict::decrypted);
  CHECK(got->c2s().size() == sent[0].size());
  CHECK(got->s2c().size() == sent[1].size());
  CHECK(got->c2s() == sent[0]);
  CHECK(got->s2c() == sent[1]);
  CHECK(got->report.c2s_bytes == sent[0].size());
  CHECK(got->report.s2c_bytes == sent[1].size());
  CHECK(got->report.gaps == 0);
  CHECK(got->report.undecrypted_records == 0);
  CHECK(got->report.finished_verified);
  CHECK(got->report.version == version_code(version));
  const auto id = suite_id(cipher);
  REQUIRE(id.has_value());
  CHECK(got->report.cipher_suite == *id);
  CHECK(got->report.resumed == resumed);
  CHECK(got->report.roles_certain);
}

void check_exact(const Decryption& run, const testgen::ConnectionRecord& c, decrypt::Resumption resumed) {
  INFO("manifest connection " << c.index);
  check_decrypted(run, c.client, c.server, sent_plaintext(c), c.version, c.cipher, resumed);
}

bool records_in_order(const std::vector<std::string>& records, const std::string& sent, std::size_t* where) {
  std::size_t from = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::size_t at = sent.find(records[i], from);
    if (at == std::string::npos) {
      if (where != nullptr) *where = i;
      return false;
    }
    from = at + records[i].size();
  }
  return true;
}

}  // namespace tlsring::e2e
