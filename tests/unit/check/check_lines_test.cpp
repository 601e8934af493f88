// The decisions of `tlsring check` as pure functions, on made-up inputs whose
// right answers follow from the rules (modes, capability bits, sizes, verdicts).
#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <filesystem>

#include "daemon/cli/check_clock.h"
#include "daemon/cli/check_keys.h"
#include "daemon/cli/check_network.h"
#include "daemon/cli/check_output_directory.h"
#include "daemon/cli/check_pcap.h"
#include "daemon/cli/check_report.h"

namespace tlsring::cli {
namespace {

net::Endpoint endpoint(const char* ip, std::uint16_t port) {
  net::Endpoint e;
  if (inet_pton(AF_INET, ip, e.ip.bytes.data()) == 1) {
    e.ip.version = 4;
  } else {
    REQUIRE(inet_pton(AF_INET6, ip, e.ip.bytes.data()) == 1);
    e.ip.version = 6;
  }
  e.port = port;
  return e;
}

decrypt::SessionReport report(const net::Endpoint& server, decrypt::Verdict verdict, std::uint16_t suite,
                              const std::string& reason = "", const std::string& fix = "") {
  decrypt::SessionReport r;
  r.server = server;
  r.client = endpoint("10.9.0.1", 50000);
  r.verdict = verdict;
  r.cipher_suite = suite;
  r.certificate_subject = "CN=cti.example";
  r.reason = reason;
  r.fix = fix;
  return r;
}

constexpr std::uint16_t kRsaAes128Gcm = 0x009c;    // TLS_RSA_WITH_AES_128_GCM_SHA256 (RFC 5288)
constexpr std::uint16_t kEcdheRsaAes128Gcm = 0xc02f;  // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (RFC 5289)

}  // namespace

TEST_CASE("check lines: labels, indentation of details") {
  CHECK(format_check_line(ok_line("a")) == "ok    a\n");
  CHECK(format_check_line(warn_line("b", {"x"})) == "warn  b\n      x\n");
  CHECK(format_check_line(fail_line("c", {"one\ntwo"})) == "FAIL  c\n      one\n      two\n");
  CHECK(worst(CheckStatus::ok, CheckStatus::warn) == CheckStatus::warn);
  CHECK(worst(CheckStatus::fail, CheckStatus::warn) == CheckStatus::fail);
}

TEST_CASE("check lines: secret file modes beyond 0640 are problems") {
  CHECK_FALSE(secret_mode_problem(0100600).has_value());
  CHECK_FALSE(secret_mode_problem(0100400).has_value());
  CHECK_FALSE(secret_mode_problem(0100640).has_value());
  CHECK(secret_mode_problem(0100644) == "other users can read it");
  CHECK(secret_mode_problem(0100606) == "other users can read it, other users can write it");
  CHECK(secret_mode_problem(0100660) == "the group can write it");
  CHECK(secret_mode_problem(0100601) == "other users can execute it");
}

namespace {

// Windows' well-known SIDs (Microsoft's "Well-known SIDs" list), as the DACL
// of a key file would name them.
const platform::FileReader kSystem{"S-1-5-18", "NT AUTHORITY\\SYSTEM"};
const platform::FileReader kAdministrators{"S-1-5-32-544", "BUILTIN\\Administrators"};
const platform::FileReader kUsers{"S-1-5-32-545", "BUILTIN\\Users"};
const platform::FileReader kEveryone{"S-1-1-0", "Everyone"};
const platform::FileReader kAuthenticatedUsers{"S-1-5-11", "NT AUTHORITY\\Authenticated Users"};

platform::RegularFileState acl_file(std::vector<platform::FileReader> readers) {
  platform::RegularFileState file;
  file.posix_mode = 0100666;  // what Windows' C runtime reports: to be ignored
  file.has_acl = true;
  file.readers = std::move(readers);
  return file;
}

}  // namespace

TEST_CASE("check lines: a secret's DACL may let only SYSTEM, Administrators and the service's account read") {
  const std::filesystem::path key = "C:/ProgramData/tlsring/keys/tserver.pfx";
  CHECK_FALSE(secret_access_line("key k", key, acl_file({kSystem, kAdministrators}), CheckStatus::fail, std::nullopt));
  CHECK(access_summary(acl_file({kSystem, kAdministrators})) ==
        "readable by NT AUTHORITY\\SYSTEM, BUILTIN\\Administrators");

  for (const auto& other : {kUsers, kEveryone, kAuthenticatedUsers}) {
    const auto line = secret_access_line("key k", key, acl_file({kSystem, other, kAdministrators}), CheckStatus::fail,
                                         std::nullopt);
    REQUIRE(line);
    CHECK(line->status == CheckStatus::fail);
    CHECK(line->what == "key k: readable by " + other.name + " (" + other.sid + ")");
    REQUIRE(line->details.size() == 4);
    CHECK(line->details[1] == "fix: icacls \"" + key.string() + "\" /inheritance:r /grant:r *S-1-5-18:F *S-1-5-32-544:F");
    CHECK(line->details[2] == "     icacls \"" + key.string() + "\" /remove *" + other.sid);
  }

  // Another account: allowed only when it is the service's.
  const platform::FileReader service{"S-1-5-21-1-2-3-1001", "HOST\\tlsring-svc"};
  CHECK_FALSE(secret_access_line("key k", key, acl_file({kSystem, service}), CheckStatus::fail, service.sid));
  const auto stranger = secret_access_line("key log l", key, acl_file({kSystem, service}), CheckStatus::warn,
                                           std::string("S-1-5-18"));
  REQUIRE(stranger);
  CHECK(stranger->status == CheckStatus::warn);
  CHECK(stranger->what == "key log l: readable by HOST\\tlsring-svc (S-1-5-21-1-2-3-1001)");
  const auto two = secret_access_line("key k", key, acl_file({kEveryone, kUsers}), CheckStatus::fail, service.sid);
  REQUIRE(two);
  CHECK(two->what == "key k: readable by Everyone (S-1-1-0), BUILTIN\\Users (S-1-5-32-545)");
  CHECK(two->details[1].ends_with(" *S-1-5-18:F *S-1-5-32-544:F *S-1-5-21-1-2-3-1001:R"));
  CHECK(two->details[2].ends_with(" /remove *S-1-1-0 *S-1-5-32-545"));

  CHECK(unwanted_readers({kSystem, kAdministrators, kUsers}, std::nullopt).size() == 1);

  platform::RegularFileState unreadable = acl_file({});
  unreadable.acl_problem = "Access is denied (error 5)";
  const auto warned = secret_access_line("key k", key, unreadable, CheckStatus::fail, std::nullopt);
  REQUIRE(warned);
  CHECK(warned->status == CheckStatus::warn);
}

TEST_CASE("check lines: without an ACL the mode bits decide, as on Linux") {
  platform::RegularFileState file;
  file.posix_mode = 0100644;
  const auto line = secret_access_line("key k", "/k.pem", file, CheckStatus::fail, std::nullopt);
  REQUIRE(line);
  CHECK(line->what == "key k: mode 0644: other users can read it");
  file.posix_mode = 0100640;
  CHECK_FALSE(secret_access_line("key k", "/k.pem", file, CheckStatus::fail, std::nullopt));
  CHECK(access_summary(file) == "mode 0640");
}

TEST_CASE("check lines: short key id is the first 8 bytes in hex") {
  keys::PublicKeyId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(0xf0 + i);
  CHECK(short_key_id(id) == "f0f1f2f3f4f5f6f7");
}

TEST_CASE("check lines: capture permission from root or CapEff bits 12 and 13") {
  CHECK(effective_capabilities("Name:\tx\nCapPrm:\t0\nCapEff:\t0000000000003000\nCapBnd:\tffff\n") == 0x3000u);
  CHECK(effective_capabilities("CapEff:\t000001fffeffffff") == 0x000001fffeffffffu);
  CHECK_FALSE(effective_capabilities("Name:\tx\n").has_value());
  CHECK_FALSE(effective_capabilities("CapEff:\tzz\n").has_value());

  CHECK(capture_permission_line(true, 0).status == CheckStatus::ok);
  CHECK(capture_permission_line(false, 0x3000).status == CheckStatus::ok);
  const CheckLine raw_only = capture_permission_line(false, 0x2000);  // bit 13: CAP_NET_RAW
  CHECK(raw_only.status == CheckStatus::warn);
  CHECK(raw_only.what.find("CAP_NET_ADMIN not effective") != std::string::npos);
  CHECK(raw_only.what.find("CAP_NET_RAW") == std::string::npos);
  const CheckLine none = capture_permission_line(false, std::nullopt);
  CHECK(none.status == CheckStatus::warn);
  CHECK(none.what.find("CAP_NET_RAW and CAP_NET_ADMIN") != std::string::npos);
}

TEST_CASE("check lines: without capabilities (Windows) the line names Npcap and an administrator") {
  const CheckLine line = npcap_permission_line();
  CHECK(line.status == CheckStatus::ok);
  CHECK(line.what.find("Npcap") != std::string::npos);
  REQUIRE(line.details.size() == 2);
  CHECK(line.details[0].find("administrator prompt") != std::string::npos);
  CHECK(line.details[1].find("Npcap must be installed") != std::string::npos);
}

TEST_CASE("check lines: interfaces") {
  const std::vector<InterfaceInfo> existing{{"lo", true}, {"eth0", true}, {"eth1", false}};
  const auto lines = interface_lines({"any", "eth0", "eth1", "eth9"}, existing, "t.yaml");
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].status == CheckStatus::ok);
  CHECK(lines[1].status == CheckStatus::ok);
  CHECK(lines[2].status == CheckStatus::warn);
  CHECK(lines[3].status == CheckStatus::fail);
  CHECK(lines[3].what == "interface eth9: no such capture interface on this host");
  REQUIRE_FALSE(lines[3].details.empty());
  CHECK(lines[3].details[0] == "interfaces that exist: lo, eth0, eth1, any");
}

TEST_CASE("check lines: the filter must pass the keyed servers' traffic") {
  const auto port_only = filter_lines("tcp port 3000", 65535, {endpoint("10.1.0.1", 3000), endpoint("10.1.0.1", 3020),
                                                                 endpoint("fd00::1", 3000)},
                                      "t.yaml");
  REQUIRE(port_only.size() == 2);
  CHECK(port_only[0].status == CheckStatus::ok);
  CHECK(port_only[1].status == CheckStatus::warn);
  CHECK(port_only[1].what.find("10.1.0.1:3020") != std::string::npos);

  const auto by_host = filter_lines("ip and host 10.1.0.1 and tcp port 3000", 65535,
                                    {endpoint("10.1.0.1", 3000), endpoint("10.1.0.2", 3000), endpoint("fd00::1", 3000)},
                                    "t.yaml");
  REQUIRE(by_host.size() == 3);
  CHECK(by_host[1].what.find("10.1.0.2:3000") != std::string::npos);
  CHECK(by_host[2].what.find("[fd00::1]:3000") != std::string::npos);

  const auto v6 = filter_lines("ip6 and tcp port 3000", 65535, {endpoint("fd00::1", 3000)}, "t.yaml");
  CHECK(v6.size() == 1);
  const auto empty = filter_lines("", 65535, {endpoint("10.1.0.1", 3000)}, "t.yaml");
  REQUIRE(empty.size() == 1);
  CHECK(empty[0].what == "filter: none (every packet is recorded)");
}

TEST_CASE("check lines: a filter that passes one direction of a keyed server's traffic warns") {
  for (const char* server : {"10.1.0.1", "fd00::1"}) {
    INFO(server);
    const auto to_server = filter_lines("dst port 3000", 65535, {endpoint(server, 3000)}, "t.yaml");
    REQUIRE(to_server.size() == 2);
    CHECK(to_server[0].status == CheckStatus::ok);
    CHECK(to_server[1].status == CheckStatus::warn);
    CHECK(to_server[1].what == "filter \"dst port 3000\": passes what clients send to " +
                                   endpoint(server, 3000).to_string() +
                                   " but drops what it sends back: a TLS session cannot be decrypted from one direction");
    REQUIRE(to_server[1].details.size() == 1);
    CHECK(to_server[1].details[0] ==
          "fix: match both directions in capture.filter in t.yaml, e.g. \"tcp port 3000\" (not \"dst port 3000\")");

    const auto from_server = filter_lines("tcp src port 3000", 65535, {endpoint(server, 3000)}, "t.yaml");
    REQUIRE(from_server.size() == 2);
    CHECK(from_server[1].what.find("passes what comes from " + endpoint(server, 3000).to_string() +
                                   " but drops what clients send to it") != std::string::npos);

    CHECK(filter_lines("tcp port 3000", 65535, {endpoint(server, 3000)}, "t.yaml").size() == 1);
    const std::string host = std::string(server).find(':') == std::string::npos ? "host " : "ip6 host ";
    CHECK(filter_lines(host + server + " and tcp port 3000", 65535, {endpoint(server, 3000)}, "t.yaml").size() == 1);
  }
}

TEST_CASE("check lines: a snap length below a whole packet warns") {
  CHECK_FALSE(snaplen_line(262144, "t.yaml"));
  CHECK_FALSE(snaplen_line(65535, "t.yaml"));
  const auto cut = snaplen_line(96, "t.yaml");
  REQUIRE(cut);
  CHECK(cut->status == CheckStatus::warn);
  CHECK(cut->what ==
        "capture.snaplen 96: packets longer than 96 bytes are cut short, and the TLS records in them cannot be decrypted");
  REQUIRE(cut->details.size() == 1);
  CHECK(cut->details[0] == "fix: remove capture.snaplen from t.yaml (the default, 262144, keeps whole packets)");
}

TEST_CASE("check lines: free space against min_free_space and max_total_size") {
  config::RotationConfig rotation;
  rotation.min_free_space = 1ull << 30;
  CHECK(free_space_line("/d", (1ull << 30) - 1, rotation, "t.yaml").status == CheckStatus::fail);
  CHECK(free_space_line("/d", 1ull << 30, rotation, "t.yaml").status == CheckStatus::ok);
  rotation.max_total_size = 10ull << 30;
  CHECK(free_space_line("/d", 10ull << 30, rotation, "t.yaml").status == CheckStatus::warn);
  CHECK(free_space_line("/d", 11ull << 30, rotation, "t.yaml").status == CheckStatus::ok);
  rotation.min_free_space = 0;
  CHECK(free_space_line("/d", 0, rotation, "t.yaml").status == CheckStatus::warn);
  CHECK(free_space_line("/d", 11ull << 30, rotation, "t.yaml").status == CheckStatus::ok);
  // Nothing bounds the ring by size: it can fill the disk.
  rotation.max_total_size.reset();
  const CheckLine unbounded = free_space_line("/d", 100ull << 30, rotation, "t.yaml");
  CHECK(unbounded.status == CheckStatus::warn);
  CHECK(unbounded.what.find("neither rotation.min_free_space (0B) nor max_total_size bounds the ring") !=
        std::string::npos);
  REQUIRE(unbounded.details.size() == 2);
  CHECK(unbounded.details[1] == "fix: set rotation.min_free_space (the default is 1GiB) or max_total_size in t.yaml");
}

TEST_CASE("check lines: earlier runs' results are named beside the free space, and moving them is a fix") {
  config::RotationConfig rotation;
  rotation.min_free_space = 2ull << 30;
  const std::string named = "earlier runs' results take 30 GiB of it (/d/runs), and grow with every run: the ring "
                            "never deletes them";
  const CheckLine roomy = free_space_line("/d", 100ull << 30, rotation, "t.yaml", 30ull << 30);
  CHECK(roomy.status == CheckStatus::ok);
  CHECK(roomy.details == std::vector<std::string>{named});
  const CheckLine short_of_space = free_space_line("/d", 1ull << 30, rotation, "t.yaml", 30ull << 30);
  CHECK(short_of_space.status == CheckStatus::fail);
  REQUIRE(short_of_space.details.size() == 3);
  CHECK(short_of_space.details[1] == named);
  CHECK(short_of_space.details[2] ==
        "fix: free space (move earlier runs' results to another disk) on that disk, lower rotation.min_free_space, "
        "or choose another output.directory in t.yaml");
  rotation.max_total_size = 80ull << 30;
  const CheckLine bounded_by_space = free_space_line("/d", 50ull << 30, rotation, "t.yaml", 30ull << 30);
  CHECK(bounded_by_space.status == CheckStatus::warn);
  REQUIRE(bounded_by_space.details.size() == 2);
  CHECK(bounded_by_space.details[0] == named);
  CHECK(bounded_by_space.details[1].find("to at most 48 GiB, or free space (move earlier runs' results to another "
                                         "disk)") != std::string::npos);
  // None: the line of before.
  CHECK(free_space_line("/d", 100ull << 30, rotation, "t.yaml").details.empty());
}

TEST_CASE("check lines: per-server verdicts") {
  const net::Endpoint a = endpoint("10.1.0.1", 3000);
  const net::Endpoint b = endpoint("10.1.0.2", 3000);
  const net::Endpoint c = endpoint("fd00::3", 3000);
  const std::vector<decrypt::SessionReport> reports{
      report(a, decrypt::Verdict::decrypted, kRsaAes128Gcm),
      report(a, decrypt::Verdict::not_rsa_key_exchange, kEcdheRsaAes128Gcm, "ecdhe reason", "ecdhe fix"),
      report(a, decrypt::Verdict::decrypted, kRsaAes128Gcm),
      report(b, decrypt::Verdict::key_mismatch, kRsaAes128Gcm, "mismatch reason", "mismatch fix"),
      report(c, decrypt::Verdict::no_key, kRsaAes128Gcm, "no key reason", "--key fix"),
  };
  const auto servers = summarize_by_server(reports);
  REQUIRE(servers.size() == 3);
  CHECK(servers[0].server == a);
  CHECK(servers[0].connections == 3);
  CHECK(servers[0].suites.at("TLS_RSA_WITH_AES_128_GCM_SHA256") == 2);
  CHECK(servers[0].verdicts.at(decrypt::Verdict::decrypted).connections == 2);

  ConfiguredKeys keys;
  keys.bound = {a, b};
  keys.config_file = "t.yaml";
  const auto lines = server_lines(servers, keys);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].status == CheckStatus::warn);
  CHECK(lines[0].what ==
        "server 10.1.0.1:3000 (certificate CN=cti.example): 3 connection(s); suites: "
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 x1, TLS_RSA_WITH_AES_128_GCM_SHA256 x2; "
        "verdicts: decrypted x2, not_rsa_key_exchange x1");
  CHECK(lines[0].details == std::vector<std::string>{
                                "not_rsa_key_exchange x1 (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 x1): ecdhe reason",
                                "fix: ecdhe fix"});
  CHECK(lines[1].status == CheckStatus::fail);
  CHECK(lines[1].details == std::vector<std::string>{"key_mismatch x1: mismatch reason", "fix: mismatch fix"});
  CHECK(lines[2].status == CheckStatus::warn);
  REQUIRE(lines[2].details.size() == 2);
  CHECK(lines[2].details[1].find("\n    - server: \"[fd00::3]:3000\"\n      file: ") != std::string::npos);

  // Without any key for server b, a mismatch (from a key log) is only a warning.
  keys.bound = {a};
  CHECK(server_lines(servers, keys)[1].status == CheckStatus::warn);
  keys.any_unbound = true;
  CHECK(server_lines(servers, keys)[1].status == CheckStatus::fail);

  // A bound server with no connection in the capture.
  keys.bound = {a, endpoint("10.1.0.9", 3000)};
  const auto with_absent = server_lines(servers, keys);
  REQUIRE(with_absent.size() == 4);
  CHECK(with_absent[3].status == CheckStatus::warn);
  CHECK(with_absent[3].what.rfind("server 10.1.0.9:3000: a key is bound to it", 0) == 0);
}

TEST_CASE("check: the system clock synchronised is ok with its error, not synchronised warns, unknown is silent") {
  CHECK_FALSE(clock_line(std::nullopt));

  const auto synced = clock_line(platform::ClockSync{true, 2'400});
  REQUIRE(synced);
  CHECK(format_check_line(*synced) == "ok    system clock: synchronised (NTP), estimated error 2 ms\n");
  CHECK(format_check_line(*clock_line(platform::ClockSync{true, 499})) ==
        "ok    system clock: synchronised (NTP), estimated error under 1 ms\n");

  const auto unsynced = clock_line(platform::ClockSync{false, 0});
  REQUIRE(unsynced);
  CHECK(unsynced->status == CheckStatus::warn);
  CHECK(unsynced->what == "system clock: not synchronised (NTP)");
  REQUIRE(unsynced->details.size() == 2);
  CHECK(unsynced->details[1] ==
        "fix: turn time synchronisation on before the capture window: timedatectl set-ntp true, or chrony or ntpd");
}

}  // namespace tlsring::cli
