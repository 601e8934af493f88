#include "daemon/service/key_log_follower.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>
#include <system_error>

namespace tlsring::daemon {
namespace {

// Read at most this much of a key log per look; the rest at the next one.
constexpr std::uint64_t kMaxReadPerLook = 64ull << 20;
// Key-log lines are a few hundred bytes; this much without a line end is not a key log.
constexpr std::size_t kMaxLineBytes = 64 << 10;

// Whether the first `length` bytes of `in` are those `read` was made of.
bool begins_with(std::ifstream& in, std::uint64_t length, const ReadFingerprint& read) {
  ReadFingerprint found;
  std::string chunk(std::min<std::uint64_t>(length, 1 << 20), '\0');
  in.seekg(0);
  for (std::uint64_t left = length; left > 0;) {
    const auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(left, chunk.size()));
    if (!in.read(chunk.data(), want)) return false;
    found.add(std::string_view(chunk.data(), static_cast<std::size_t>(want)));
    left -= static_cast<std::uint64_t>(want);
  }
  return found == read;
}

}  // namespace

KeyLogFollower::KeyLogFollower(const std::vector<std::filesystem::path>& paths) {
  for (const auto& path : paths) {
    Followed file;
    file.path = path;
    files_.push_back(std::move(file));
  }
}

KeyLogFollower::Look KeyLogFollower::look(keys::KeyLog& into, std::uint64_t tag) {
  Look result;
  for (Followed& file : files_) look_at(file, into, tag, result);
  return result;
}

void KeyLogFollower::check_from_start() {
  for (Followed& file : files_) file.check_start = true;
}

void KeyLogFollower::start_over(Followed& file) {
  file.offset = 0;
  file.next_line = 1;
  file.read.reset();
}

void KeyLogFollower::look_at(Followed& file, keys::KeyLog& into, std::uint64_t tag, Look& result) {
  const std::string name = file.path.string();
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(file.path, error);
  if (error) {
    file.trouble = (file.seen ? "gone (" : "not found (") + error.message() + ")";
    if (!file.told_missing) {
      file.told_missing = true;
      result.warnings.push_back(
          "key log " + name + (file.seen ? " is gone (" : " cannot be read yet (") + error.message() +
          "): it is read again before each capture file is decrypted, from when it is there" +
          (file.seen ? "; the secrets read from it so far are kept" : ""));
    }
    return;
  }
  if (file.told_missing) result.notes.push_back("key log " + name + " is there now: reading it");
  file.told_missing = false;
  file.seen = true;
  if (size < file.offset) {
    result.warnings.push_back("key log " + name + " is shorter than before (" + std::to_string(size) + " < " +
                              std::to_string(file.offset) + " bytes: truncated or replaced): read again from its "
                              "start");
    start_over(file);
  }
  // The size the last look found: a last line without its '\n' that has not
  // grown since is whole (a line being written is done in microseconds).
  bool unchanged = file.size_seen == size;
  file.size_seen = size;
  if (size == file.offset && !file.check_start) {
    file.trouble.clear();
    return;
  }

  std::ifstream in(file.path, std::ios::binary);
  if (!in) {
    // Written by a client that runs as another user, 0600: said once until it can be read.
    file.trouble = std::string("not readable by the service's user (") + std::strerror(errno) + ")";
    if (!file.told_unreadable) {
      file.told_unreadable = true;
      result.warnings.push_back("key log " + name + " cannot be opened (" + std::strerror(errno) +
                                "): let the user the service runs as read it; it is tried again before each "
                                "capture file is decrypted");
    }
    file.size_seen.reset();
    return;
  }
  if (file.told_unreadable) result.notes.push_back("key log " + name + " can be read now: reading it");
  file.told_unreadable = false;
  file.trouble.clear();
  if (file.check_start) {
    file.check_start = false;
    if (file.offset > 0 && !begins_with(in, file.offset, file.read)) {
      result.warnings.push_back("key log " + name + " was replaced: its first " + std::to_string(file.offset) +
                                " bytes are not the ones read before: read again from its start");
      start_over(file);
      unchanged = false;
    }
    in.clear();  // a read cut short by the file shrinking meanwhile
    if (size == file.offset) return;
  }
  in.seekg(static_cast<std::streamoff>(file.offset));
  std::string text(static_cast<std::size_t>(std::min<std::uint64_t>(size - file.offset, kMaxReadPerLook)), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.empty()) return;

  // A key log that ends without a newline (written by hand, or by a writer
  // that is done): its last line is whole once the file stopped growing.
  const std::size_t last_newline = text.rfind('\n');
  const std::size_t tail = text.size() - (last_newline == std::string::npos ? 0 : last_newline + 1);
  const bool last_line_whole = unchanged && tail > 0 && tail <= kMaxLineBytes && file.offset + text.size() == size;
  const keys::KeyLog::GrownLines grown =
      into.add_whole_lines(text, name, file.next_line, tag,
                           last_line_whole ? keys::KeyLog::LastLine::whole : keys::KeyLog::LastLine::wait_for_newline);
  for (const Error& bad : grown.bad_lines) {
    if (++file.bad_lines == 1) file.first_bad_line = bad.message;
    if (file.bad_lines <= kBadLinesTold) {
      result.warnings.push_back("key log line skipped: " + bad.message +
                                (file.bad_lines == kBadLinesTold ? " (further bad lines of " + name +
                                                                       " are counted in the summary, not told)"
                                                                 : ""));
    }
  }
  file.secrets += grown.added;
  result.added += grown.added;
  file.offset += grown.consumed;
  file.read.add(std::string_view(text).substr(0, grown.consumed));
  file.next_line += grown.lines;
  if (grown.consumed == 0 && text.size() > kMaxLineBytes) {
    result.warnings.push_back("key log " + name + ": no line end in the " + std::to_string(text.size()) +
                              " bytes from byte " + std::to_string(file.offset) +
                              ": skipped (is it a key log, SSLKEYLOGFILE format?)");
    file.offset += text.size();
    file.read.add(text);
  }
}

std::vector<std::string> KeyLogFollower::summary_lines() const {
  std::vector<std::string> lines;
  for (const Followed& file : files_) {
    std::string line = "key log " + file.path.string() + ": ";
    if (!file.seen) {
      line += file.trouble + " during the run, no secret read from it; what to do: make the client or server "
              "write it there while it runs (SSLKEYLOGFILE set in its environment before it starts), or correct "
              "decrypt.keylogs";
    } else {
      line += std::to_string(file.secrets) + " secret(s) read";
      if (file.bad_lines > 0) {
        line += ", " + std::to_string(file.bad_lines) + " bad line(s) skipped (the first: " + file.first_bad_line + ")";
      }
      if (!file.trouble.empty()) line += "; at the last look it was " + file.trouble;
      if (file.trouble.rfind("not readable", 0) == 0) line += ": let the user the service runs as read it";
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace tlsring::daemon
