// manifest.json / manifest.tsv: what the generator wrote, connection by
// connection, for tests and people to compare decryption output against.
#include <sstream>

#include "tests/gen/files.h"
#include "tests/gen/scenario.h"

namespace tlsring::testgen {
namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string file_name(const std::filesystem::path& p) { return p.empty() ? "" : p.filename().string(); }
std::string json_path(const std::filesystem::path& p) {
  return p.empty() ? "null" : json_string(file_name(p));
}
const char* json_bool(bool b) { return b ? "true" : "false"; }

void direction_json(std::ostream& o, const ConnectionRecord& c, Direction d) {
  const std::size_t i = index_of(d);
  o << "{\"plaintext_bytes\": " << c.plaintext_bytes[i] << ", \"wire_bytes\": " << c.wire_bytes[i]
    << ", \"lost_bytes\": " << c.impairments.lost_bytes[i]
    << ", \"plaintext_file\": " << json_path(c.plaintext_files[i]) << "}";
}

void connection_json(std::ostream& o, const ConnectionRecord& c) {
  o << "    {\"index\": " << c.index << ", \"session\": " << c.session << ", \"spec\": " << c.spec
    << ", \"resumes\": " << (c.resumes ? std::to_string(*c.resumes) : "null")
    << ",\n     \"client\": " << json_string(c.client.ip.to_string())
    << ", \"client_port\": " << c.client.port << ", \"server\": " << json_string(c.server.ip.to_string())
    << ", \"server_port\": " << c.server.port << ", \"ip_version\": " << (c.client.ip.v6 ? 6 : 4)
    << ",\n     \"version\": " << json_string(c.version) << ", \"cipher\": " << json_string(c.cipher)
    << ", \"cipher_openssl\": " << json_string(c.cipher_openssl) << ", \"resumed\": " << json_bool(c.resumed)
    << ", \"renegotiations\": " << c.renegotiations
    << ",\n     \"early_data\": {\"offered\": " << json_bool(c.early_data_offered)
    << ", \"accepted\": " << json_bool(c.early_data_accepted) << ", \"bytes\": " << c.early_data_bytes << "}"
    << ",\n     \"client_random\": " << json_string(c.client_random) << ", \"keylog\": " << json_string(c.keylog)
    << ",\n     \"client_isn\": " << c.client_isn << ", \"server_isn\": " << c.server_isn
    << ",\n     \"c2s\": ";
  direction_json(o, c, Direction::client_to_server);
  o << ",\n     \"s2c\": ";
  direction_json(o, c, Direction::server_to_client);
  o << ",\n     \"packets_generated\": " << c.packets_generated << ", \"packets_written\": " << c.packets_written
    << ", \"first_packet\": " << c.first_packet << ", \"last_packet\": " << c.last_packet << ", \"files\": [";
  for (std::size_t i = 0; i < c.files.size(); ++i) o << (i ? ", " : "") << c.files[i];
  o << "], \"first_timestamp_ns\": " << c.first_timestamp_ns << ", \"last_timestamp_ns\": " << c.last_timestamp_ns
    << ",\n     \"impairments\": {\"dropped\": " << c.impairments.dropped
    << ", \"duplicated\": " << c.impairments.duplicated << ", \"reordered\": " << c.impairments.reordered
    << ", \"syn_captured\": " << json_bool(c.impairments.syn_captured) << "}}";
}

}  // namespace

Status write_manifest(const GeneratedScenario& scenario, const ScenarioConfig& config,
                      const std::filesystem::path& dir) {
  std::ostringstream json;
  json << "{\n  \"generator\": \"tlsring-gen\",\n  \"seed\": " << config.seed
       << ",\n  \"format\": " << json_string(capture::format_name(config.output.format))
       << ",\n  \"link_type\": " << link_type_of(config.network.frame.link)
       << ",\n  \"packets\": " << scenario.packets << ",\n  \"files\": [\n";
  for (std::size_t i = 0; i < scenario.files.size(); ++i) {
    const auto& f = scenario.files[i];
    json << "    {\"path\": " << json_path(f.path) << ", \"packets\": " << f.packets
         << ", \"first_packet\": " << f.first_packet << ", \"secrets_blocks\": " << f.secrets_blocks
         << ", \"bytes\": " << f.bytes << "}" << (i + 1 < scenario.files.size() ? "," : "") << "\n";
  }
  json << "  ],\n  \"keylog\": " << json_path(scenario.keylog) << ",\n  \"server_key\": "
       << json_path(scenario.key_pem) << ",\n  \"server_cert\": " << json_path(scenario.cert_pem)
       << ",\n  \"pkcs12\": " << json_path(scenario.pkcs12) << ",\n  \"connections\": [\n";
  for (std::size_t i = 0; i < scenario.connections.size(); ++i) {
    connection_json(json, scenario.connections[i]);
    json << (i + 1 < scenario.connections.size() ? ",\n" : "\n");
  }
  json << "  ]\n}\n";
  if (auto s = write_file(dir / "manifest.json", json.str()); !s) return s;

  std::ostringstream tsv;
  tsv << "index\tsession\tresumed\tversion\tcipher\tclient\tclient_port\tserver\tserver_port\t"
         "c2s_bytes\ts2c_bytes\tc2s_file\ts2c_file\tfirst_packet\tlast_packet\tpackets\t"
         "c2s_lost\ts2c_lost\tclient_random\n";
  for (const auto& c : scenario.connections) {
    tsv << c.index << '\t' << c.session << '\t' << (c.resumed ? 1 : 0) << '\t' << c.version << '\t'
        << c.cipher << '\t' << c.client.ip.to_string() << '\t' << c.client.port << '\t'
        << c.server.ip.to_string() << '\t' << c.server.port << '\t' << c.plaintext_bytes[0] << '\t'
        << c.plaintext_bytes[1] << '\t' << file_name(c.plaintext_files[0]) << '\t'
        << file_name(c.plaintext_files[1]) << '\t' << c.first_packet << '\t' << c.last_packet << '\t'
        << c.packets_written << '\t' << c.impairments.lost_bytes[0] << '\t'
        << c.impairments.lost_bytes[1] << '\t' << c.client_random << '\n';
  }
  return write_file(dir / "manifest.tsv", tsv.str());
}

}  // namespace tlsring::testgen
