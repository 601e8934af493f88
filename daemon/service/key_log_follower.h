// KeyLogFollower: the service's key logs (decrypt.keylogs), read as the
// clients or servers that write them go on writing. An SSLKEYLOGFILE gains a
// line per handshake, and the handshakes that matter are the ones during the
// capture window, after the service started; so before each capture file is
// decrypted, what each key log gained since the last look is added (the lines
// of a handshake are written when it happens, before the file that holds it
// is completed).
//
// Only whole lines are read: a line being written is read at the next look,
// and a last line without a newline once the file has not grown between two
// looks.
// A bad line is skipped and told, the others still count. A key log that does
// not exist yet is told once and read from when it appears; one that becomes
// shorter (truncated or replaced) is read again from its start, and so is one
// replaced by other content that a check (SIGHUP) finds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/keys/key_log.h"
#include "daemon/service/read_fingerprint.h"

namespace tlsring::daemon {

class KeyLogFollower {
 public:
  explicit KeyLogFollower(const std::vector<std::filesystem::path>& paths);

  struct Look {
    std::size_t added = 0;              // secrets new to the key log
    std::vector<std::string> warnings;  // for the log: bad lines, a key log missing or started over
    std::vector<std::string> notes;     // for the log, at info level: a key log that appeared
  };
  // Adds to `into` what every key log gained since the last look, tagged
  // `tag` (KeyLog::add_whole_lines), so that the caller can let go of them later.
  Look look(keys::KeyLog& into, std::uint64_t tag = keys::KeyLog::kKeptForever);
  // The next look checks every key log against what was read from it (SIGHUP):
  // one replaced by other content, which its size need not tell, is read
  // again from its start; one that only grew is read on from where it was.
  // So the secrets the key log let go of are not read back in, and the bad
  // lines already told are not told again.
  void check_from_start();
  std::size_t size() const { return files_.size(); }
  // A line per key log for the run's summary: how many secrets it gave, the
  // lines skipped, and whether it is missing or unreadable now (what to do).
  std::vector<std::string> summary_lines() const;

  // Bad lines told one by one per key log; the rest are counted.
  static constexpr std::uint64_t kBadLinesTold = 10;

 private:
  struct Followed {
    std::filesystem::path path;
    std::uint64_t offset = 0;      // bytes read, up to the end of a whole line
    ReadFingerprint read;          // of the `offset` bytes read
    bool check_start = false;      // check_from_start() asked, not done yet
    std::size_t next_line = 1;     // the number of the line at `offset`
    std::optional<std::uint64_t> size_seen;  // the file's size at the last look
    bool told_missing = false;
    bool told_unreadable = false;
    std::string trouble;           // why it cannot be read now ("not found (...)"), or empty
    std::uint64_t secrets = 0;     // secrets it gave (new to the key log)
    std::uint64_t bad_lines = 0;
    std::string first_bad_line;
    bool seen = false;
  };
  void look_at(Followed& file, keys::KeyLog& into, std::uint64_t tag, Look& result);
  static void start_over(Followed& file);

  std::vector<Followed> files_;
};

}  // namespace tlsring::daemon
