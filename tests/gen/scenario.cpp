// generate(): runs the sessions one connection at a time, turns each into
// segments and frames, and merges the frames of overlapping connections in
// time order into the capture.
#include "tests/gen/scenario.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <set>

#include "tests/gen/capture_sink.h"
#include "tests/gen/files.h"

namespace tlsring::testgen {
namespace {

constexpr std::size_t kMaxEarlyData = 16384;

// A connection whose frames are not all written yet.
struct LiveConnection {
  std::size_t record = 0;  // index into GeneratedScenario::connections
  std::unique_ptr<TlsConnectionResult> tls;
  std::vector<TcpSegment> segments;
  std::size_t next = 0;
  std::array<std::uint16_t, 2> ip_id{0, 0};
  bool started = false;

  std::int64_t next_timestamp() const { return segments[next].timestamp_ns; }
  bool done() const { return next >= segments.size(); }
};

TlsOptions effective_tls(const SessionSpec& spec) {
  TlsOptions tls = spec.tls;
  if (spec.early_data > 0) {
    tls.max_early_data = static_cast<std::uint32_t>(std::max(kMaxEarlyData, spec.early_data));
  }
  if (spec.renegotiate_after && spec.renegotiation_initiator == Side::client) {
    tls.allow_client_renegotiation = true;
  }
  return tls;
}

Result<IpAddress> address_or(const std::string& text, bool v6, const char* v4_default,
                             const char* v6_default) {
  auto address = IpAddress::parse(text.empty() ? (v6 ? v6_default : v4_default) : text);
  if (!address) return make_error("\"" + text + "\" is not an IP address");
  if (address->v6 != v6) {
    return make_error("address " + text + (v6 ? " is IPv4 but IPv6 was asked for"
                                              : " is IPv6 but IPv4 was asked for"));
  }
  return *address;
}

class Generator {
 public:
  explicit Generator(const ScenarioConfig& config)
      : config_(config),
        sink_(config.output, link_type_of(config.network.frame.link)),
        frames_(config.network.frame),
        impaired_(config.impaired_connections.begin(), config.impaired_connections.end()),
        split_before_(config.output.split_before_connections.begin(),
                      config.output.split_before_connections.end()) {}

  Result<GeneratedScenario> run() {
    const auto& out = config_.output;
    std::error_code ec;
    std::filesystem::create_directories(out.dir, ec);
    if (ec) return make_error(out.dir.string() + ": cannot create: " + ec.message());

    auto server_ip = address_or(config_.network.server_ip, config_.network.ipv6, "10.1.0.1", "fd00:1::1");
    auto client_ip = address_or(config_.network.client_ip, config_.network.ipv6, "10.2.0.10", "fd00:2::10");
    if (!server_ip) return server_ip.error();
    if (!client_ip) return client_ip.error();
    server_ = TcpEndpoint{*server_ip, config_.network.server_port};
    client_base_ = *client_ip;

    if (auto s = load_credentials(); !s) return s.error();
    if (auto s = sink_.open(); !s) return s.error();

    std::int64_t next_start = config_.clock.start_ns;
    for (std::size_t session = 0; session < config_.sessions; ++session) {
      const std::size_t spec_index = session % config_.specs.size();
      const SessionSpec& spec = config_.specs[spec_index];
      const std::size_t connections =
          1 + (spec.tls.resumption == Resumption::none ? 0 : spec.resumptions);
      SslSessionPtr previous_session;
      std::optional<std::size_t> previous_index;
      for (std::size_t k = 0; k < connections; ++k) {
        const std::size_t index = result_.connections.size();
        if (config_.clock.start_interval_ns > 0) {
          next_start = config_.clock.start_ns +
                       static_cast<std::int64_t>(index) * config_.clock.start_interval_ns;
        }
        auto live = make_connection(index, session, spec_index, previous_session.get(),
                                    previous_index, next_start);
        if (!live) return live.error().with_context("connection " + std::to_string(index));
        previous_session = std::move(live->tls->session);
        previous_index = index;
        const std::int64_t last = live->segments.empty() ? next_start : live->segments.back().timestamp_ns;
        if (config_.clock.start_interval_ns <= 0) next_start = last + config_.clock.connection_gap_ns;
        // Connections start in order, so nothing later can precede this one's start.
        if (auto s = write_until(live->segments.empty() ? next_start : live->next_timestamp()); !s) {
          return s.error();
        }
        if (!live->done()) live_.push_back(std::move(*live));
      }
    }
    if (auto s = write_until(std::numeric_limits<std::int64_t>::max()); !s) return s.error();
    if (auto s = sink_.close(); !s) return s.error();
    result_.files = sink_.files();
    result_.packets = sink_.packets();
    if (auto s = write_side_files(); !s) return s.error();
    return std::move(result_);
  }

 private:
  Status load_credentials() {
    if (config_.key_pem && config_.cert_pem) {
      auto loaded = ServerCredentials::load(*config_.key_pem, *config_.cert_pem);
      if (!loaded) return loaded.error();
      credentials_ = std::move(*loaded);
    } else {
      auto shared = ServerCredentials::shared();
      if (!shared) return shared.error();
      credentials_ = std::move(*shared);
    }
    contexts_.resize(config_.specs.size());
    return {};
  }

  Result<const TlsContextPair*> contexts(std::size_t spec) {
    if (!contexts_[spec]) {
      auto made = TlsContextPair::create(effective_tls(config_.specs[spec]), *credentials_);
      if (!made) return made.error().with_context("session spec " + std::to_string(spec));
      contexts_[spec] = std::make_unique<TlsContextPair>(std::move(*made));
    }
    return contexts_[spec].get();
  }

  Result<LiveConnection> make_connection(std::size_t index, std::size_t session, std::size_t spec_index,
                                         SSL_SESSION* resume, std::optional<std::size_t> resumes,
                                         std::int64_t start_ns) {
    const SessionSpec& spec = config_.specs[spec_index];
    auto pair = contexts(spec_index);
    if (!pair) return pair.error();

    Rng traffic_rng = Rng::derive(config_.seed, index * 4 + 0);
    Rng impair_rng = Rng::derive(config_.seed, index * 4 + 1);
    Rng tcp_rng = Rng::derive(config_.seed, index * 4 + 2);

    ConnectionScript script;
    script.messages = make_messages(spec.traffic, traffic_rng);
    if (resume != nullptr && spec.early_data > 0) {
      script.early_data = cti_message(traffic_rng, spec.early_data, Direction::client_to_server, index);
    }
    if (spec.renegotiate_after) {
      script.renegotiate_before = std::min(*spec.renegotiate_after, script.messages.size());
      script.renegotiation_initiator = spec.renegotiation_initiator;
    }
    script.close_notify = spec.close_notify;

    auto tls = run_tls_connection(**pair, script, resume);
    if (!tls) return tls.error();

    const NetworkPlan& net = config_.network;
    TcpFlowConfig flow;
    const auto isn = [&]() -> std::uint32_t {
      if (net.isn_near_wrap) return 0xffffffffu - static_cast<std::uint32_t>(tcp_rng.between(0, 3000));
      return static_cast<std::uint32_t>(tcp_rng.next());
    };
    flow.client_isn = isn();
    flow.server_isn = isn();
    flow.mss = net.mss;
    flow.handshake = net.tcp_handshake;
    flow.close = net.tcp_close;
    flow.timing = config_.clock.tcp;

    LiveConnection live;
    live.record = index;
    live.tls = std::make_unique<TlsConnectionResult>(std::move(*tls));
    live.segments = build_tcp_flow(*live.tls, flow, start_ns);
    live.ip_id = {static_cast<std::uint16_t>(tcp_rng.next()), static_cast<std::uint16_t>(tcp_rng.next())};

    ConnectionRecord record;
    record.index = index;
    record.session = session;
    record.spec = spec_index;
    record.resumes = resumes;
    const std::uint32_t ports = std::max<std::uint32_t>(net.client_ports, 1);
    record.client = TcpEndpoint{client_base_.plus(index / ports),
                                static_cast<std::uint16_t>(net.client_port + index % ports)};
    record.server = server_;
    record.packets_generated = live.segments.size();
    if (impaired_.empty() || impaired_.count(index) > 0) {
      record.impairments = apply_impairments(live.segments, config_.impairments, impair_rng);
    }
    record.impairments.syn_captured = record.impairments.syn_captured && net.tcp_handshake;

    const TlsConnectionResult& t = *live.tls;
    record.version = t.version;
    record.cipher = t.cipher;
    record.cipher_openssl = t.cipher_openssl;
    record.resumed = t.resumed;
    record.renegotiations = t.renegotiations;
    record.early_data_offered = t.early_data_offered;
    record.early_data_accepted = t.early_data_accepted;
    record.early_data_bytes = script.early_data.size();
    record.client_random = t.client_random;
    record.keylog = t.keylog;
    record.client_isn = flow.client_isn;
    record.server_isn = flow.server_isn;
    for (Direction d : {Direction::client_to_server, Direction::server_to_client}) {
      record.plaintext_bytes[index_of(d)] = t.plaintext[index_of(d)].size();
      record.wire_bytes[index_of(d)] = t.wire[index_of(d)].size();
    }
    if (!live.segments.empty()) {
      record.first_timestamp_ns = live.segments.front().timestamp_ns;
      record.last_timestamp_ns = live.segments.back().timestamp_ns;
    }
    if (config_.output.write_plaintext) {
      static constexpr const char* kSuffix[2] = {".c2s.bin", ".s2c.bin"};
      for (std::size_t d = 0; d < 2; ++d) {
        record.plaintext_files[d] = config_.output.dir / ("conn-" + std::to_string(index) + kSuffix[d]);
        if (auto s = write_file(record.plaintext_files[d], live.tls->plaintext[d]); !s) return s.error();
      }
    }
    // Only the wire bytes are needed from here on.
    for (auto& p : live.tls->plaintext) std::vector<std::uint8_t>().swap(p);
    keylog_ += record.keylog;
    result_.connections.push_back(std::move(record));
    return live;
  }

  // Writes, in time order, every pending frame stamped before `limit`.
  Status write_until(std::int64_t limit) {
    for (;;) {
      LiveConnection* earliest = nullptr;
      for (auto& live : live_) {
        if (!live.done() && (earliest == nullptr || live.next_timestamp() < earliest->next_timestamp())) {
          earliest = &live;
        }
      }
      if (earliest == nullptr || earliest->next_timestamp() >= limit) break;
      if (auto s = write_next(*earliest); !s) return s;
      if (earliest->done()) {
        std::erase_if(live_, [](const LiveConnection& l) { return l.done(); });
      }
    }
    return {};
  }

  Status write_next(LiveConnection& live) {
    ConnectionRecord& record = result_.connections[live.record];
    if (!live.started) {
      live.started = true;
      if (split_before_.count(record.index) > 0) {
        if (auto s = sink_.next_file(); !s) return s;
      }
      if (config_.output.embed_secrets && !record.keylog.empty()) {
        const auto* text = reinterpret_cast<const std::uint8_t*>(record.keylog.data());
        if (auto s = sink_.write_secrets({text, record.keylog.size()}); !s) return s;
      }
    }
    const TcpSegment& segment = live.segments[live.next++];
    SegmentHeaders headers;
    headers.direction = segment.direction;
    headers.seq = segment.seq;
    headers.ack = segment.ack;
    headers.flags = segment.flags;
    if (segment.mss_option) headers.mss_option = config_.network.mss;
    headers.ip_id = live.ip_id[index_of(segment.direction)]++;
    const auto& wire = live.tls->wire[index_of(segment.direction)];
    const std::span<const std::uint8_t> payload(wire.data() + segment.payload_offset, segment.payload_length);
    frames_.build(frame_, record.client, record.server, headers, payload);
    if (auto s = sink_.write_packet(segment.timestamp_ns, frame_); !s) return s;

    const std::size_t file = sink_.file_index();
    if (record.files.empty() || record.files.back() != file) record.files.push_back(file);
    record.last_packet = sink_.packets();
    if (record.first_packet == 0) record.first_packet = record.last_packet;
    ++record.packets_written;
    return {};
  }

  Status write_side_files() {
    const auto& out = config_.output;
    if (out.write_keylog) {
      result_.keylog = out.dir / "keys.log";
      if (auto s = write_file(result_.keylog, keylog_, 0600); !s) return s;
    }
    if (out.write_credentials) {
      result_.key_pem = out.dir / "server.key.pem";
      result_.cert_pem = out.dir / "server.cert.pem";
      if (auto s = credentials_->write_key_pem(result_.key_pem); !s) return s;
      if (auto s = credentials_->write_cert_pem(result_.cert_pem); !s) return s;
    }
    if (!out.pkcs12_password.empty()) {
      result_.pkcs12 = out.dir / "server.p12";
      if (auto s = credentials_->write_pkcs12(result_.pkcs12, out.pkcs12_password); !s) return s;
    }
    if (out.write_manifest) {
      result_.manifest_json = out.dir / "manifest.json";
      result_.manifest_tsv = out.dir / "manifest.tsv";
      if (auto s = write_manifest(result_, config_, out.dir); !s) return s;
    }
    return {};
  }

  const ScenarioConfig& config_;
  CaptureSink sink_;
  FrameBuilder frames_;
  std::set<std::size_t> impaired_;
  std::set<std::size_t> split_before_;
  std::optional<ServerCredentials> credentials_;
  std::vector<std::unique_ptr<TlsContextPair>> contexts_;
  TcpEndpoint server_;
  IpAddress client_base_;
  std::vector<LiveConnection> live_;
  std::vector<std::uint8_t> frame_;
  std::string keylog_;
  GeneratedScenario result_;
};

}  // namespace

Status validate(const ScenarioConfig& config) {
  if (config.specs.empty()) return make_error("no session spec");
  if (config.output.dir.empty()) return make_error("no output directory");
  for (std::size_t i = 0; i < config.specs.size(); ++i) {
    const SessionSpec& spec = config.specs[i];
    const std::string where = "session spec " + std::to_string(i) + ": ";
    const bool tls13 = spec.tls.version == TlsVersion::tls1_3;
    if (spec.renegotiate_after && tls13) {
      return make_error(where + "TLS 1.3 has no renegotiation");
    }
    if (spec.early_data > 0 && !tls13) return make_error(where + "early data needs TLS 1.3");
    if (spec.early_data > 0 && spec.tls.resumption == Resumption::none) {
      return make_error(where + "early data needs resumption (it is sent on resumed connections)");
    }
    if (spec.traffic.min_size == 0 && spec.traffic.max_size == 0 && spec.traffic.exchanges > 0 &&
        spec.traffic.script.empty()) {
      return make_error(where + "message sizes are zero");
    }
  }
  const NetworkPlan& net = config.network;
  if (net.mss == 0) return make_error("MSS must be positive");
  if (std::uint32_t{net.client_port} + std::max<std::uint32_t>(net.client_ports, 1) - 1 > 65535) {
    return make_error("client ports run past 65535");
  }
  if (net.frame.vlan && net.frame.link != LinkLayer::ethernet) {
    return make_error("a VLAN tag needs the Ethernet link layer");
  }
  if (net.frame.vlan && *net.frame.vlan > 4094) return make_error("VLAN id must be 0..4094");
  if (config.output.embed_secrets && config.output.format != capture::CaptureFormat::pcapng) {
    return make_error("embedding secrets needs the pcapng format");
  }
  if (config.key_pem.has_value() != config.cert_pem.has_value()) {
    return make_error("give both the key and the certificate, or neither");
  }
  if (config.clock.start_ns < 0) return make_error("start time before 1970");
  return {};
}

Result<GeneratedScenario> generate(const ScenarioConfig& config) {
  if (auto s = validate(config); !s) return s.error();
  auto generator = std::make_unique<Generator>(config);
  return generator->run();
}

}  // namespace tlsring::testgen
