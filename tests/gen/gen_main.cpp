// tlsring-gen: writes captures of real TLS traffic plus everything needed to
// decrypt and check them. See usage() and tests/gen/scenario.h.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tests/gen/scenario.h"

namespace {

using namespace tlsring::testgen;

const char kUsage[] = R"(usage: tlsring-gen --out DIR [options]

Makes captures of real TLS (an OpenSSL client and server in one process), a key
log, the server key and certificate, the plaintext of every connection
(conn-N.c2s.bin / conn-N.s2c.bin) and manifest.json / manifest.tsv.

TLS
  --sessions N             full handshakes (default 1), each followed by --resumptions
  --version V[,V...]       1.0 1.1 1.2 1.3 (default 1.2); several: sessions rotate
  --ciphers LIST           TLS <= 1.2 cipher list, OpenSSL names (AES128-GCM-SHA256:AES256-SHA)
  --rotate-ciphers         sessions take the --ciphers entries in turn, one each
  --ciphersuites LIST      TLS 1.3 suites (TLS_AES_128_GCM_SHA256:...)
  --no-ems | --no-etm      disable extended master secret / encrypt-then-MAC
  --resume none|id|ticket  resumption (default none)
  --resumptions N          resumed connections per session (default 1)
  --renegotiate N          renegotiate after N messages (TLS <= 1.2)
  --renegotiate-by client|server
  --early-data BYTES       TLS 1.3 0-RTT data on resumed connections
  --no-close-notify
Traffic
  --messages N             request/response exchanges per connection (default 5)
  --responses N            server messages per request (default 1)
  --min-size N --max-size N   message sizes (default 100..600)
  --bulk BYTES             server-to-client bulk data after the exchanges
  --bulk-c2s BYTES         client-to-server bulk data
  --bulk-write BYTES       bytes per SSL_write of bulk data (default 16384)
Network
  --port P                 server port (default 3000)
  --server-ip A --client-ip A --client-port P
  --ipv6                   IPv6 (default IPv4)
  --link ethernet|raw|sll|sll2|null   link layer (default ethernet)
  --vlan ID                802.1Q tag (Ethernet)
  --mss N                  TCP payload per segment (default 1460)
  --no-tcp-handshake       no SYN/SYN-ACK/ACK     --no-fin   no FIN close
  --seq-wrap               initial sequence numbers just below 2^32
Impairments (seeded)
  --reorder P --retransmit P --drop P   per-segment probabilities
  --drop-first N           first N packets of each impaired connection not captured
  --impair-only I[,I...]   impair only these connection indexes
Output
  --out DIR                (required)
  --name NAME              capture file name (default capture)
  --format pcap|pcap-nano|pcapng  (default pcapng)
  --snaplen N
  --split-at N[,N...]      start a new file at these 0-based packet indexes
  --split-before-connection I[,I...]  start a new file with these connections
  --embed-secrets          pcapng: key log in Decryption Secrets Blocks
  --closing-drops N        pcapng: each file ends with statistics counting N packets dropped
  --no-plaintext --no-keylog --no-manifest
  --key FILE --cert FILE   server key and certificate (default: generated RSA 2048)
  --pfx-password P         also write server.p12
Clock
  --start-ns NS            first timestamp (default 1700000000000000000)
  --gap-us N               idle time between connections (default 10000)
  --interval-us N          start connections N us apart, overlapping (interleaved)
Other
  --seed N (default 1)     --quiet     --help
)";

class Args {
 public:
  Args(int argc, char** argv) : args_(argv + 1, argv + argc) {}
  bool done() const { return i_ >= args_.size(); }
  std::string_view flag() { return args_[i_++]; }
  bool value(std::string& out) {
    if (done()) return false;
    out = args_[i_++];
    return true;
  }

 private:
  std::vector<std::string> args_;
  std::size_t i_ = 0;
};

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_double(const std::string& text, double& out) {
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end != text.c_str() && *end == '\0' && out >= 0 && out <= 1;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = text.find(sep, start);
    out.push_back(text.substr(start, at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

template <class T>
bool parse_list(const std::string& text, std::vector<T>& out) {
  for (const auto& item : split(text, ',')) {
    T v{};
    if (!parse_number(item, v)) return false;
    out.push_back(v);
  }
  return true;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "tlsring-gen: %s\n(see tlsring-gen --help)\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ScenarioConfig config;
  SessionSpec spec;
  std::vector<TlsVersion> versions{TlsVersion::tls1_2};
  bool rotate_ciphers = false;
  bool quiet = false;
  std::string key, cert;

  Args args(argc, argv);
  std::string v;
  while (!args.done()) {
    const std::string flag(args.flag());
    auto need = [&]() { return args.value(v); };
    bool ok = true;
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (flag == "--out") {
      ok = need();
      config.output.dir = v;
    } else if (flag == "--sessions") {
      ok = need() && parse_number(v, config.sessions);
    } else if (flag == "--version") {
      versions.clear();
      ok = need();
      for (const auto& item : ok ? split(v, ',') : std::vector<std::string>{}) {
        auto parsed = parse_tls_version(item);
        if (!parsed) return fail("unknown TLS version \"" + item + "\"");
        versions.push_back(*parsed);
      }
    } else if (flag == "--ciphers") {
      ok = need();
      spec.tls.ciphers = v;
    } else if (flag == "--rotate-ciphers") {
      rotate_ciphers = true;
    } else if (flag == "--ciphersuites") {
      ok = need();
      spec.tls.ciphersuites = v;
    } else if (flag == "--no-ems") {
      spec.tls.extended_master_secret = false;
    } else if (flag == "--no-etm") {
      spec.tls.encrypt_then_mac = false;
    } else if (flag == "--resume") {
      ok = need();
      if (v == "none") spec.tls.resumption = Resumption::none;
      else if (v == "id" || v == "session-id") spec.tls.resumption = Resumption::session_id;
      else if (v == "ticket") spec.tls.resumption = Resumption::ticket;
      else return fail("--resume takes none, id or ticket");
    } else if (flag == "--resumptions") {
      ok = need() && parse_number(v, spec.resumptions);
    } else if (flag == "--renegotiate") {
      std::size_t n = 0;
      ok = need() && parse_number(v, n);
      spec.renegotiate_after = n;
    } else if (flag == "--renegotiate-by") {
      ok = need() && (v == "client" || v == "server");
      spec.renegotiation_initiator = v == "server" ? Side::server : Side::client;
    } else if (flag == "--early-data") {
      ok = need() && parse_number(v, spec.early_data);
    } else if (flag == "--no-close-notify") {
      spec.close_notify = false;
    } else if (flag == "--messages") {
      ok = need() && parse_number(v, spec.traffic.exchanges);
    } else if (flag == "--responses") {
      ok = need() && parse_number(v, spec.traffic.responses);
    } else if (flag == "--min-size") {
      ok = need() && parse_number(v, spec.traffic.min_size);
    } else if (flag == "--max-size") {
      ok = need() && parse_number(v, spec.traffic.max_size);
    } else if (flag == "--bulk") {
      ok = need() && parse_number(v, spec.traffic.bulk_server_to_client);
    } else if (flag == "--bulk-c2s") {
      ok = need() && parse_number(v, spec.traffic.bulk_client_to_server);
    } else if (flag == "--bulk-write") {
      ok = need() && parse_number(v, spec.traffic.bulk_write);
    } else if (flag == "--port") {
      ok = need() && parse_number(v, config.network.server_port);
    } else if (flag == "--server-ip") {
      ok = need();
      config.network.server_ip = v;
    } else if (flag == "--client-ip") {
      ok = need();
      config.network.client_ip = v;
    } else if (flag == "--client-port") {
      ok = need() && parse_number(v, config.network.client_port);
      config.network.client_ports = static_cast<std::uint16_t>(
          std::min<std::uint32_t>(16000, 65536u - config.network.client_port));
    } else if (flag == "--ipv6") {
      config.network.ipv6 = true;
    } else if (flag == "--link") {
      ok = need();
      auto link = parse_link_layer(v);
      if (!link) return fail("unknown link layer \"" + v + "\"");
      config.network.frame.link = *link;
    } else if (flag == "--vlan") {
      std::uint16_t id = 0;
      ok = need() && parse_number(v, id);
      config.network.frame.vlan = id;
    } else if (flag == "--mss") {
      ok = need() && parse_number(v, config.network.mss);
    } else if (flag == "--no-tcp-handshake") {
      config.network.tcp_handshake = false;
    } else if (flag == "--no-fin") {
      config.network.tcp_close = false;
    } else if (flag == "--seq-wrap") {
      config.network.isn_near_wrap = true;
    } else if (flag == "--reorder") {
      ok = need() && parse_double(v, config.impairments.reorder);
    } else if (flag == "--retransmit") {
      ok = need() && parse_double(v, config.impairments.retransmit);
    } else if (flag == "--drop") {
      ok = need() && parse_double(v, config.impairments.drop);
    } else if (flag == "--drop-first") {
      ok = need() && parse_number(v, config.impairments.drop_first);
    } else if (flag == "--impair-only") {
      ok = need() && parse_list(v, config.impaired_connections);
    } else if (flag == "--name") {
      ok = need();
      config.output.name = v;
    } else if (flag == "--format") {
      ok = need();
      auto format = tlsring::capture::parse_format(v);
      if (!format) return fail("unknown format \"" + v + "\"");
      config.output.format = *format;
    } else if (flag == "--snaplen") {
      ok = need() && parse_number(v, config.output.snaplen);
    } else if (flag == "--split-at") {
      ok = need() && parse_list(v, config.output.split_at_packets);
    } else if (flag == "--split-before-connection") {
      ok = need() && parse_list(v, config.output.split_before_connections);
    } else if (flag == "--embed-secrets") {
      config.output.embed_secrets = true;
    } else if (flag == "--closing-drops") {
      std::uint64_t dropped = 0;
      ok = need() && parse_number(v, dropped);
      config.output.closing_drops = dropped;
    } else if (flag == "--no-plaintext") {
      config.output.write_plaintext = false;
    } else if (flag == "--no-keylog") {
      config.output.write_keylog = false;
    } else if (flag == "--no-manifest") {
      config.output.write_manifest = false;
    } else if (flag == "--key") {
      ok = need();
      key = v;
    } else if (flag == "--cert") {
      ok = need();
      cert = v;
    } else if (flag == "--pfx-password") {
      ok = need();
      config.output.pkcs12_password = v;
    } else if (flag == "--start-ns") {
      ok = need() && parse_number(v, config.clock.start_ns);
    } else if (flag == "--gap-us") {
      ok = need() && parse_number(v, config.clock.connection_gap_ns);
      config.clock.connection_gap_ns *= 1000;
    } else if (flag == "--interval-us") {
      ok = need() && parse_number(v, config.clock.start_interval_ns);
      config.clock.start_interval_ns *= 1000;
    } else if (flag == "--seed") {
      ok = need() && parse_number(v, config.seed);
    } else if (flag == "--quiet" || flag == "-q") {
      quiet = true;
    } else {
      return fail("unknown option " + flag);
    }
    if (!ok) return fail("bad or missing value for " + flag);
  }
  if (config.output.dir.empty()) return fail("--out DIR is required");
  if (!key.empty() || !cert.empty()) {
    config.key_pem = key;
    config.cert_pem = cert;
  }

  // One spec per version (and per cipher with --rotate-ciphers); sessions take them in turn.
  config.specs.clear();
  const std::vector<std::string> ciphers =
      rotate_ciphers && !spec.tls.ciphers.empty() ? split(spec.tls.ciphers, ':')
                                                  : std::vector<std::string>{spec.tls.ciphers};
  for (TlsVersion version : versions) {
    for (const auto& cipher : ciphers) {
      SessionSpec s = spec;
      s.tls.version = version;
      s.tls.ciphers = cipher;
      config.specs.push_back(s);
    }
  }

  auto result = generate(config);
  if (!result) {
    std::fprintf(stderr, "tlsring-gen: %s\n", result.error().message.c_str());
    return 1;
  }
  if (quiet) return 0;
  for (const auto& file : result->files) {
    std::printf("capture   %s: %llu packets (%s, link type %u%s)\n", file.path.c_str(),
                static_cast<unsigned long long>(file.packets),
                std::string(tlsring::capture::format_name(file.format)).c_str(), file.link_type,
                file.secrets_blocks ? (", " + std::to_string(file.secrets_blocks) + " secrets blocks").c_str() : "");
  }
  std::map<std::string, std::size_t> negotiated;
  std::size_t resumed = 0;
  std::uint64_t plaintext = 0;
  for (const auto& c : result->connections) {
    ++negotiated[c.version + " " + c.cipher];
    resumed += c.resumed ? 1 : 0;
    plaintext += c.plaintext_bytes[0] + c.plaintext_bytes[1];
  }
  std::printf("connections %zu (%zu resumed), %llu plaintext bytes\n", result->connections.size(),
              resumed, static_cast<unsigned long long>(plaintext));
  for (const auto& [what, count] : negotiated) std::printf("  %6zu  %s\n", count, what.c_str());
  if (!result->keylog.empty()) std::printf("keylog    %s\n", result->keylog.c_str());
  if (!result->key_pem.empty()) std::printf("key       %s\n", result->key_pem.c_str());
  if (!result->cert_pem.empty()) std::printf("cert      %s\n", result->cert_pem.c_str());
  if (!result->pkcs12.empty()) std::printf("pkcs12    %s\n", result->pkcs12.c_str());
  if (!result->manifest_json.empty()) {
    std::printf("manifest  %s, %s\n", result->manifest_json.c_str(), result->manifest_tsv.c_str());
  }
  return 0;
}
