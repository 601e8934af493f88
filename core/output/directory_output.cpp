#include "core/output/directory_output.h"

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
  auto sessions = PrivateFile::open(directory / "sessions.jsonl", true);
  if (!sessions.ok()) return sessions.error();
  auto keys = PrivateFile::open(directory / "keys.log", true);
  if (!keys.ok()) return keys.error();
  return std::unique_ptr<DirectoryOutput>(
      new DirectoryOutput(directory, options, std::move(sessions.value()), std::move(keys.value())));
}

DirectoryOutput::DirectoryOutput(std::filesystem::path directory, OutputOptions options, PrivateFile sessions,
                                 PrivateFile keys)
    : directory_(std::move(directory)), options_(options), sessions_(std::move(sessions)), keys_(std::move(keys)) {}

DirectoryOutput::~DirectoryOutput() {
  std::lock_guard lock(mutex_);
  flush_all();
}

DirectoryOutput::ConnectionOutput& DirectoryOutput::connection(const decrypt::SessionReport& session) {
  auto [it, inserted] = connections_.try_emplace(session.connection_id);
  if (inserted) {
    it->second.base = "connections/" + connection_name(session);
    it->second.transcript = transcript_header(session);
    buffered_ += it->second.transcript.size();
  }
  return it->second;
}

void DirectoryOutput::on_application_data(const decrypt::SessionReport& session, decrypt::Direction direction,
                                          std::int64_t timestamp_ns, std::span<const std::uint8_t> plaintext) {
  std::lock_guard lock(mutex_);
  ConnectionOutput& c = connection(session);
  if (options_.transcripts) {
    const std::size_t before = c.transcript.size();
    append_transcript_entry(c.transcript, timestamp_ns, direction, plaintext);
    buffered_ += c.transcript.size() - before;
  }
  if (options_.payload_files) {
    auto& buffer = c.payload[static_cast<int>(direction)];
    buffer.insert(buffer.end(), plaintext.begin(), plaintext.end());
    buffered_ += plaintext.size();
  }
  if (buffered_ > options_.buffer_budget) flush_all();
}

void DirectoryOutput::on_master_secret(std::span<const std::uint8_t> client_random,
                                       std::span<const std::uint8_t> master_secret) {
  std::lock_guard lock(mutex_);
  std::string line = keys::format_client_random_line(client_random, master_secret);
  if (!keys_written_.insert(line).second) return;
  line += '\n';
  note_error(keys_.write(line));
}

void DirectoryOutput::on_session_end(const decrypt::SessionReport& session) {
  std::lock_guard lock(mutex_);
  SessionFiles files;
  auto it = connections_.find(session.connection_id);
  if (it != connections_.end()) {
    ConnectionOutput& c = it->second;
    // Every decrypted connection gets all its files, even an empty direction.
    flush(c);
    if (options_.transcripts) files.transcript = c.base + ".transcript.txt";
    if (options_.payload_files) {
      files.c2s = c.base + ".c2s.bin";
      files.s2c = c.base + ".s2c.bin";
    }
    for (auto f = open_files_.begin(); f != open_files_.end();) {
      f = f->first.rfind(c.base, 0) == 0 ? open_files_.erase(f) : std::next(f);
    }
    connections_.erase(it);
  }
  note_error(sessions_.write(session_to_json(session, files) + "\n"));
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

void DirectoryOutput::flush(ConnectionOutput& c) {
  const bool truncate = !c.started;
  c.started = true;
  if (options_.transcripts) {
    write_file(c.base + ".transcript.txt", as_bytes(c.transcript), truncate);
    buffered_ -= c.transcript.size();
    c.transcript.clear();
  }
  if (options_.payload_files) {
    for (int d = 0; d < 2; ++d) {
      write_file(c.base + (d == 0 ? ".c2s.bin" : ".s2c.bin"), c.payload[d], truncate);
      buffered_ -= c.payload[d].size();
      c.payload[d].clear();
    }
  }
}

void DirectoryOutput::flush_all() {
  for (auto& [id, c] : connections_) flush(c);
}

void DirectoryOutput::write_file(const std::string& relative, std::span<const std::uint8_t> bytes, bool truncate) {
  auto it = open_files_.begin();
  for (; it != open_files_.end(); ++it) {
    if (it->first == relative) break;
  }
  if (it == open_files_.end()) {
    auto file = PrivateFile::open(directory_ / relative, truncate);
    if (!file.ok()) {
      note_error(file.error());
      return;
    }
    if (open_files_.size() >= options_.open_files) open_files_.pop_front();
    open_files_.emplace_back(relative, std::move(file.value()));
    it = std::prev(open_files_.end());
  } else {
    open_files_.splice(open_files_.end(), open_files_, it);  // most recently used at the back
  }
  if (!bytes.empty()) note_error(it->second.write(bytes));
}

void DirectoryOutput::note_error(const Status& status) {
  if (!status.ok() && first_error_.ok()) first_error_ = status;
}

Status DirectoryOutput::finish() {
  std::lock_guard lock(mutex_);
  flush_all();
  open_files_.clear();
  note_error(sessions_.sync());
  note_error(keys_.sync());
  return first_error_;
}

std::array<VerdictCount, decrypt::kVerdictCount> DirectoryOutput::verdicts() const {
  std::lock_guard lock(mutex_);
  return verdicts_;
}

RunTotals DirectoryOutput::totals() const {
  std::lock_guard lock(mutex_);
  RunTotals totals = totals_;
  totals.master_secrets = keys_written_.size();
  return totals;
}

}  // namespace tlsring::output
