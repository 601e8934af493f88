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

// Text records at least this long are kept once, in the payload buffer, and
// written into the transcript from there; shorter ones are cheaper to copy.
constexpr std::size_t kTextInPayloadMinimum = 512;

std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

Result<std::unique_ptr<DirectoryOutput>> DirectoryOutput::create(const std::filesystem::path& directory,
                                                                 OutputOptions options) {
  if (auto made = create_private_directory(directory / "connections"); !made.ok()) return made.error();
  if (auto made = create_private_directory(directory); !made.ok()) return made.error();
  auto connections = PrivateDirectory::open(directory / "connections");
  if (!connections.ok()) return connections.error();
  auto sessions = PrivateFile::open(directory / options.sessions_file, true);
  if (!sessions.ok()) return sessions.error();
  auto keys = PrivateFile::open(directory / "keys.log", true);
  if (!keys.ok()) return keys.error();
  PrivateFile tickets;
  if (!options.tickets_file.empty()) {
    auto opened = PrivateFile::open(directory / options.tickets_file, true);
    if (!opened.ok()) return opened.error();
    tickets = std::move(opened.value());
  }
  return std::unique_ptr<DirectoryOutput>(new DirectoryOutput(directory, options, std::move(connections.value()),
                                                              std::move(sessions.value()), std::move(keys.value()),
                                                              std::move(tickets)));
}

DirectoryOutput::DirectoryOutput(std::filesystem::path directory, OutputOptions options,
                                 PrivateDirectory connections_directory, PrivateFile sessions, PrivateFile keys,
                                 PrivateFile tickets)
    : directory_(std::move(directory)),
      options_(std::move(options)),
      connections_directory_(std::move(connections_directory)),
      sessions_(std::move(sessions)),
      keys_(std::move(keys)),
      tickets_(std::move(tickets)),
      // Written and not yet written output together stay within 1.5 budgets.
      write_queue_(std::make_unique<WriteQueue>(std::max<std::size_t>(options_.buffer_budget / 2, 1))) {}

DirectoryOutput::~DirectoryOutput() { (void)finish(); }

DirectoryOutput::ConnectionOutput& DirectoryOutput::connection(const decrypt::SessionReport& session) {
  ConnectionShard& shard = shard_of(session.connection_id);
  std::lock_guard lock(shard.mutex);
  auto [it, inserted] = shard.connections.try_emplace(session.connection_id);
  if (inserted) {
    open_connections_.fetch_add(1, std::memory_order_relaxed);
    ConnectionOutput& c = it->second;
    const std::string name = connection_name(session);
    c.base = "connections/" + name;
    auto names = std::make_shared<FileNames>();
    names->transcript = name + ".transcript.txt";
    names->payload[0] = name + ".c2s.bin";
    names->payload[1] = name + ".s2c.bin";
    c.names = std::move(names);
    c.buffers = spare_buffers();
    c.buffers.transcript += transcript_header(session);  // into the spare's memory (a move would drop it)
  }
  return it->second;
}

std::size_t DirectoryOutput::connection_buffer_limit() const {
  // Asked for every record: the count is read without the lock (a count a
  // moment old changes nothing).
  const std::size_t open = std::max<std::size_t>(1, open_connections_.load(std::memory_order_relaxed));
  return std::clamp<std::size_t>(options_.buffer_budget / open, 4096, options_.max_connection_buffer);
}

void DirectoryOutput::on_application_data(const decrypt::SessionReport& session, decrypt::Direction direction,
                                          std::int64_t timestamp_ns, std::span<const std::uint8_t> plaintext) {
  ConnectionOutput& c = connection(session);
  Buffers& b = c.buffers;
  const int d = static_cast<int>(direction);
  if (options_.transcripts) {
    // The payload file is named only where a shortened hex dump points to it.
    PayloadLocation location;
    if (options_.payload_files) location = {c.names->payload[d], c.payload_written[d]};
    if (append_transcript_head(b.transcript, timestamp_ns, direction, plaintext, location)) {
      if (options_.payload_files && plaintext.size() >= kTextInPayloadMinimum) {
        // The text goes to the payload buffer below anyway: the transcript
        // takes it from there when it is written.
        b.transcript_text.push_back({b.transcript.size(), d, b.payload[d].size(), plaintext.size()});
      } else {
        b.transcript.append(reinterpret_cast<const char*>(plaintext.data()), plaintext.size());
      }
      append_transcript_text_tail(b.transcript, plaintext);
    }
  }
  c.payload_written[d] += plaintext.size();
  if (options_.payload_files) b.payload[d].insert(b.payload[d].end(), plaintext.begin(), plaintext.end());
  if (b.size() > connection_buffer_limit()) flush(c, true);
}

void DirectoryOutput::on_master_secret(std::span<const std::uint8_t> client_random,
                                       std::span<const std::uint8_t> master_secret) {
  std::lock_guard lock(mutex_);
  // Each proved master secret comes once per connection (a resumed session's
  // line carries the new connection's client random), so no dedup is needed.
  const std::string line = keys::format_client_random_line(client_random, master_secret) + "\n";
  ++totals_.master_secrets;
  append_line(keys_, keys_pending_, line);
}

void DirectoryOutput::on_session_id(std::span<const std::uint8_t> session_id,
                                    std::span<const std::uint8_t> master_secret) {
  std::lock_guard lock(mutex_);
  // Every connection that resumes the session proves it again: one line is enough.
  if (!session_ids_written_.insert(std::string(session_id.begin(), session_id.end()))) return;
  append_line(keys_, keys_pending_, keys::format_session_id_line(session_id, master_secret) + "\n");
}

void DirectoryOutput::on_session_ticket(std::span<const std::uint8_t> ticket,
                                        std::span<const std::uint8_t> master_secret) {
  if (!tickets_.is_open()) return;
  std::lock_guard lock(mutex_);
  append_line(tickets_, tickets_pending_, keys::format_session_ticket_line(ticket, master_secret) + "\n");
}

void DirectoryOutput::on_session_end(const decrypt::SessionReport& session) {
  SessionFiles files;
  ConnectionShard& shard = shard_of(session.connection_id);
  ConnectionOutput* c = nullptr;
  {
    std::lock_guard lock(shard.mutex);
    auto it = shard.connections.find(session.connection_id);
    if (it != shard.connections.end()) c = &it->second;
  }
  if (c != nullptr) {
    flush(*c, false);  // every decrypted connection gets all its files, even an empty direction
    if (options_.transcripts) files.transcript = c->base + ".transcript.txt";
    if (options_.payload_files) {
      files.c2s = c->base + ".c2s.bin";
      files.s2c = c->base + ".s2c.bin";
    }
  }
  std::string line = session_to_json(session, files);
  line += '\n';
  if (c != nullptr) {
    std::lock_guard lock(shard.mutex);
    shard.connections.erase(session.connection_id);
    open_connections_.fetch_sub(1, std::memory_order_relaxed);
  }
  std::lock_guard lock(mutex_);
  append_line(sessions_, sessions_pending_, line);
  ++totals_.sessions;
  totals_.c2s_bytes += session.c2s_bytes;
  totals_.s2c_bytes += session.s2c_bytes;
  totals_.records += session.records;
  if (session.keys_from && (session.verdict == decrypt::Verdict::decrypted ||
                            session.verdict == decrypt::Verdict::partially_decrypted)) {
    ++keys_used_[*session.keys_from];
  }
  VerdictCount& v = verdicts_[static_cast<int>(session.verdict)];
  const std::pair<decrypt::CaptureOrder, std::uint64_t> at{session.ended_at, session.connection_id};
  if (v.count++ == 0 || at < v.example_at) {
    v.example_at = at;
    v.example_reason = session.reason;
    v.example_fix = session.fix;
    v.example_connection = session.client.to_string() + " -> " + session.server.to_string();
  }
}

void DirectoryOutput::Buffers::clear() {
  transcript.clear();
  transcript_text.clear();
  payload[0].clear();
  payload[1].clear();
}

DirectoryOutput::Buffers DirectoryOutput::spare_buffers() {
  std::lock_guard lock(spare_mutex_);
  if (spare_.empty()) return {};
  Buffers b = std::move(spare_.back());
  spare_.pop_back();
  spare_bytes_ -= b.capacity();
  return b;
}

void DirectoryOutput::recycle(Buffers buffers) {
  // Sets are kept up to one buffer budget: every connection whose output is
  // written hands its set on to a connection that starts, so a run of short
  // connections fills memory that is already mapped instead of growing new
  // buffers from nothing (a copy at each doubling, and fresh pages for the
  // kernel to fault in). Past that bound, and past a number of sets, buffers
  // go back to the allocator.
  constexpr std::size_t kMaxSpare = 128;
  buffers.clear();
  const std::size_t bytes = buffers.capacity();
  std::lock_guard lock(spare_mutex_);
  if (spare_.size() < kMaxSpare && spare_bytes_ + bytes <= options_.buffer_budget) {
    spare_bytes_ += bytes;
    spare_.push_back(std::move(buffers));
  }
}

// Called by the connection's own thread only: no lock needed for its buffers.
// The buffers go to the write queue whole, and the connection goes on with a
// spare set; they come back once written. (A second queue for the payload
// files, on a thread of its own, was tried: no faster on two cores, and more
// CPU spent on waking threads.)
void DirectoryOutput::flush(ConnectionOutput& c, bool goes_on) {
  const bool truncate = !c.started;
  c.started = true;
  auto job = std::make_shared<Buffers>(std::move(c.buffers));
  c.buffers = goes_on ? spare_buffers() : Buffers{};
  const std::size_t bytes = job->size();
  write_queue_->push(
      [this, names = c.names, job, truncate, bytes] {
        if (options_.gate == nullptr || options_.gate->before_write(bytes)) {
          if (options_.transcripts) write_transcript(*names, *job, truncate);
          if (options_.payload_files) write_payload(*names, *job, truncate);
        }
        recycle(std::move(*job));
      },
      bytes);
}

// The transcript text with the text records held in the payload buffers put
// back in their places.
void DirectoryOutput::write_transcript(const FileNames& names, const Buffers& b, bool truncate) {
  const std::span<const std::uint8_t> text = as_bytes(b.transcript);
  std::vector<std::span<const std::uint8_t>> pieces;
  pieces.reserve(2 * b.transcript_text.size() + 1);
  std::size_t at = 0;
  for (const TextInPayload& t : b.transcript_text) {
    pieces.push_back(text.subspan(at, t.transcript_at - at));
    pieces.push_back(std::span<const std::uint8_t>(b.payload[t.direction]).subspan(t.offset, t.length));
    at = t.transcript_at;
  }
  pieces.push_back(text.subspan(at));
  write_file(names.transcript, pieces, truncate);
}

void DirectoryOutput::write_payload(const FileNames& names, const Buffers& b, bool truncate) {
  for (int d = 0; d < 2; ++d) {
    const std::span<const std::uint8_t> piece(b.payload[d]);
    write_file(names.payload[d], std::span(&piece, 1), truncate);
  }
}

void DirectoryOutput::write_file(const std::string& name, std::span<const std::span<const std::uint8_t>> pieces,
                                 bool truncate) {
  auto file = PrivateFile::open_in(connections_directory_, name, truncate);
  if (!file.ok()) {
    note_error(file.error());
    return;
  }
  Status written = pieces.size() == 1 ? file->write(pieces[0]) : file->write_pieces(pieces);
  if (!written.ok()) {
    note_error(written);
    return;
  }
  std::uint64_t bytes = 0;
  for (const auto& piece : pieces) bytes += piece.size();
  bytes_written_.fetch_add(bytes, std::memory_order_relaxed);
}

void DirectoryOutput::append_line(PrivateFile& file, std::string& pending, std::string_view line) {
  constexpr std::size_t kBlock = 64 * 1024;
  pending += line;
  if (pending.size() >= kBlock) write_pending(file, pending);
}

void DirectoryOutput::write_pending(PrivateFile& file, std::string& pending) {
  if (pending.empty() || !file.is_open()) return;
  const Status written = file.write(pending);
  note_error(written);
  if (written.ok()) bytes_written_.fetch_add(pending.size(), std::memory_order_relaxed);
  pending.clear();
}

void DirectoryOutput::write_and_sync(PrivateFile& file, std::string& pending) {
  write_pending(file, pending);
  if (file.is_open()) note_error(file.sync());
}

void DirectoryOutput::note_error(const Status& status) {
  // Callers may or may not hold mutex_; errors are rare, so take a lock of their own.
  if (status.ok()) return;
  std::lock_guard lock(error_mutex_);
  if (first_error_.ok()) first_error_ = status;
}

void DirectoryOutput::flush_all(bool close) {
  for (ConnectionShard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (auto& [id, c] : shard.connections) flush(c, !close);
    if (close) {
      open_connections_.fetch_sub(shard.connections.size(), std::memory_order_relaxed);
      shard.connections.clear();
    }
  }
}

Status DirectoryOutput::flush_open_connections() { return write_out(false); }

// Connections never ended (the engine was not finished): write what they hold.
Status DirectoryOutput::finish() { return write_out(true); }

Status DirectoryOutput::write_out(bool close) {
  flush_all(close);
  // Not under mutex_: the queue may take long (a slow disk, or a gate that
  // holds the writes back), and verdicts(), totals() and keys_used() are
  // asked meanwhile from other threads (the service's status).
  write_queue_->wait_idle();
  std::lock_guard lock(mutex_);
  write_and_sync(sessions_, sessions_pending_);
  write_and_sync(keys_, keys_pending_);
  write_and_sync(tickets_, tickets_pending_);
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

std::map<std::string, std::uint64_t> DirectoryOutput::keys_used() const {
  std::lock_guard lock(mutex_);
  return keys_used_;
}

}  // namespace tlsring::output
