#include "core/keys/key_log.h"

#include <algorithm>

#include "core/keys/hex.h"
#include "core/keys/key_log_line.h"
#include "core/keys/read_file.h"

namespace tlsring::keys {

namespace {

// Key logs of a long capture hold a line per connection; a gigabyte is not a key log.
constexpr std::uintmax_t kMaxKeyLogBytes = 1024ull * 1024 * 1024;

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

// Splits on '\n'; the last line needs no newline. '\r' is left for the line parser.
template <class F>
Status for_each_line(std::string_view text, F on_line) {
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    if (Status status = on_line(line, ++number); !status) return status;
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return {};
}

}  // namespace

Status KeyLog::add_text(std::string_view text, const std::string& source) {
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";  // Windows editors save one
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());

  // Parse everything first, so that a bad line leaves this key log as it was.
  std::vector<detail::KeyLogEntry> entries;
  entries.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  std::size_t skipped = 0;
  Status parsed = for_each_line(text, [&](std::string_view line, std::size_t number) -> Status {
    Result<detail::ParsedKeyLogLine> result = detail::parse_key_log_line(line);
    if (!result) return result.error().with_context(source + ":" + std::to_string(number));
    if (result->entry) entries.push_back(std::move(*result->entry));
    if (result->unknown_label) ++skipped;
    return {};
  });
  if (!parsed) return parsed;

  // The first secret seen for a slot stays: later lines only fill in missing ones.
  for (detail::KeyLogEntry& entry : entries) {
    const std::string key = map_key(entry.lookup);
    bool added = false;
    if (auto slot = slot_for(entry.label)) {
      std::optional<Secret>& secret = by_client_random_[key].*slot;
      if (!secret) {
        secret = std::move(entry.secret);
        added = true;
      }
    } else if (entry.label == detail::KeyLogLabel::rsa_premaster) {
      added = rsa_premaster_.try_emplace(key, std::move(entry.secret)).second;
    } else if (entry.label == detail::KeyLogLabel::rsa_session_id) {
      added = by_session_id_.try_emplace(key, std::move(entry.secret)).second;
    }
    if (added) ++count_;
  }
  skipped_lines_ += skipped;
  return {};
}

Status KeyLog::add_file(const std::filesystem::path& path) {
  Result<std::string> text = detail::read_file(path, kMaxKeyLogBytes, "a key-log file");
  if (!text) return text.error();
  return add_text(*text, path.string());
}

void KeyLog::add_master_secret(std::span<const std::uint8_t> client_random,
                               std::span<const std::uint8_t> master_secret) {
  std::optional<Secret>& slot = by_client_random_[map_key(client_random)].master_secret;
  if (slot) return;
  slot = Secret(master_secret.begin(), master_secret.end());
  ++count_;
}

const ClientRandomSecrets* KeyLog::find(std::span<const std::uint8_t> client_random) const {
  const auto it = by_client_random_.find(map_key(client_random));
  return it == by_client_random_.end() ? nullptr : &it->second;
}

std::optional<Secret> KeyLog::find_rsa_premaster(std::span<const std::uint8_t> encrypted_premaster) const {
  constexpr std::size_t kPrefixBytes = 8;
  if (encrypted_premaster.size() < kPrefixBytes) return std::nullopt;
  const auto it = rsa_premaster_.find(map_key(encrypted_premaster.first(kPrefixBytes)));
  if (it == rsa_premaster_.end()) return std::nullopt;
  return it->second;
}

std::optional<Secret> KeyLog::find_by_session_id(std::span<const std::uint8_t> session_id) const {
  const auto it = by_session_id_.find(map_key(session_id));
  if (it == by_session_id_.end()) return std::nullopt;
  return it->second;
}

std::size_t KeyLog::size() const { return count_; }

std::string format_client_random_line(std::span<const std::uint8_t> client_random,
                                      std::span<const std::uint8_t> master_secret) {
  return "CLIENT_RANDOM " + detail::encode_hex(client_random) + " " + detail::encode_hex(master_secret);
}

std::string format_session_id_line(std::span<const std::uint8_t> session_id,
                                   std::span<const std::uint8_t> master_secret) {
  return "RSA Session-ID:" + detail::encode_hex(session_id) + " Master-Key:" + detail::encode_hex(master_secret);
}

}  // namespace tlsring::keys
