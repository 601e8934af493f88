// Background decryption of a ring's files, one after another, with one
// engine for the run: generated captures (real OpenSSL peers) split into
// files, the connections' plaintext known from the generator.
#include <catch2/catch.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>
#include <fstream>
#include <sstream>

#include "core/crypto/providers.h"
#include "core/keys/rsa_private_key.h"
#include "daemon/service/background_decryptor.h"
#include "tests/gen/scenario.h"
#include "tests/unit/service/test_wait_reason.h"

using namespace tlsring;
using testsvc::TestWaitReason;

namespace {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path fresh_dir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("tlsring-bgdecrypt-" + tag + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The connections/ file of the connection whose client port is `port`, with `suffix`.
std::filesystem::path connection_file(const std::filesystem::path& run, std::uint16_t port, const std::string& suffix) {
  for (const auto& e : std::filesystem::directory_iterator(run / "connections")) {
    const std::string name = e.path().filename().string();
    if (name.find("_" + std::to_string(port) + "-") != std::string::npos &&
        name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return e.path();
    }
  }
  return {};
}

// The scenario's server key, not bound to an address, as the service loads it.
std::unique_ptr<decrypt::KeyStore> key_store_for(const testgen::GeneratedScenario& scenario) {
  auto key = keys::RsaPrivateKey::load(scenario.key_pem, std::nullopt);
  REQUIRE(key.ok());
  auto keys = std::make_unique<decrypt::KeyStore>();
  keys->add_unbound_key(std::move(key.value()));
  return keys;
}

// Up to 10 s for `condition`.
bool wait_until(const std::function<bool()>& condition) {
  for (int i = 0; i < 1000 && !condition(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return condition();
}

}  // namespace

TEST_CASE("files decrypted one by one: a connection split over files and a resumption in a later file") {
  REQUIRE(crypto::ensure_crypto_providers().ok());
  const auto dir = fresh_dir("split");
  testgen::ScenarioConfig config;
  config.output.dir = dir / "gen";
  config.specs[0].tls.ciphers = "AES128-GCM-SHA256";
  config.specs[0].tls.resumption = testgen::Resumption::session_id;
  config.specs[0].resumptions = 1;
  config.specs[0].traffic.exchanges = 6;
  config.output.split_at_packets = {12};          // inside the first connection's application data
  config.output.split_before_connections = {1};   // the resumption in a file of its own
  auto generated = testgen::generate(config);
  REQUIRE(generated.ok());
  const auto& scenario = *generated;
  REQUIRE(scenario.files.size() == 3);
  REQUIRE(scenario.connections.size() == 2);
  REQUIRE(scenario.connections[0].files.size() == 2);  // the first connection spans files 1 and 2
  REQUIRE(scenario.connections[1].resumed);

  auto keys = key_store_for(scenario);
  std::vector<std::uint64_t> done_sequences;
  daemon::DecryptorOptions options;
  options.run_directory = dir / "run";
  options.workers = 2;
  auto decryptor = daemon::BackgroundDecryptor::create(options, std::move(keys), [&](const daemon::DecryptedFile& d) {
    CHECK(d.ok);
    done_sequences.push_back(d.sequence);
  });
  REQUIRE(decryptor.ok());
  for (std::size_t i = 0; i < scenario.files.size(); ++i) (*decryptor)->submit(scenario.files[i].path, i + 1);
  REQUIRE((*decryptor)->finish().ok());
  CHECK(done_sequences == std::vector<std::uint64_t>{1, 2, 3});
  CHECK((*decryptor)->backlog() == 0);
  CHECK((*decryptor)->files_decrypted() == 3);

  // Each connection's decrypted bytes equal what its peers sent, whole, though
  // the first one's records came in two files.
  const auto run = dir / "run";
  for (const auto& c : scenario.connections) {
    INFO("connection " << c.index);
    CHECK(read_text(connection_file(run, c.client.port, ".c2s.bin")) == read_text(c.plaintext_files[0]));
    CHECK(read_text(connection_file(run, c.client.port, ".s2c.bin")) == read_text(c.plaintext_files[1]));
  }
  const std::string report = read_text(run / "report.jsonl");
  CHECK(std::count(report.begin(), report.end(), '\n') == 2);
  CHECK(report.find("\"resumed\":\"session_id\",") != std::string::npos);
  CHECK(report.find("\"verdict\":\"decrypted\"") != std::string::npos);
  CHECK(report.find("\"verdict\":\"resumed_session_unknown\"") == std::string::npos);
  CHECK((*decryptor)->verdict_counts() == std::map<std::string, std::uint64_t>{{"decrypted", 2}});
  // A report per capture file, and the run's summary.
  for (const auto& file : scenario.files) {
    CHECK(std::filesystem::exists(run / "files" / (file.path.filename().string() + ".txt")));
  }
  CHECK(read_text(run / "summary.txt").find("decrypted: 2    not decrypted: 0") != std::string::npos);
  // What it counts as its results on the disk is what report.jsonl, keys.log,
  // session-tickets.log and connections/ hold (summary.txt and files/ are rewritten, a few KiB).
  std::uint64_t on_disk = std::filesystem::file_size(run / "report.jsonl") + std::filesystem::file_size(run / "keys.log") +
                          std::filesystem::file_size(run / "session-tickets.log");
  for (const auto& e : std::filesystem::directory_iterator(run / "connections")) on_disk += e.file_size();
  CHECK(on_disk > 2 * 6 * 100);  // 6 exchanges of at least 100 bytes each way, twice
  CHECK((*decryptor)->results_bytes() == on_disk);
  std::filesystem::remove_all(dir);
}

TEST_CASE("drops that the statistics at a file's end count explain its gaps only in a file an earlier run left") {
  REQUIRE(crypto::ensure_crypto_providers().ok());
  const auto dir = fresh_dir("statistics");
  testgen::ScenarioConfig config;
  config.output.dir = dir / "gen";
  config.output.closing_drops = 3;
  config.specs[0].tls.ciphers = "AES128-GCM-SHA256";
  config.specs[0].traffic.exchanges = 8;
  config.impairments.drop = 0.1;
  auto generated = testgen::generate(config);
  REQUIRE(generated.ok());
  const auto& lost = generated->connections.at(0).impairments.lost_bytes;
  REQUIRE(lost[0] + lost[1] > 0);  // gaps to explain
  REQUIRE(generated->files.size() == 1);

  for (const daemon::FileOrigin origin : {daemon::FileOrigin::this_run, daemon::FileOrigin::earlier_run}) {
    const bool earlier = origin == daemon::FileOrigin::earlier_run;
    INFO("an earlier run's file: " << earlier);
    daemon::DecryptorOptions options;
    options.run_directory = dir / (earlier ? "run-earlier" : "run-this");
    std::vector<daemon::DecryptedFile> done;
    auto decryptor = daemon::BackgroundDecryptor::create(options, key_store_for(*generated),
                                                         [&](const daemon::DecryptedFile& d) { done.push_back(d); });
    REQUIRE(decryptor.ok());
    (*decryptor)->submit(generated->files[0].path, 1, origin);
    REQUIRE((*decryptor)->finish().ok());
    REQUIRE(done.size() == 1);
    REQUIRE(done[0].ok);
    CHECK(done[0].summary.dropped_by_capture == (earlier ? 3u : 0u));
    const std::string report = read_text(options.run_directory / "report.jsonl");
    INFO(report);
    CHECK(report.find("\"gaps\":0,") == std::string::npos);
    CHECK((report.find("records that the capture dropped 3 packet(s) between ") != std::string::npos) == earlier);
    CHECK((read_text(options.run_directory / "summary.txt").find("by the interface statistics at the file's end") !=
           std::string::npos) == earlier);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a capture file that cannot be read is reported and the next one is still decrypted") {
  REQUIRE(crypto::ensure_crypto_providers().ok());
  const auto dir = fresh_dir("missing");
  testgen::ScenarioConfig config;
  config.output.dir = dir / "gen";
  config.specs[0].tls.ciphers = "AES256-SHA256";
  auto generated = testgen::generate(config);
  REQUIRE(generated.ok());
  auto keys = key_store_for(*generated);
  std::vector<daemon::DecryptedFile> done;
  daemon::DecryptorOptions options;
  options.run_directory = dir / "run";
  auto decryptor = daemon::BackgroundDecryptor::create(options, std::move(keys),
                                                       [&](const daemon::DecryptedFile& d) { done.push_back(d); });
  REQUIRE(decryptor.ok());
  (*decryptor)->submit(dir / "deleted-already.pcapng", 1);
  (*decryptor)->submit(generated->files[0].path, 2);
  REQUIRE((*decryptor)->finish().ok());
  REQUIRE(done.size() == 2);
  CHECK_FALSE(done[0].ok);
  CHECK(done[0].error.find("deleted-already.pcapng") != std::string::npos);
  CHECK(done[1].ok);
  CHECK((*decryptor)->verdict_counts() == std::map<std::string, std::uint64_t>{{"decrypted", 1}});
  std::filesystem::remove_all(dir);
}

TEST_CASE("decryption waits while the results' disk is short of space and goes on when it is not") {
  REQUIRE(crypto::ensure_crypto_providers().ok());
  const auto dir = fresh_dir("wait");
  testgen::ScenarioConfig config;
  config.output.dir = dir / "gen";
  config.specs[0].tls.ciphers = "AES128-GCM-SHA256";
  config.specs[0].traffic.exchanges = 6;
  config.output.split_at_packets = {12};  // one connection over two files
  auto generated = testgen::generate(config);
  REQUIRE(generated.ok());
  REQUIRE(generated->files.size() == 2);

  TestWaitReason reason("the disk of the results is short of space");

  // Both files queued on a decryptor that asks wait_reason every `recheck`.
  daemon::DecryptorOptions options;
  options.wait_reason = reason.function();
  std::vector<std::uint64_t> done;
  const auto start = [&](const std::string& run, std::chrono::milliseconds recheck) {
    options.run_directory = dir / run;
    options.wait_recheck = recheck;
    auto decryptor = daemon::BackgroundDecryptor::create(options, key_store_for(*generated),
                                                         [&](const daemon::DecryptedFile& d) { done.push_back(d.sequence); });
    REQUIRE(decryptor.ok());
    (*decryptor)->submit(generated->files[0].path, 1);
    (*decryptor)->submit(generated->files[1].path, 2);
    return std::move(decryptor.value());
  };

  SECTION("it goes on once the reason is gone, and decrypts everything") {
    const auto decryptor = start("run-goes-on", std::chrono::milliseconds(20));
    REQUIRE(wait_until([&] { return reason.asked() >= 3; }));  // asked again while it waits
    CHECK(decryptor->waiting_for() == "the disk of the results is short of space");
    CHECK(decryptor->files_decrypted() == 0);
    CHECK(decryptor->backlog() == 2);
    reason.clear();
    REQUIRE(wait_until([&] { return decryptor->files_decrypted() == 2; }));
    CHECK(decryptor->waiting_for().empty());
    REQUIRE(decryptor->finish().ok());
    CHECK(done == std::vector<std::uint64_t>{1, 2});
    const auto& c = generated->connections.at(0);
    CHECK(read_text(connection_file(options.run_directory, c.client.port, ".c2s.bin")) == read_text(c.plaintext_files[0]));
    CHECK(read_text(connection_file(options.run_directory, c.client.port, ".s2c.bin")) == read_text(c.plaintext_files[1]));
    const std::string summary = read_text(options.run_directory / "summary.txt");
    INFO(summary);
    CHECK(summary.find("decryption: waited 1 time(s), ") != std::string::npos);
    CHECK(summary.find("for room to write results: the disk of the results is short of space") !=
          std::string::npos);
    CHECK(summary.find("left undecrypted") == std::string::npos);
  }

  SECTION("a stop ends the wait: the files are left undecrypted for the next start, and the summary says so") {
    const auto decryptor = start("run-stopped", std::chrono::hours(1));  // only the stop can end the wait
    REQUIRE(wait_until([&] { return !decryptor->waiting_for().empty(); }));
    REQUIRE(decryptor->finish().ok());
    CHECK(done.empty());  // neither is marked decrypted: the next start takes both
    CHECK(decryptor->files_decrypted() == 0);
    CHECK(decryptor->backlog() == 0);
    CHECK(read_text(options.run_directory / "report.jsonl").empty());
    const std::string summary = read_text(options.run_directory / "summary.txt");
    INFO(summary);
    CHECK(summary.find("decryption: waited 1 time(s), ") != std::string::npos);
    CHECK(summary.find("at the stop it still waited, and 2 capture file(s) were left undecrypted in the ring: they "
                       "are decrypted after the next start") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

// Within one file: its results (several MiB of them) are written a block at a
// time, and the wait is asked again every ResultsDiskWait::kLookEvery bytes:
// the results' disk can run short while one file is decrypted, and one
// hour's file may decrypt to more than min_free_space holds.
TEST_CASE("decryption waits within a file when the results' disk runs short while its results are written") {
  REQUIRE(crypto::ensure_crypto_providers().ok());
  const auto dir = fresh_dir("wait-within");
  testgen::ScenarioConfig config;
  config.output.dir = dir / "gen";
  config.specs[0].tls.ciphers = "AES128-GCM-SHA256";
  config.specs[0].tls.resumption = testgen::Resumption::none;
  config.specs[0].traffic.exchanges = 2;
  config.specs[0].traffic.bulk_server_to_client = 600 * 1024;  // text: in the transcript too
  config.sessions = 8;
  auto generated = testgen::generate(config);
  REQUIRE(generated.ok());
  REQUIRE(generated->files.size() == 1);
  REQUIRE(generated->connections.size() == 8);

  // Room before the file; short of it from the first look within the file on,
  // until the test says otherwise.
  TestWaitReason reason("the disk of the results is short of space", true);
  daemon::DecryptorOptions options;
  options.wait_reason = reason.function();
  std::vector<daemon::DecryptedFile> done;
  const auto start = [&](const std::string& run, std::chrono::milliseconds recheck) {
    options.run_directory = dir / run;
    options.wait_recheck = recheck;
    auto decryptor = daemon::BackgroundDecryptor::create(options, key_store_for(*generated),
                                                         [&](const daemon::DecryptedFile& d) { done.push_back(d); });
    REQUIRE(decryptor.ok());
    (*decryptor)->submit(generated->files[0].path, 1);
    return std::move(decryptor.value());
  };
  const auto results_on_disk = [](const std::filesystem::path& run) {
    std::uint64_t bytes = 0;
    for (const auto& e : std::filesystem::directory_iterator(run / "connections")) bytes += e.file_size();
    return bytes;
  };
  std::uint64_t plaintext = 0;
  for (const auto& c : generated->connections) plaintext += c.plaintext_bytes[0] + c.plaintext_bytes[1];
  REQUIRE(plaintext > 4 * daemon::ResultsDiskWait::kLookEvery);

  SECTION("it stops writing within the file, goes on once the reason is gone, and writes everything") {
    const auto decryptor = start("run-within-goes-on", std::chrono::milliseconds(20));
    REQUIRE(wait_until([&] { return reason.asked() >= 4; }));  // the file began; asked again while it waits
    CHECK(decryptor->waiting_for() == "the disk of the results is short of space");
    CHECK(decryptor->files_decrypted() == 0);
    const std::uint64_t while_waiting = results_on_disk(options.run_directory);
    CHECK(while_waiting < plaintext);  // with transcripts the results are about twice the plaintext
    reason.clear();
    REQUIRE(wait_until([&] { return decryptor->files_decrypted() == 1; }));
    REQUIRE(decryptor->finish().ok());
    REQUIRE(done.size() == 1);
    CHECK(done[0].ok);
    CHECK_FALSE(done[0].results_cut);
    for (const auto& c : generated->connections) {
      CHECK(read_text(connection_file(options.run_directory, c.client.port, ".c2s.bin")) ==
            read_text(c.plaintext_files[0]));
      CHECK(read_text(connection_file(options.run_directory, c.client.port, ".s2c.bin")) ==
            read_text(c.plaintext_files[1]));
    }
    CHECK(results_on_disk(options.run_directory) > 2 * plaintext);
    const std::string summary = read_text(options.run_directory / "summary.txt");
    INFO(summary);
    CHECK(summary.find("decryption: waited 1 time(s), ") != std::string::npos);
    CHECK(summary.find("left unwritten") == std::string::npos);
  }

  SECTION("a stop ends the wait: the rest of the file's results is left unwritten and the file is not done") {
    const auto decryptor = start("run-within-stopped", std::chrono::hours(1));  // only the stop ends the wait
    REQUIRE(wait_until([&] { return !decryptor->waiting_for().empty(); }));
    CHECK(decryptor->files_decrypted() == 0);
    REQUIRE(decryptor->finish().ok());  // a refusal is no write error: the summary says what it left
    REQUIRE(done.size() == 1);
    CHECK(done[0].ok);
    CHECK(done[0].results_cut);  // the service leaves it undecrypted in the ring for the next start
    CHECK(results_on_disk(options.run_directory) < plaintext);
    const std::string summary = read_text(options.run_directory / "summary.txt");
    INFO(summary);
    CHECK(summary.find("decryption: waited 1 time(s), ") != std::string::npos);
    CHECK(summary.find("at the stop it still waited, so ") != std::string::npos);
    CHECK(summary.find(" of results were left unwritten rather than fill that disk: the transcripts and decrypted "
                       "bytes of the connections open then are incomplete, and the capture file being decrypted "
                       "then stays in the ring undecrypted") != std::string::npos);
    CHECK(summary.find("results: some could not be written") == std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

namespace {

// The nice value of each thread of this process, from /proc (field 19 of
// /proc/self/task/TID/stat; the name in parentheses may hold spaces).
std::vector<long> nice_values_of_threads() {
  std::vector<long> values;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    const std::string stat = read_text(task.path() / "stat");
    const auto name_end = stat.rfind(')');
    if (name_end == std::string::npos) continue;
    std::istringstream fields(stat.substr(name_end + 1));
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19) values.push_back(std::stol(field));
    }
  }
  return values;
}

}  // namespace

TEST_CASE("the decrypting thread and the engine worker threads and the output writer run below normal priority") {
  REQUIRE(crypto::ensure_crypto_providers().ok());
  const auto dir = fresh_dir("nice");
  testgen::ScenarioConfig config;
  config.output.dir = dir / "gen";
  config.specs[0].tls.ciphers = "AES128-GCM-SHA256";
  auto generated = testgen::generate(config);
  REQUIRE(generated.ok());
  auto keys = key_store_for(*generated);
  const auto before = nice_values_of_threads();
  REQUIRE(std::count(before.begin(), before.end(), 10) == 0);
  std::vector<long> while_decrypting;
  daemon::DecryptorOptions options;
  options.run_directory = dir / "run";
  options.workers = 3;  // the decrypting thread and two engine worker threads
  auto decryptor = daemon::BackgroundDecryptor::create(
      options, std::move(keys), [&](const daemon::DecryptedFile&) { while_decrypting = nice_values_of_threads(); });
  REQUIRE(decryptor.ok());
  (*decryptor)->submit(generated->files[0].path, 1);
  REQUIRE((*decryptor)->finish().ok());
  // The decrypting thread, both engine worker threads and the thread that
  // writes the decrypted output; this thread stays at 0.
  CHECK(std::count(while_decrypting.begin(), while_decrypting.end(), 10) >= 4);
  CHECK(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())) == 0);
  std::filesystem::remove_all(dir);
}
