#include "core/output/directory_output.h"

#include <algorithm>

#include "core/keys/key_log.h"
#include "core/output/session_json.h"
#include "core/output/transcript_format.h"

namespace tlsring::output {
namespace {

// "000012-10.0.0.1_51234-10.0.0.2_3000": sortable, and safe as a file name on
// every system (IPv6 colons become dots).
std::string connection_name(const decrypt::SessionReport& s) {
  auto endpoint = [](const net::Endpoint& e) {
    std::string ip = e.ip.to_string();
    for (char& c : ip) {
      if (c == ':') c = '.';
    }
    return ip + "_" + std::to_string(e.port);
  };
  char id[24];
  std::snprintf(id, sizeof id, "%06llu", static_cast<unsigned long long>(s.connection_id));
  return std::string(id) + "-" + endpoint(s.client) + "-" + endpoint(s.server);
}

std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

Result<std::unique_ptr<DirectoryOutput>> DirectoryOutput::create(const std::filesystem::path& directory,
                                                                 OutputOptions options) {
  if (auto made = create_private_directory(directory / "connections"); !made.ok()) return made.error();
  if (auto made = create_private_directory(directory); !made.ok()) return made.error();
  auto sessions = PrivateFile::open(directory / options.sessions_file, true);
  if (!sessions.ok()) return sessions.error();
  auto keys = PrivateFile::open(directory / "keys.log", true);
  if (!keys.ok()) return keys.error();
  return std::unique_ptr<DirectoryOutput>(
      new DirectoryOutput(directory, options, std::move(sessions.value()), std::move(keys.value())));
}

DirectoryOutput::DirectoryOutput(std::filesystem::path directory, OutputOptions options, PrivateFile sessions,
                                 PrivateFile keys)
    : directory_(std::move(directory)), options_(options), sessions_(std::move(sessions)), keys_(std::move(keys)) {}

DirectoryOutput::~DirectoryOutput() { (void)finish(); }

DirectoryOutput::ConnectionOutput& DirectoryOutput::connection(const decrypt::SessionReport& session) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = connections_.try_emplace(session.connection_id);
  if (inserted) {
    it->second.base = "connections/" + connection_name(session);
    it->second.transcript = transcript_header(session);
  }
  return it->second;
}

std::size_t DirectoryOutput::connection_buffer_limit() const {
  std::lock_guard lock(mutex_);
  const std::size_t open = std::max<std::size_t>(1, connections_.size());
  return std::clamp<std::size_t>(options_.buffer_budget / open, 4096, options_.max_connection_buffer);
}

void DirectoryOutput::on_application_data(const decrypt::SessionReport& session, decrypt::Direction direction,
                                          std::int64_t timestamp_ns, std::span<const std::uint8_t> plaintext) {
  ConnectionOutput& c = connection(session);
  const int d = static_cast<int>(direction);
  if (options_.transcripts) {
    std::string file;  // named only where a shortened hex dump points to it
    if (options_.payload_files && plaintext.size() > kHexDumpLimit) {
      file = c.base.substr(c.base.rfind('/') + 1) + (d == 0 ? ".c2s.bin" : ".s2c.bin");
    }
    append_transcript_entry(c.transcript, timestamp_ns, direction, plaintext, {file, c.payload_written[d]});
  }
  c.payload_written[d] += plaintext.size();
  if (options_.payload_files) c.payload[d].insert(c.payload[d].end(), plaintext.begin(), plaintext.end());
  if (c.buffered() > connection_buffer_limit()) flush(c);
}

void DirectoryOutput::on_master_secret(std::span<const std::uint8_t> client_random,
                                       std::span<const std::uint8_t> master_secret) {
  std::lock_guard lock(mutex_);
  // Each proved master secret comes once per connection (a resumed session's
  // line carries the new connection's client random), so no dedup is needed.
  const std::string line = keys::format_client_random_line(client_random, master_secret) + "\n";
  ++totals_.master_secrets;
  note_error(keys_.write(line));
}

void DirectoryOutput::on_session_end(const decrypt::SessionReport& session) {
  SessionFiles files;
  ConnectionOutput* c = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(session.connection_id);
    if (it != connections_.end()) c = &it->second;
  }
  if (c != nullptr) {
    flush(*c);  // every decrypted connection gets all its files, even an empty direction
    if (options_.transcripts) files.transcript = c->base + ".transcript.txt";
    if (options_.payload_files) {
      files.c2s = c->base + ".c2s.bin";
      files.s2c = c->base + ".s2c.bin";
    }
  }
  const std::string line = session_to_json(session, files) + "\n";
  std::lock_guard lock(mutex_);
  if (c != nullptr) connections_.erase(session.connection_id);
  note_error(sessions_.write(line));
  ++totals_.sessions;
  totals_.c2s_bytes += session.c2s_bytes;
  totals_.s2c_bytes += session.s2c_bytes;
  totals_.records += session.records;
  VerdictCount& v = verdicts_[static_cast<int>(session.verdict)];
  if (v.count++ == 0) {
    v.example_reason = session.reason;
    v.example_fix = session.fix;
    v.example_connection = session.client.to_string() + " -> " + session.server.to_string();
  }
}

// Called by the connection's own thread only: no lock needed for its buffers.
void DirectoryOutput::flush(ConnectionOutput& c) {
  const bool truncate = !c.started;
  c.started = true;
  if (options_.transcripts) {
    write_file(c.base + ".transcript.txt", as_bytes(c.transcript), truncate);
    c.transcript.clear();
  }
  if (options_.payload_files) {
    for (int d = 0; d < 2; ++d) {
      write_file(c.base + (d == 0 ? ".c2s.bin" : ".s2c.bin"), c.payload[d], truncate);
      c.payload[d].clear();
    }
  }
}

void DirectoryOutput::write_file(const std::string& relative, std::span<const std::uint8_t> bytes, bool truncate) {
  auto file = PrivateFile::open(directory_ / relative, truncate);
  if (!file.ok()) {
    note_error(file.error());
    return;
  }
  if (!bytes.empty()) {
    Status written = file->write(bytes);
    if (!written.ok()) note_error(written);
  }
}

void DirectoryOutput::note_error(const Status& status) {
  // Callers may or may not hold mutex_; errors are rare, so take a lock of their own.
  std::lock_guard lock(error_mutex_);
  if (!status.ok() && first_error_.ok()) first_error_ = status;
}

Status DirectoryOutput::flush_open_connections() {
  std::lock_guard lock(mutex_);
  for (auto& [id, c] : connections_) flush(c);
  if (sessions_.is_open()) note_error(sessions_.sync());
  if (keys_.is_open()) note_error(keys_.sync());
  std::lock_guard error_lock(error_mutex_);
  return first_error_;
}

Status DirectoryOutput::finish() {
  std::lock_guard lock(mutex_);
  // Connections never ended (the engine was not finished): write what they hold.
  for (auto& [id, c] : connections_) flush(c);
  connections_.clear();
  if (sessions_.is_open()) note_error(sessions_.sync());
  if (keys_.is_open()) note_error(keys_.sync());
  std::lock_guard error_lock(error_mutex_);
  return first_error_;
}

std::array<VerdictCount, decrypt::kVerdictCount> DirectoryOutput::verdicts() const {
  std::lock_guard lock(mutex_);
  return verdicts_;
}

RunTotals DirectoryOutput::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

}  // namespace tlsring::output
