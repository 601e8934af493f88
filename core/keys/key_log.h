// Key-log files (the SSLKEYLOGFILE format of NSS, OpenSSL, browsers) and the
// same text inside pcapng Decryption Secrets Blocks. Also reads Wireshark's
// "RSA Session-ID:<hex> Master-Key:<hex>" export lines.
//
// Labels: CLIENT_RANDOM <client_random> <master_secret>; RSA <first 8 bytes of
// the encrypted premaster> <premaster>; CLIENT_EARLY_TRAFFIC_SECRET,
// CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
// CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0, EXPORTER_SECRET
// <client_random> <secret>. Comments (#), blank lines, CRLF, upper- or
// lower-case hex and a missing final newline are accepted; unknown labels are
// skipped (newer writers add labels); a known label with bad fields is an error
// "SOURCE:LINE: ..." that says what is wrong.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace tlsring::keys {

namespace detail {
struct KeyLogEntry;
}  // namespace detail

using Secret = std::vector<std::uint8_t>;

struct ClientRandomSecrets {
  std::optional<Secret> master_secret;                 // CLIENT_RANDOM (TLS <= 1.2)
  std::optional<Secret> client_early_traffic_secret;
  std::optional<Secret> client_handshake_traffic_secret;
  std::optional<Secret> server_handshake_traffic_secret;
  std::optional<Secret> client_traffic_secret_0;
  std::optional<Secret> server_traffic_secret_0;
};

class KeyLog {
 public:
  // Adds the lines of `text`; `source` names it in errors ("keys.log", "capture.pcapng DSB #2").
  // On error nothing of `text` is added.
  Status add_text(std::string_view text, const std::string& source);
  // Which of a file's secrets to keep: all, or only those that resume a
  // session by its ID (RSA Session-ID: lines). The latter for an earlier run's
  // keys.log: no new connection has the client randoms of its other lines.
  enum class Keep { all, session_ids };
  Status add_file(const std::filesystem::path& path, Keep keep = Keep::all);

  // A key log that a client or server is still writing, read as it grows: the
  // whole lines of `text` (up to its last '\n'; the rest may be a line being
  // written) are added, each on its own. A bad line does not stop the others:
  // it is reported as "SOURCE:N: ..." with N counted from `first_line`.
  struct GrownLines {
    std::size_t consumed = 0;      // bytes read: up to and including the last '\n' (all, with LastLine::whole)
    std::size_t lines = 0;         // whole lines read
    std::size_t added = 0;         // secrets new to this key log
    std::vector<Error> bad_lines;  // lines skipped, with why
  };
  //
  // `tag` (any ordered number the caller chooses, e.g. which capture file was
  // being written when the lines were read) lets a key log that grows for days
  // let go of what is no longer needed: see forget_tagged_below(). An entry
  // keeps the largest tag it was added with; the other ways of adding give
  // kKeptForever.
  static constexpr std::uint64_t kKeptForever = UINT64_MAX;
  // LastLine::whole: the text's end ends its last line too, with or without a
  // '\n' (a key log whose writer is done, or a whole file).
  enum class LastLine { wait_for_newline, whole };
  GrownLines add_whole_lines(std::string_view text, const std::string& source, std::size_t first_line,
                             std::uint64_t tag = kKeptForever, LastLine last_line = LastLine::wait_for_newline);
  // Forgets the entries whose tag is below `tag`; the number of secrets forgotten.
  std::size_t forget_tagged_below(std::uint64_t tag);
  // The whole of a key log as the service reads it: every line on its own (a
  // bad one is skipped and listed, as by add_whole_lines), the last one too
  // when it has no '\n'. An error only when the file cannot be read.
  Result<GrownLines> add_file_skipping_bad_lines(const std::filesystem::path& path);

  // Adds one master secret (as recovered from an RSA key), for sessions that later resume it.
  void add_master_secret(std::span<const std::uint8_t> client_random, std::span<const std::uint8_t> master_secret);

  const ClientRandomSecrets* find(std::span<const std::uint8_t> client_random) const;
  // Premaster for an RSA ClientKeyExchange, by the first 8 bytes of its ciphertext.
  std::optional<Secret> find_rsa_premaster(std::span<const std::uint8_t> encrypted_premaster) const;
  // Master secret by session id (Wireshark "RSA Session-ID:" lines).
  std::optional<Secret> find_by_session_id(std::span<const std::uint8_t> session_id) const;

  std::size_t size() const;  // number of secrets held
  // Client randoms it holds secrets for: the sessions an (EC)DHE or TLS 1.3
  // connection can find its keys among.
  std::size_t client_randoms() const { return by_client_random_.size(); }
  bool empty() const { return size() == 0; }
  // Lines skipped for an unknown label (PMS_CLIENT_RANDOM, labels newer than
  // this reader), over all texts added: a file of only such lines is likely
  // the wrong file.
  std::size_t skipped_lines() const { return skipped_lines_; }

 private:
  class LineReader;
  // Adds the entries of the text `read` gives a LineReader; on error nothing is added.
  Status add_lines(const std::string& source, const std::function<Status(LineReader&)>& read, Keep keep = Keep::all);
  void add_entry(detail::KeyLogEntry& entry, std::uint64_t tag = kKeptForever);

  template <class Value>
  struct Tagged {
    Value value;
    std::uint64_t tag = kKeptForever;
  };
  std::unordered_map<std::string, Tagged<ClientRandomSecrets>> by_client_random_;  // key: raw bytes
  std::unordered_map<std::string, Tagged<Secret>> rsa_premaster_;                  // key: 8 raw bytes
  std::unordered_map<std::string, Tagged<Secret>> by_session_id_;
  std::size_t count_ = 0;
  std::size_t skipped_lines_ = 0;
};

// The key-log line for a master secret: "CLIENT_RANDOM <hex> <hex>", lower-case hex, no newline.
std::string format_client_random_line(std::span<const std::uint8_t> client_random,
                                      std::span<const std::uint8_t> master_secret);
// The line that lets a later connection resume a session by its ID, as
// Wireshark exports it: "RSA Session-ID:<hex> Master-Key:<hex>", no newline.
std::string format_session_id_line(std::span<const std::uint8_t> session_id,
                                   std::span<const std::uint8_t> master_secret);

// A session ticket and the master secret it resumes, as the service keeps
// them for its next start: "TLSRING_SESSION_TICKET <hex> <hex>", no newline.
// Not a key-log line (Wireshark's key logs have no label for tickets).
std::string format_session_ticket_line(std::span<const std::uint8_t> ticket,
                                       std::span<const std::uint8_t> master_secret);
struct SessionTicketSecret {
  Secret ticket;
  Secret master_secret;
};
// The line format_session_ticket_line() wrote (surrounding blanks and a '\r'
// ignored); nullopt for anything else.
std::optional<SessionTicketSecret> parse_session_ticket_line(std::string_view line);

}  // namespace tlsring::keys
