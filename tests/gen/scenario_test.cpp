// End-to-end: generated captures read back with libpcap and a decoder written
// in the test (capture_check.h); TLS facts checked against the capture bytes,
// the key log checked by decrypting records with OpenSSL's EVP and KDF APIs,
// the key files checked with the openssl command-line tool.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <pcap/pcap.h>
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "core/bytes/byte_reader.h"
#include "tests/gen/capture_check.h"
#include "tests/gen/scenario.h"

namespace fs = std::filesystem;
using namespace tlsring::testgen;
namespace check = tlsring::testgen::check;
using ByteVec = std::vector<std::uint8_t>;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tlsring-gen-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

ScenarioConfig base_config(const fs::path& dir, const std::string& ciphers = "AES128-GCM-SHA256") {
  ScenarioConfig config;
  config.output.dir = dir;
  config.specs[0].tls.ciphers = ciphers;
  config.specs[0].traffic.exchanges = 3;
  return config;
}

GeneratedScenario run(const ScenarioConfig& config) {
  auto result = generate(config);
  INFO((result.ok() ? std::string() : result.error().message));
  REQUIRE(result.ok());
  return std::move(*result);
}

struct Flight {
  std::vector<check::TlsRecord> records;
  std::vector<check::HandshakeMessage> handshake;
};

// The TLS records and clear handshake of one direction of a connection.
Flight tls_of(const check::Capture& capture, const ConnectionRecord& c, Direction d) {
  const auto packets = check::connection_packets(capture, c.client.port, c.server.port);
  const bool c2s = d == Direction::client_to_server;
  const auto stream = check::rebuild_stream(c2s ? packets.to_server : packets.to_client,
                                            c2s ? c.client_isn : c.server_isn);
  REQUIRE(stream.complete());
  std::size_t rest = 0;
  Flight f;
  f.records = check::split_records(stream.bytes, &rest);
  CHECK(rest == 0);  // the stream is whole records
  f.handshake = check::clear_handshake(f.records);
  return f;
}

// OpenSSL's TLS1-PRF (RFC 5246 section 5) with SHA-256.
ByteVec prf(const ByteVec& secret, const std::string& label, const ByteVec& seed, std::size_t size) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
  REQUIRE(kdf != nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  ByteVec label_seed(label.begin(), label.end());
  label_seed.insert(label_seed.end(), seed.begin(), seed.end());
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<std::uint8_t*>(secret.data()),
                                        secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, label_seed.data(), label_seed.size()),
      OSSL_PARAM_construct_end()};
  ByteVec out(size);
  const int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  REQUIRE(ok == 1);
  return out;
}

// TLS 1.2 AES-128-GCM record decryption (RFC 5288) of the client's record number `seq`.
ByteVec decrypt_gcm_record(const ByteVec& master, const ByteVec& client_random,
                           const ByteVec& server_random, const check::TlsRecord& record,
                           std::uint64_t seq) {
  ByteVec seed = server_random;
  seed.insert(seed.end(), client_random.begin(), client_random.end());
  const ByteVec block = prf(master, "key expansion", seed, 40);
  const ByteVec key(block.begin(), block.begin() + 16);  // client_write_key
  ByteVec nonce(block.begin() + 32, block.begin() + 36);  // client_write_IV (salt)
  REQUIRE(record.fragment.size() >= 24);
  nonce.insert(nonce.end(), record.fragment.begin(), record.fragment.begin() + 8);
  const std::size_t length = record.fragment.size() - 24;
  ByteVec aad;
  for (int i = 7; i >= 0; --i) aad.push_back(static_cast<std::uint8_t>(seq >> (8 * i)));
  aad.push_back(record.type);
  aad.push_back(static_cast<std::uint8_t>(record.version >> 8));
  aad.push_back(static_cast<std::uint8_t>(record.version));
  aad.push_back(static_cast<std::uint8_t>(length >> 8));
  aad.push_back(static_cast<std::uint8_t>(length));

  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ByteVec plain(length);
  int n = 0;
  int ok = EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key.data(), nonce.data());
  ok &= EVP_DecryptUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size()));
  ok &= EVP_DecryptUpdate(ctx, plain.data(), &n, record.fragment.data() + 8, static_cast<int>(length));
  ok &= EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16,
                            const_cast<std::uint8_t*>(record.fragment.data() + 8 + length));
  int final_n = 0;
  const int verified = EVP_DecryptFinal_ex(ctx, plain.data() + n, &final_n);
  EVP_CIPHER_CTX_free(ctx);
  REQUIRE(ok == 1);
  REQUIRE(verified == 1);  // the tag checks: right key, right bytes
  return plain;
}

const check::HandshakeMessage* find_message(const Flight& f, std::uint8_t type) {
  for (const auto& m : f.handshake) {
    if (m.type == type) return &m;
  }
  return nullptr;
}

std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  CHECK(pclose(pipe) == 0);
  return out;
}

void check_all_packets_valid(const check::Capture& capture) {
  CHECK(capture.undecodable == 0);
  std::size_t bad_ip = 0, bad_tcp = 0, backwards = 0;
  for (std::size_t i = 0; i < capture.packets.size(); ++i) {
    bad_ip += capture.packets[i].ip_checksum_ok ? 0 : 1;
    bad_tcp += capture.packets[i].tcp_checksum_ok ? 0 : 1;
    if (i > 0 && capture.packets[i].timestamp_ns < capture.packets[i - 1].timestamp_ns) ++backwards;
  }
  CHECK(bad_ip == 0);
  CHECK(bad_tcp == 0);
  CHECK(backwards == 0);
}

constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;
constexpr std::uint8_t kCertificate = 11;
constexpr std::uint8_t kClientKeyExchange = 16;

}  // namespace

TEST_CASE("TLS 1.2 RSA capture: libpcap reads it, the key log and the server key decrypt it") {
  TempDir dir;
  ScenarioConfig config = base_config(dir.path);
  config.specs[0].tls.extended_master_secret = false;  // master secret = PRF(premaster, randoms)
  config.sessions = 3;
  const auto result = run(config);

  REQUIRE(result.files.size() == 1);
  REQUIRE(result.connections.size() == 3);
  const auto capture = check::read_capture(result.files[0].path);
  CHECK(capture.datalink == DLT_EN10MB);
  CHECK(capture.packets.size() == result.packets);
  CHECK(result.files[0].packets == result.packets);
  check_all_packets_valid(capture);

  const auto keylog = check::parse_keylog(check::read_text(result.keylog));
  REQUIRE(keylog.count("CLIENT_RANDOM") == 1);
  CHECK(keylog.at("CLIENT_RANDOM").size() == 3);

  // The server key as written to disk, read back with OpenSSL's PEM reader.
  FILE* key_file = std::fopen(result.key_pem.c_str(), "r");
  REQUIRE(key_file != nullptr);
  EVP_PKEY* server_key = PEM_read_PrivateKey(key_file, nullptr, nullptr, nullptr);
  std::fclose(key_file);
  REQUIRE(server_key != nullptr);

  for (const auto& c : result.connections) {
    INFO("connection " << c.index);
    CHECK(c.version == "TLSv1.2");
    CHECK(c.cipher == "TLS_RSA_WITH_AES_128_GCM_SHA256");
    CHECK(c.server.port == 3000);
    CHECK(c.packets_written == c.packets_generated);

    const auto c2s = tls_of(capture, c, Direction::client_to_server);
    const auto s2c = tls_of(capture, c, Direction::server_to_client);
    const auto* hello = find_message(c2s, kClientHello);
    const auto* server_hello = find_message(s2c, kServerHello);
    const auto* cke = find_message(c2s, kClientKeyExchange);
    REQUIRE(hello != nullptr);
    REQUIRE(server_hello != nullptr);
    REQUIRE(cke != nullptr);
    const ByteVec client_random = check::hello_random(*hello);
    const ByteVec server_random = check::hello_random(*server_hello);
    CHECK(check::hex(client_random) == c.client_random);

    // The key log's master secret for this ClientHello...
    const auto secret = keylog.at("CLIENT_RANDOM").find(check::hex(client_random));
    REQUIRE(secret != keylog.at("CLIENT_RANDOM").end());
    const ByteVec master = check::unhex(secret->second);
    REQUIRE(master.size() == 48);

    // ...is what the server key gives from the captured ClientKeyExchange (RFC 5246 8.1).
    tlsring::ByteReader body(cke->body);
    auto encrypted = body.length_prefixed(2);
    REQUIRE(encrypted);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(server_key, nullptr);
    REQUIRE(EVP_PKEY_decrypt_init(ctx) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1);
    ByteVec premaster(256);
    std::size_t premaster_size = premaster.size();
    REQUIRE(EVP_PKEY_decrypt(ctx, premaster.data(), &premaster_size, encrypted->data(), encrypted->size()) == 1);
    EVP_PKEY_CTX_free(ctx);
    premaster.resize(premaster_size);
    REQUIRE(premaster.size() == 48);
    CHECK(premaster[0] == 3);
    CHECK(premaster[1] == 3);
    ByteVec randoms = client_random;
    randoms.insert(randoms.end(), server_random.begin(), server_random.end());
    CHECK(prf(premaster, "master secret", randoms, 48) == master);

    // ...and decrypts the client's first application data record to conn-N.c2s.bin's start.
    const auto first_data = std::find_if(c2s.records.begin(), c2s.records.end(),
                                         [](const check::TlsRecord& r) { return r.type == 23; });
    REQUIRE(first_data != c2s.records.end());
    const ByteVec plain = decrypt_gcm_record(master, client_random, server_random, *first_data, 1);
    const ByteVec sent = check::read_bytes(c.plaintext_files[0]);
    CHECK(sent.size() == c.plaintext_bytes[0]);
    REQUIRE(sent.size() >= plain.size());
    CHECK(ByteVec(sent.begin(), sent.begin() + static_cast<std::ptrdiff_t>(plain.size())) == plain);
    CHECK(check::read_bytes(c.plaintext_files[1]).size() == c.plaintext_bytes[1]);
  }
  EVP_PKEY_free(server_key);

  // The openssl tool agrees that key and certificate belong together.
  const std::string cert_key = run_command("openssl x509 -noout -pubkey -in '" + result.cert_pem.string() + "'");
  const std::string key_pub = run_command("openssl pkey -pubout -in '" + result.key_pem.string() + "'");
  CHECK(cert_key == key_pub);
  CHECK_THAT(run_command("openssl x509 -noout -subject -in '" + result.cert_pem.string() + "'"),
             Catch::Contains("tlsring-test-server"));
}

TEST_CASE("extended master secret and encrypt-then-MAC follow the options") {
  for (bool on : {true, false}) {
    TempDir dir;
    ScenarioConfig config = base_config(dir.path, "AES128-SHA");
    config.specs[0].tls.extended_master_secret = on;
    config.specs[0].tls.encrypt_then_mac = on;
    const auto result = run(config);
    const auto capture = check::read_capture(result.files[0].path);
    const auto s2c = tls_of(capture, result.connections[0], Direction::server_to_client);
    const auto* server_hello = find_message(s2c, kServerHello);
    REQUIRE(server_hello != nullptr);
    const auto extensions = check::hello_extensions(*server_hello);
    const bool ems = std::count(extensions.begin(), extensions.end(), 0x0017) == 1;  // RFC 7627
    const bool etm = std::count(extensions.begin(), extensions.end(), 0x0016) == 1;  // RFC 7366
    CHECK(ems == on);
    CHECK(etm == on);
  }
}

TEST_CASE("TLS 1.0 and 1.1 are negotiated for real") {
  for (auto [version, wire, name] : {std::tuple{TlsVersion::tls1_0, 0x0301, "TLSv1"},
                                     std::tuple{TlsVersion::tls1_1, 0x0302, "TLSv1.1"}}) {
    TempDir dir;
    ScenarioConfig config = base_config(dir.path, "AES256-SHA");
    config.specs[0].tls.version = version;
    const auto result = run(config);
    const auto& c = result.connections[0];
    CHECK(c.version == name);
    CHECK(c.cipher == "TLS_RSA_WITH_AES_256_CBC_SHA");
    const auto capture = check::read_capture(result.files[0].path);
    const auto s2c = tls_of(capture, c, Direction::server_to_client);
    const auto* server_hello = find_message(s2c, kServerHello);
    REQUIRE(server_hello != nullptr);
    CHECK(((server_hello->body[0] << 8) | server_hello->body[1]) == wire);
  }
}

TEST_CASE("resumption by session ID and by ticket") {
  for (Resumption mode : {Resumption::session_id, Resumption::ticket}) {
    TempDir dir;
    ScenarioConfig config = base_config(dir.path);
    config.specs[0].tls.resumption = mode;
    config.specs[0].resumptions = 2;
    config.sessions = 2;
    const auto result = run(config);
    REQUIRE(result.connections.size() == 6);
    const auto capture = check::read_capture(result.files[0].path);
    ByteVec full_session_id;
    for (const auto& c : result.connections) {
      INFO("mode " << int(mode) << " connection " << c.index);
      const bool first = c.index % 3 == 0;
      CHECK(c.resumed == !first);
      CHECK(c.session == c.index / 3);
      if (!first) CHECK(c.resumes == c.index - 1);
      const auto c2s = tls_of(capture, c, Direction::client_to_server);
      const auto s2c = tls_of(capture, c, Direction::server_to_client);
      // An abbreviated handshake sends no certificate (RFC 5246 7.3).
      CHECK((find_message(s2c, kCertificate) != nullptr) == first);
      const auto* hello = find_message(c2s, kClientHello);
      const auto* server_hello = find_message(s2c, kServerHello);
      REQUIRE(hello != nullptr);
      REQUIRE(server_hello != nullptr);
      const auto extensions = check::hello_extensions(*hello);
      const bool offers_ticket = std::count(extensions.begin(), extensions.end(), 0x0023) == 1;
      CHECK(offers_ticket == (mode == Resumption::ticket));
      if (mode == Resumption::session_id) {
        if (first) {
          full_session_id = check::hello_session_id(*server_hello);
          CHECK(full_session_id.size() == 32);
        } else {
          CHECK(check::hello_session_id(*hello) == full_session_id);
          CHECK(check::hello_session_id(*server_hello) == full_session_id);
        }
      }
    }
  }
}

TEST_CASE("TLS 1.3 with 0-RTT early data on resumed connections") {
  TempDir dir;
  ScenarioConfig config = base_config(dir.path);
  config.specs[0].tls.version = TlsVersion::tls1_3;
  config.specs[0].tls.ciphersuites = "TLS_AES_128_GCM_SHA256";
  config.specs[0].tls.resumption = Resumption::ticket;
  config.specs[0].early_data = 250;
  const auto result = run(config);
  REQUIRE(result.connections.size() == 2);
  const auto& full = result.connections[0];
  const auto& resumed = result.connections[1];
  CHECK(full.version == "TLSv1.3");
  CHECK(full.cipher == "TLS_AES_128_GCM_SHA256");
  CHECK_FALSE(full.resumed);
  CHECK(resumed.resumed);
  CHECK(resumed.early_data_offered);
  CHECK(resumed.early_data_accepted);
  CHECK(resumed.early_data_bytes == 250);

  const auto capture = check::read_capture(result.files[0].path);
  check_all_packets_valid(capture);
  const auto c2s = tls_of(capture, resumed, Direction::client_to_server);
  const auto* hello = find_message(c2s, kClientHello);
  REQUIRE(hello != nullptr);
  const auto extensions = check::hello_extensions(*hello);
  CHECK(std::count(extensions.begin(), extensions.end(), 42) == 1);  // early_data
  CHECK(extensions.back() == 41);  // pre_shared_key, last (RFC 8446 4.2.11)
  // The key log holds the 0-RTT secret of exactly this ClientHello.
  const auto keylog = check::parse_keylog(check::read_text(result.keylog));
  const std::string random = check::hex(check::hello_random(*hello));
  CHECK(keylog.at("CLIENT_EARLY_TRAFFIC_SECRET").count(random) == 1);
  CHECK(keylog.at("CLIENT_TRAFFIC_SECRET_0").count(random) == 1);
  CHECK(keylog.at("SERVER_TRAFFIC_SECRET_0").count(random) == 1);
  // The plaintext the server received starts with the early data.
  CHECK(check::read_bytes(resumed.plaintext_files[0]).size() == resumed.plaintext_bytes[0]);
}

TEST_CASE("renegotiation adds a second handshake to the key log") {
  for (Side initiator : {Side::client, Side::server}) {
    TempDir dir;
    ScenarioConfig config = base_config(dir.path, "AES256-SHA256");
    config.specs[0].renegotiate_after = 2;
    config.specs[0].renegotiation_initiator = initiator;
    const auto result = run(config);
    const auto& c = result.connections[0];
    CHECK(c.renegotiations == 1);
    CHECK_FALSE(c.resumed);
    const auto keylog = check::parse_keylog(c.keylog);
    CHECK(keylog.at("CLIENT_RANDOM").size() == 2);
    CHECK(keylog.at("CLIENT_RANDOM").count(c.client_random) == 1);
  }
}

TEST_CASE("IPv6 with an 802.1Q tag, in pcap format") {
  TempDir dir;
  ScenarioConfig config = base_config(dir.path);
  config.network.ipv6 = true;
  config.network.frame.vlan = 42;
  config.network.server_port = 8443;
  config.output.format = tlsring::capture::CaptureFormat::pcap_micro;
  config.sessions = 2;
  const auto result = run(config);
  CHECK(result.files[0].path.extension() == ".pcap");
  const auto capture = check::read_capture(result.files[0].path);
  CHECK(capture.datalink == DLT_EN10MB);
  REQUIRE(capture.packets.size() == result.packets);
  check_all_packets_valid(capture);
  for (const auto& p : capture.packets) {
    CHECK(p.v6);
    CHECK(p.vlan == std::optional<std::uint16_t>(42));
    CHECK((p.src_port == 8443 || p.dst_port == 8443));
  }
  CHECK(result.connections[0].server.ip.to_string() == "fd00:1::1");
  const auto c2s = tls_of(capture, result.connections[1], Direction::client_to_server);
  CHECK(find_message(c2s, kClientHello) != nullptr);
}

TEST_CASE("every link layer and format reads back with the link type libpcap expects") {
  struct Case {
    LinkLayer link;
    int dlt;
    tlsring::capture::CaptureFormat format;
  };
  for (const Case& k : {Case{LinkLayer::raw, DLT_RAW, tlsring::capture::CaptureFormat::pcap_nano},
                        Case{LinkLayer::linux_sll, DLT_LINUX_SLL, tlsring::capture::CaptureFormat::pcapng},
                        Case{LinkLayer::linux_sll2, DLT_LINUX_SLL2, tlsring::capture::CaptureFormat::pcap_micro},
                        Case{LinkLayer::null, DLT_NULL, tlsring::capture::CaptureFormat::pcapng}}) {
    TempDir dir;
    ScenarioConfig config = base_config(dir.path);
    config.network.frame.link = k.link;
    config.output.format = k.format;
    const auto result = run(config);
    const auto capture = check::read_capture(result.files[0].path);
    INFO("link " << link_layer_name(k.link));
    CHECK(capture.datalink == k.dlt);
    CHECK(capture.packets.size() == result.packets);
    check_all_packets_valid(capture);
    const auto c2s = tls_of(capture, result.connections[0], Direction::client_to_server);
    CHECK(find_message(c2s, kClientHello) != nullptr);
  }
}

TEST_CASE("timestamps come from the deterministic clock") {
  TempDir dir;
  ScenarioConfig config = base_config(dir.path);
  config.clock.start_ns = 1'600'000'000'000'000'000;
  config.sessions = 2;
  const auto result = run(config);
  const auto capture = check::read_capture(result.files[0].path);
  REQUIRE(!capture.packets.empty());
  CHECK(capture.packets.front().timestamp_ns == config.clock.start_ns);
  CHECK(capture.packets.front().flags == 0x02);  // SYN
  CHECK(result.connections[1].first_timestamp_ns ==
        result.connections[0].last_timestamp_ns + config.clock.connection_gap_ns);
}

TEST_CASE("a capture that starts late misses the handshake of one connection") {
  TempDir dir;
  ScenarioConfig config = base_config(dir.path);
  config.sessions = 3;
  config.impairments.drop_first = 5;
  config.impaired_connections = {1};
  const auto result = run(config);
  const auto capture = check::read_capture(result.files[0].path);
  CHECK(capture.packets.size() == result.packets);
  for (const auto& c : result.connections) {
    const auto packets = check::connection_packets(capture, c.client.port, c.server.port);
    const std::size_t seen = packets.to_server.size() + packets.to_client.size();
    CHECK(seen == c.packets_written);
    if (c.index == 1) {
      CHECK(c.packets_written == c.packets_generated - 5);
      CHECK_FALSE(c.impairments.syn_captured);
      CHECK(c.impairments.lost_bytes[0] > 0);  // the ClientHello at least
      for (const auto* p : packets.to_server) CHECK((p->flags & 0x02) == 0);
    } else {
      CHECK(c.packets_written == c.packets_generated);
      CHECK(c.impairments.syn_captured);
    }
  }
}

TEST_CASE("loss, retransmission and reordering show in the capture as the manifest says") {
  TempDir dir;
  ScenarioConfig config = base_config(dir.path);
  config.sessions = 4;
  config.specs[0].traffic.bulk_server_to_client = 60000;
  config.impairments.drop = 0.05;
  config.impairments.retransmit = 0.05;
  config.impairments.reorder = 0.05;
  config.seed = 11;
  const auto result = run(config);
  const auto capture = check::read_capture(result.files[0].path);
  check_all_packets_valid(capture);
  std::size_t duplicates = 0, reordered = 0, dropped = 0;
  for (const auto& c : result.connections) {
    INFO("connection " << c.index);
    const auto packets = check::connection_packets(capture, c.client.port, c.server.port);
    CHECK(packets.to_server.size() + packets.to_client.size() == c.packets_written);
    CHECK(c.packets_written == c.packets_generated - c.impairments.dropped + c.impairments.duplicated);
    // Bytes the capture lacks are exactly the bytes the manifest calls lost.
    const auto c2s = check::rebuild_stream(packets.to_server, c.client_isn);
    const auto s2c = check::rebuild_stream(packets.to_client, c.server_isn);
    CHECK(c2s.covered_bytes() == c.wire_bytes[0] - c.impairments.lost_bytes[0]);
    CHECK(s2c.covered_bytes() == c.wire_bytes[1] - c.impairments.lost_bytes[1]);
    // Reordering: a data segment below the highest sequence already seen, not a copy.
    std::set<std::uint32_t> seen;
    std::uint32_t highest = 0;
    for (const auto* p : packets.to_client) {
      if (p->payload.empty()) continue;
      const std::uint32_t rel = p->seq - c.server_isn;
      if (!seen.insert(rel).second) {
        ++duplicates;
      } else if (rel < highest) {
        ++reordered;
      }
      highest = std::max(highest, rel);
    }
    dropped += c.impairments.dropped;
  }
  CHECK(duplicates > 0);
  CHECK(reordered > 0);
  CHECK(dropped > 0);
}

TEST_CASE("the same seed gives the same TCP/IP layout") {
  std::vector<std::vector<std::tuple<std::int64_t, std::uint32_t, std::uint32_t, std::uint8_t, std::size_t>>> runs;
  for (int i = 0; i < 2; ++i) {
    TempDir dir;
    ScenarioConfig config = base_config(dir.path);
    config.sessions = 3;
    config.impairments.drop = 0.1;
    config.impairments.reorder = 0.1;
    config.seed = 99;
    const auto result = run(config);
    const auto capture = check::read_capture(result.files[0].path);
    runs.emplace_back();
    for (const auto& p : capture.packets) {
      runs.back().emplace_back(p.timestamp_ns, p.seq, p.ack, p.flags, p.payload.size());
    }
  }
  CHECK(runs[0] == runs[1]);
}

TEST_CASE("split captures: at a packet index and before a connection") {
  SECTION("at packet 40") {
    TempDir dir;
    ScenarioConfig config = base_config(dir.path);
    config.sessions = 3;
    config.output.split_at_packets = {40};
    const auto result = run(config);
    REQUIRE(result.files.size() == 2);
    CHECK(result.files[0].path.filename() == "capture-1.pcapng");
    CHECK(result.files[1].path.filename() == "capture-2.pcapng");
    CHECK(check::read_capture(result.files[0].path).packets.size() == 40);
    CHECK(check::read_capture(result.files[1].path).packets.size() == result.packets - 40);
    CHECK(result.files[1].first_packet == 41);
  }
  SECTION("full handshake in file 1, resumption in file 2") {
    TempDir dir;
    ScenarioConfig config = base_config(dir.path);
    config.specs[0].tls.resumption = Resumption::session_id;
    config.output.split_before_connections = {1};
    const auto result = run(config);
    REQUIRE(result.files.size() == 2);
    REQUIRE(result.connections.size() == 2);
    CHECK(result.connections[0].files == std::vector<std::size_t>{0});
    CHECK(result.connections[1].files == std::vector<std::size_t>{1});
    CHECK(result.connections[1].resumed);
    const auto first = check::read_capture(result.files[0].path);
    const auto second = check::read_capture(result.files[1].path);
    CHECK(first.packets.size() == result.connections[0].packets_written);
    CHECK(second.packets.size() == result.connections[1].packets_written);
    CHECK(second.packets.front().flags == 0x02);  // file 2 starts with the resumed connection's SYN
    CHECK(second.packets.front().src_port == result.connections[1].client.port);
  }
}

TEST_CASE("pcapng Decryption Secrets Blocks carry each connection's key log before its packets") {
  TempDir dir;
  ScenarioConfig config = base_config(dir.path);
  config.sessions = 3;
  config.output.embed_secrets = true;
  const auto result = run(config);
  const auto blocks = check::pcapng_blocks(result.files[0].path);
  std::vector<std::string> secrets;
  std::size_t packets_before_first_secret = 0;
  std::size_t packets = 0;
  for (const auto& [type, body] : blocks) {
    if (type == 6) ++packets;
    if (type != 0x0a) continue;
    tlsring::ByteReader r(body);
    CHECK(r.u32le() == 0x544c534bu);
    auto length = r.u32le();
    REQUIRE(length);
    auto data = r.bytes(*length);
    REQUIRE(data);
    CHECK(r.remaining() == (4 - *length % 4) % 4);  // padding only
    if (secrets.empty()) packets_before_first_secret = packets;
    secrets.emplace_back(data->begin(), data->end());
  }
  CHECK(packets_before_first_secret == 0);
  REQUIRE(secrets.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(secrets[i] == result.connections[i].keylog);
  CHECK(result.files[0].secrets_blocks == 3);
  CHECK(check::read_capture(result.files[0].path).packets.size() == result.packets);  // libpcap skips DSBs
}

TEST_CASE("overlapping connections interleave in time order") {
  TempDir dir;
  ScenarioConfig config = base_config(dir.path);
  config.sessions = 6;
  config.specs[0].traffic.exchanges = 6;
  config.clock.start_interval_ns = 2'000'000;  // shorter than a connection
  const auto result = run(config);
  const auto capture = check::read_capture(result.files[0].path);
  check_all_packets_valid(capture);
  std::size_t switches = 0;
  for (std::size_t i = 1; i < capture.packets.size(); ++i) {
    const auto port = [](const check::Packet& p) { return std::min(p.src_port, p.dst_port) == 3000 ? std::max(p.src_port, p.dst_port) : 0; };
    switches += port(capture.packets[i]) != port(capture.packets[i - 1]) ? 1 : 0;
  }
  CHECK(switches > result.connections.size() * 2);  // not one connection after another
  for (const auto& c : result.connections) {
    CHECK(c.first_timestamp_ns == config.clock.start_ns + static_cast<std::int64_t>(c.index) * 2'000'000);
    const auto c2s = tls_of(capture, c, Direction::client_to_server);
    CHECK(find_message(c2s, kClientHello) != nullptr);
  }
}

TEST_CASE("a thousand sessions with rotating specs in one capture") {
  TempDir dir;
  ScenarioConfig config = base_config(dir.path);
  config.specs.push_back(config.specs[0]);
  config.specs[1].tls.ciphers = "AES256-SHA";
  config.specs[1].tls.resumption = Resumption::ticket;
  config.sessions = 1000;
  config.specs[0].traffic.exchanges = 2;
  config.specs[1].traffic.exchanges = 2;
  const auto result = run(config);
  REQUIRE(result.connections.size() == 1500);
  const auto capture = check::read_capture(result.files[0].path);
  CHECK(capture.packets.size() == result.packets);
  CHECK(capture.undecodable == 0);
  std::set<std::pair<std::string, std::uint16_t>> clients;
  std::size_t resumed = 0;
  for (const auto& c : result.connections) {
    clients.emplace(c.client.ip.to_string(), c.client.port);
    resumed += c.resumed ? 1 : 0;
    CHECK(fs::file_size(c.plaintext_files[0]) == c.plaintext_bytes[0]);
  }
  CHECK(clients.size() == 1500);  // every connection has its own 4-tuple
  CHECK(resumed == 500);
  const auto keylog = check::parse_keylog(check::read_text(result.keylog));
  CHECK(keylog.at("CLIENT_RANDOM").size() == 1500);
  // The manifest lists every connection.
  const std::string tsv = check::read_text(result.manifest_tsv);
  CHECK(std::count(tsv.begin(), tsv.end(), '\n') == 1501);
}

TEST_CASE("given key files and a PKCS#12 export") {
  TempDir dir;
  const fs::path key = dir.path / "given.key";
  const fs::path cert = dir.path / "given.crt";
  run_command("openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + key.string() + "' -out '" +
              cert.string() + "' -subj /CN=given-server -days 1 2>/dev/null");
  ScenarioConfig config = base_config(dir.path / "out");
  config.key_pem = key;
  config.cert_pem = cert;
  config.output.pkcs12_password = "s3cret";
  const auto result = run(config);
  // The server presented the given certificate.
  const auto capture = check::read_capture(result.files[0].path);
  const auto s2c = tls_of(capture, result.connections[0], Direction::server_to_client);
  const auto* certificate = find_message(s2c, kCertificate);
  REQUIRE(certificate != nullptr);
  const std::string given_der = run_command("openssl x509 -outform DER -in '" + cert.string() + "' | od -An -tx1 | tr -d ' \\n'");
  CHECK(check::hex(certificate->body).find(given_der) != std::string::npos);
  // The .p12 opens with its password and holds that certificate.
  const std::string p12 = run_command("openssl pkcs12 -in '" + result.pkcs12.string() +
                                      "' -passin pass:s3cret -nokeys 2>/dev/null | openssl x509 -noout -subject");
  CHECK_THAT(p12, Catch::Contains("given-server"));
  struct stat st {};
  REQUIRE(::stat(result.key_pem.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("configs that cannot work are refused with a reason") {
  ScenarioConfig config;
  config.output.dir = "/tmp/unused";
  config.specs[0].tls.version = TlsVersion::tls1_3;
  config.specs[0].renegotiate_after = 1;
  auto s = validate(config);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error().message, Catch::Contains("renegotiation"));

  config.specs[0].renegotiate_after.reset();
  config.specs[0].early_data = 10;
  s = validate(config);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error().message, Catch::Contains("resumption"));

  config.specs[0].early_data = 0;
  config.network.frame.link = LinkLayer::raw;
  config.network.frame.vlan = 5;
  CHECK_FALSE(validate(config).ok());

  config.network.frame.vlan.reset();
  config.output.embed_secrets = true;
  config.output.format = tlsring::capture::CaptureFormat::pcap_micro;
  CHECK_FALSE(validate(config).ok());

  TempDir dir;
  ScenarioConfig bad = base_config(dir.path, "NO-SUCH-CIPHER");
  auto result = generate(bad);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("NO-SUCH-CIPHER"));
}
