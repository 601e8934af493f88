#include "core/decrypt/decrypt_engine.h"

#include <string_view>

#include "core/capture/capture_reader.h"
#include "core/decrypt/tls_connection.h"
#include "core/net/packet_decoder.h"

namespace tlsring::decrypt {

DecryptEngine::DecryptEngine(KeyStore& keys, SessionSink& sink, EngineOptions options)
    : keys_(keys), sink_(sink),
      tracker_(std::make_unique<tcp::TcpTracker>(static_cast<tcp::ConnectionFactory&>(*this), options.tcp)) {}

DecryptEngine::~DecryptEngine() = default;

std::unique_ptr<tcp::ConnectionHandler> DecryptEngine::open(const tcp::ConnectionInfo& info) {
  return std::make_unique<TlsConnection>(info, keys_, sink_);
}

Result<FileSummary> DecryptEngine::add_file(const std::filesystem::path& path) {
  auto opened = capture::CaptureReader::open(path);
  if (!opened.ok()) return opened.error();
  capture::CaptureReader& reader = *opened.value();
  FileSummary summary;
  summary.path = path;
  std::uint64_t unknown_link_packets = 0;
  net::TcpSegment segment;
  for (;;) {
    capture::CaptureEvent event = reader.next();
    if (event.kind == capture::CaptureEvent::Kind::end) break;
    if (event.kind == capture::CaptureEvent::Kind::truncated) {
      summary.truncated = true;
      summary.warnings.push_back(event.warning);
      break;
    }
    if (event.kind == capture::CaptureEvent::Kind::secrets) {
      ++summary.secrets_blocks;
      if (event.secrets_type != capture::kSecretsTypeTlsKeyLog) continue;
      const std::string source = path.string() + " (decryption secrets block " +
                                 std::to_string(summary.secrets_blocks) + ")";
      std::string_view text(reinterpret_cast<const char*>(event.secrets.data()), event.secrets.size());
      if (auto added = keys_.add_key_log_text(text, source); !added.ok()) {
        summary.warnings.push_back(added.error().message);
      }
      continue;
    }
    ++summary.packets;
    const capture::CapturePacket& packet = event.packet;
    last_timestamp_ns_ = packet.timestamp_ns;
    switch (net::decode_tcp(packet.link_type, packet.data, segment)) {
      case net::DecodeStatus::tcp:
        ++summary.tcp_segments;
        tracker_->add(segment, packet.timestamp_ns);
        break;
      case net::DecodeStatus::not_tcp:
        ++summary.other_packets;
        break;
      case net::DecodeStatus::unsupported_link:
        ++unknown_link_packets;
        ++summary.undecodable_packets;
        break;
      case net::DecodeStatus::ip_fragment:
      case net::DecodeStatus::malformed:
        ++summary.undecodable_packets;
        break;
    }
  }
  if (unknown_link_packets > 0) {
    summary.warnings.push_back(path.string() + ": " + std::to_string(unknown_link_packets) +
                               " packet(s) of an unsupported link type were skipped");
  }
  return summary;
}

void DecryptEngine::finish() {
  if (finished_) return;
  finished_ = true;
  tracker_->finish(last_timestamp_ns_);
}

const tcp::TrackerStats& DecryptEngine::tcp_stats() const { return tracker_->stats(); }

}  // namespace tlsring::decrypt
