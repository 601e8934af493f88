#include "core/keys/key_log.h"

#include <algorithm>
#include <iterator>

#include "core/keys/hex.h"
#include "core/keys/key_log_line.h"
#include "core/keys/read_file.h"

namespace tlsring::keys {

namespace {

// Key logs of a long capture hold a line per connection; a gigabyte is not a key log.
constexpr std::uintmax_t kMaxKeyLogBytes = 1024ull * 1024 * 1024;

// A UTF-8 byte order mark at the start of a key log (Windows editors save one) is not part of its first line.
void remove_utf8_bom(std::string_view& text) {
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
}

std::string map_key(std::span<const std::uint8_t> bytes) { return std::string(bytes.begin(), bytes.end()); }

std::optional<Secret> ClientRandomSecrets::*slot_for(detail::KeyLogLabel label) {
  using detail::KeyLogLabel;
  switch (label) {
    case KeyLogLabel::client_random: return &ClientRandomSecrets::master_secret;
    case KeyLogLabel::client_early_traffic_secret: return &ClientRandomSecrets::client_early_traffic_secret;
    case KeyLogLabel::client_handshake_traffic_secret: return &ClientRandomSecrets::client_handshake_traffic_secret;
    case KeyLogLabel::server_handshake_traffic_secret: return &ClientRandomSecrets::server_handshake_traffic_secret;
    case KeyLogLabel::client_traffic_secret_0: return &ClientRandomSecrets::client_traffic_secret_0;
    case KeyLogLabel::server_traffic_secret_0: return &ClientRandomSecrets::server_traffic_secret_0;
    default: return nullptr;
  }
}

}  // namespace

// Parses key-log text given in pieces (a file read in blocks, or one whole
// text) line by line: a line cut between two pieces is carried over, so only
// the entries are held, never the whole text. Each entry goes into the key
// log at once, or, when `staged` is given, there until every line has parsed.
class KeyLog::LineReader {
 public:
  LineReader(KeyLog& target, std::vector<detail::KeyLogEntry>* staged, const std::string& source, Keep keep)
      : target_(target), staged_(staged), source_(source), keep_(keep) {}

  Status feed(std::string_view piece) {
    if (first_piece_) {
      first_piece_ = false;
      remove_utf8_bom(piece);
    }
    for (std::size_t end = piece.find('\n'); end != std::string_view::npos; end = piece.find('\n')) {
      Status status;
      if (carry_.empty()) {
        status = line(piece.substr(0, end));
      } else {
        carry_.append(piece.substr(0, end));
        status = line(carry_);
        carry_.clear();
      }
      if (!status) return status;
      piece.remove_prefix(end + 1);
    }
    carry_.append(piece);
    return {};
  }

  // The last line, which needs no newline.
  Status finish() {
    if (carry_.empty()) return {};
    return line(carry_);
  }

  // Lines with a label this reader does not know, so far.
  std::size_t skipped() const { return skipped_; }

 private:
  Status line(std::string_view text) {
    ++number_;
    Result<detail::ParsedKeyLogLine> parsed = detail::parse_key_log_line(text);
    if (!parsed) return parsed.error().with_context(source_ + ":" + std::to_string(number_));
    if (parsed->unknown_label) ++skipped_;
    if (parsed->entry && kept(*parsed->entry)) {
      if (staged_ != nullptr) {
        staged_->push_back(std::move(*parsed->entry));
      } else {
        target_.add_entry(*parsed->entry);
      }
    }
    return {};
  }

  bool kept(const detail::KeyLogEntry& entry) const {
    return keep_ == Keep::all || entry.label == detail::KeyLogLabel::rsa_session_id;
  }

  KeyLog& target_;
  std::vector<detail::KeyLogEntry>* staged_;
  const std::string& source_;
  Keep keep_;
  std::string carry_;  // the start of a line the next piece ends
  std::size_t number_ = 0;
  std::size_t skipped_ = 0;
  bool first_piece_ = true;
};

Status KeyLog::add_lines(const std::string& source, const std::function<Status(LineReader&)>& read, Keep keep) {
  // An empty key log (the usual case: one file) takes each line as it is read
  // and is emptied again on error; one that holds secrets already gets the
  // lines once all of them have parsed, so that an error leaves it as it was.
  const bool in_place = empty() && skipped_lines_ == 0;
  std::vector<detail::KeyLogEntry> staged;
  LineReader reader(*this, in_place ? nullptr : &staged, source, keep);
  Status status = read(reader);
  if (status) status = reader.finish();
  if (!status) {
    if (in_place) *this = KeyLog();
    return status;
  }
  for (detail::KeyLogEntry& entry : staged) add_entry(entry);
  skipped_lines_ += reader.skipped();
  return {};
}

namespace {

// The entry for `key` in `map`, made if new (then true), carrying the larger
// of its tag and `tag`.
template <class Map>
std::pair<typename Map::mapped_type&, bool> tagged_entry(Map& map, std::string key, std::uint64_t tag) {
  auto [it, made] = map.try_emplace(std::move(key));
  if (made || it->second.tag < tag) it->second.tag = tag;
  return {it->second, made};
}

}  // namespace

// The first secret seen for a slot stays: later lines only fill in missing ones.
void KeyLog::add_entry(detail::KeyLogEntry& entry, std::uint64_t tag) {
  Secret* added = nullptr;
  if (auto slot = slot_for(entry.label)) {
    std::optional<Secret>& secret = tagged_entry(by_client_random_, map_key(entry.lookup), tag).first.value.*slot;
    if (!secret) added = &secret.emplace();
  } else if (entry.label == detail::KeyLogLabel::rsa_premaster || entry.label == detail::KeyLogLabel::rsa_session_id) {
    auto& map = entry.label == detail::KeyLogLabel::rsa_premaster ? rsa_premaster_ : by_session_id_;
    auto [tagged, made] = tagged_entry(map, map_key(entry.lookup), tag);
    if (made) added = &tagged.value;
  }
  if (added == nullptr) return;
  *added = std::move(entry.secret);
  ++count_;
}

std::size_t KeyLog::forget_tagged_below(std::uint64_t tag) {
  const std::size_t before = count_;
  for (auto it = by_client_random_.begin(); it != by_client_random_.end();) {
    if (it->second.tag >= tag) {
      ++it;
      continue;
    }
    const ClientRandomSecrets& s = it->second.value;
    for (const std::optional<Secret>* secret :
         {&s.master_secret, &s.client_early_traffic_secret, &s.client_handshake_traffic_secret,
          &s.server_handshake_traffic_secret, &s.client_traffic_secret_0, &s.server_traffic_secret_0}) {
      if (secret->has_value()) --count_;
    }
    it = by_client_random_.erase(it);
  }
  for (auto* map : {&rsa_premaster_, &by_session_id_}) {
    count_ -= std::erase_if(*map, [tag](const auto& entry) { return entry.second.tag < tag; });
  }
  return before - count_;
}

Status KeyLog::add_text(std::string_view text, const std::string& source) {
  return add_lines(source, [&](LineReader& reader) { return reader.feed(text); });
}

Status KeyLog::add_file(const std::filesystem::path& path, Keep keep) {
  return add_lines(
      path.string(),
      [&](LineReader& reader) {
        return detail::read_file_in_pieces(path, kMaxKeyLogBytes, "a key-log file",
                                           [&](std::string_view piece) { return reader.feed(piece); });
      },
      keep);
}

KeyLog::GrownLines KeyLog::add_whole_lines(std::string_view text, const std::string& source,
                                           std::size_t first_line, std::uint64_t tag, LastLine last_line) {
  GrownLines grown;
  const std::size_t before = count_;
  const std::size_t end = text.rfind('\n');
  grown.consumed = last_line == LastLine::whole ? text.size() : end == std::string_view::npos ? 0 : end + 1;
  if (grown.consumed == 0) return grown;
  std::string_view lines = text.substr(0, grown.consumed);
  if (first_line == 1) remove_utf8_bom(lines);
  for (std::size_t at = 0; at < lines.size(); ++grown.lines) {
    const std::size_t line_end = std::min(lines.find('\n', at), lines.size());
    Result<detail::ParsedKeyLogLine> parsed = detail::parse_key_log_line(lines.substr(at, line_end - at));
    at = line_end + 1;
    if (!parsed) {
      grown.bad_lines.push_back(parsed.error().with_context(source + ":" + std::to_string(first_line + grown.lines)));
      continue;
    }
    if (parsed->unknown_label) ++skipped_lines_;
    if (parsed->entry) add_entry(*parsed->entry, tag);
  }
  grown.added = count_ - before;
  return grown;
}

Result<KeyLog::GrownLines> KeyLog::add_file_skipping_bad_lines(const std::filesystem::path& path) {
  GrownLines total;
  const std::string source = path.string();
  // Adds the whole lines of `text`; the bytes it took.
  const auto add = [&](std::string_view text, LastLine last_line) {
    GrownLines grown = add_whole_lines(text, source, total.lines + 1, kKeptForever, last_line);
    total.consumed += grown.consumed;
    total.lines += grown.lines;
    total.added += grown.added;
    std::move(grown.bad_lines.begin(), grown.bad_lines.end(), std::back_inserter(total.bad_lines));
    return grown.consumed;
  };
  std::string pending;  // the start of a line that the piece read last cut
  Status read = detail::read_file_in_pieces(path, kMaxKeyLogBytes, "a key-log file", [&](std::string_view piece) {
    pending.append(piece);
    pending.erase(0, add(pending, LastLine::wait_for_newline));
    return Status{};
  });
  if (!read.ok()) return read.error();
  if (!pending.empty()) add(pending, LastLine::whole);
  return total;
}

void KeyLog::add_master_secret(std::span<const std::uint8_t> client_random,
                               std::span<const std::uint8_t> master_secret) {
  std::optional<Secret>& slot =
      tagged_entry(by_client_random_, map_key(client_random), kKeptForever).first.value.master_secret;
  if (slot) return;
  slot = Secret(master_secret.begin(), master_secret.end());
  ++count_;
}

const ClientRandomSecrets* KeyLog::find(std::span<const std::uint8_t> client_random) const {
  const auto it = by_client_random_.find(map_key(client_random));
  return it == by_client_random_.end() ? nullptr : &it->second.value;
}

std::optional<Secret> KeyLog::find_rsa_premaster(std::span<const std::uint8_t> encrypted_premaster) const {
  constexpr std::size_t kPrefixBytes = 8;
  if (encrypted_premaster.size() < kPrefixBytes) return std::nullopt;
  const auto it = rsa_premaster_.find(map_key(encrypted_premaster.first(kPrefixBytes)));
  if (it == rsa_premaster_.end()) return std::nullopt;
  return it->second.value;
}

std::optional<Secret> KeyLog::find_by_session_id(std::span<const std::uint8_t> session_id) const {
  const auto it = by_session_id_.find(map_key(session_id));
  if (it == by_session_id_.end()) return std::nullopt;
  return it->second.value;
}

std::size_t KeyLog::size() const { return count_; }

std::string format_client_random_line(std::span<const std::uint8_t> client_random,
                                      std::span<const std::uint8_t> master_secret) {
  return "CLIENT_RANDOM " + encode_hex(client_random) + " " + encode_hex(master_secret);
}

std::string format_session_id_line(std::span<const std::uint8_t> session_id,
                                   std::span<const std::uint8_t> master_secret) {
  return "RSA Session-ID:" + encode_hex(session_id) + " Master-Key:" + encode_hex(master_secret);
}

namespace {
constexpr std::string_view kSessionTicketLabel = "TLSRING_SESSION_TICKET";
}  // namespace

std::string format_session_ticket_line(std::span<const std::uint8_t> ticket,
                                       std::span<const std::uint8_t> master_secret) {
  return std::string(kSessionTicketLabel) + " " + encode_hex(ticket) + " " + encode_hex(master_secret);
}

std::optional<SessionTicketSecret> parse_session_ticket_line(std::string_view line) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!line.empty() && blank(line.back())) line.remove_suffix(1);
  while (!line.empty() && blank(line.front())) line.remove_prefix(1);
  if (line.substr(0, kSessionTicketLabel.size()) != kSessionTicketLabel) return std::nullopt;
  line.remove_prefix(kSessionTicketLabel.size());
  if (line.empty() || line.front() != ' ') return std::nullopt;
  line.remove_prefix(1);
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto ticket = detail::decode_hex(line.substr(0, space));
  auto master = detail::decode_hex(line.substr(space + 1));
  constexpr std::size_t kMasterSecretBytes = 48;
  if (!ticket || ticket->empty() || !master || master->size() != kMasterSecretBytes) return std::nullopt;
  return SessionTicketSecret{std::move(*ticket), std::move(*master)};
}

}  // namespace tlsring::keys
