#include "daemon/service/service_status.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "config/size.h"
#include "core/output/session_json.h"
#include "daemon/platform/durable_files.h"
#include "daemon/platform/process.h"

namespace tlsring::daemon {
namespace {

class FlatJsonWriter {
 public:
  void number(std::string_view key, std::uint64_t value) { field(key) << value; }
  void signed_number(std::string_view key, std::int64_t value) { field(key) << value; }
  void text(std::string_view key, std::string_view value) { field(key) << output::json_quote(value); }
  std::string finish() { return out_.str() + "\n}\n"; }

 private:
  std::ostream& field(std::string_view key) {
    out_ << (first_ ? "{\n  " : ",\n  ") << output::json_quote(key) << ": ";
    first_ = false;
    return out_;
  }
  std::ostringstream out_;
  bool first_ = true;
};

// A reader for the flat objects FlatJsonWriter writes: string and integer values.
class FlatJsonReader {
 public:
  explicit FlatJsonReader(std::string_view text) : text_(text) {}

  Result<std::map<std::string, std::string>> read() {
    std::map<std::string, std::string> fields;
    skip_space();
    if (!take('{')) return fail("expected '{'");
    skip_space();
    if (take('}')) return fields;
    for (;;) {
      skip_space();
      auto key = read_string();
      if (!key.ok()) return key.error();
      skip_space();
      if (!take(':')) return fail("expected ':'");
      skip_space();
      std::string value;
      if (peek() == '"') {
        auto s = read_string();
        if (!s.ok()) return s.error();
        value = std::move(*s);
      } else {
        while (pos_ < text_.size() && (text_[pos_] == '-' || (text_[pos_] >= '0' && text_[pos_] <= '9'))) {
          value += text_[pos_++];
        }
        if (value.empty()) return fail("expected a string or a number");
      }
      fields[std::move(*key)] = std::move(value);
      skip_space();
      if (take(',')) continue;
      if (take('}')) return fields;
      return fail("expected ',' or '}'");
    }
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool take(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void skip_space() {
    while (pos_ < text_.size() && std::strchr(" \t\r\n", text_[pos_]) != nullptr) ++pos_;
  }
  Error fail(const std::string& what) const {
    return make_error("malformed status file at byte " + std::to_string(pos_) + ": " + what);
  }
  Result<std::string> read_string() {
    if (!take('"')) return fail("expected '\"'");
    std::string s;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c != '\\') {
        s += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      const char e = text_[pos_++];
      switch (e) {
        case 'n': s += '\n'; break;
        case 't': s += '\t'; break;
        case 'r': s += '\r'; break;
        case 'b': s += '\b'; break;
        case 'f': s += '\f'; break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return fail("short \\u escape");
          unsigned code = 0;
          std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
          pos_ += 4;
          s += static_cast<char>(code <= 0xff ? code : '?');
          break;
        }
        default: s += e;
      }
    }
    if (!take('"')) return fail("unterminated string");
    return s;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

template <class T>
T to_number(const std::map<std::string, std::string>& fields, const std::string& key) {
  T value{};
  if (auto it = fields.find(key); it != fields.end()) {
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  }
  return value;
}

std::string text_field(const std::map<std::string, std::string>& fields, const std::string& key) {
  auto it = fields.find(key);
  return it == fields.end() ? std::string() : it->second;
}

std::string utc_time(std::int64_t ns) {
  const std::time_t seconds = static_cast<std::time_t>(ns / 1000000000);
  const std::tm tm = platform::utc_calendar_time(seconds);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

std::string span_text(std::int64_t ns) {
  std::int64_t s = ns / 1000000000;
  if (s < 0) s = 0;
  char text[48];
  std::snprintf(text, sizeof text, "%lldh %02lldm %02llds", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return text;
}

}  // namespace

std::string status_to_json(const ServiceStatus& status) {
  FlatJsonWriter w;
  w.text("state", status.state);
  w.signed_number("pid", status.pid);
  w.signed_number("started_ns", status.started_ns);
  w.signed_number("updated_ns", status.updated_ns);
  w.signed_number("stop_at_ns", status.stop_at_ns);
  w.text("config", status.config);
  w.text("output_directory", status.output_directory);
  w.number("packets", status.packets);
  w.number("bytes", status.bytes);
  w.number("kernel_drops", status.kernel_drops);
  w.number("user_drops", status.user_drops);
  w.number("not_written", status.not_written);
  w.number("files_written", status.files_written);
  w.number("files_deleted", status.files_deleted);
  w.number("files_deleted_undecrypted", status.files_deleted_undecrypted);
  w.number("ring_bytes", status.ring_bytes);
  w.number("free_bytes", status.free_bytes);
  w.number("min_free_space", status.min_free_space);
  w.number("results_bytes", status.results_bytes);
  w.number("earlier_results_bytes", status.earlier_results_bytes);
  w.text("current_file", status.current_file);
  w.number("decrypt_backlog", status.decrypt_backlog);
  w.number("files_decrypted", status.files_decrypted);
  w.text("decrypt_waiting", status.decrypt_waiting);
  for (const auto& [verdict, count] : status.sessions) w.number("sessions." + verdict, count);
  w.text("last_error", status.last_error);
  return w.finish();
}

Result<ServiceStatus> status_from_json(std::string_view text) {
  auto fields = FlatJsonReader(text).read();
  if (!fields.ok()) return fields.error();
  const auto& f = *fields;
  if (f.find("state") == f.end()) return make_error("malformed status file: no \"state\"");
  ServiceStatus s;
  s.state = text_field(f, "state");
  s.pid = to_number<std::int64_t>(f, "pid");
  s.started_ns = to_number<std::int64_t>(f, "started_ns");
  s.updated_ns = to_number<std::int64_t>(f, "updated_ns");
  s.stop_at_ns = to_number<std::int64_t>(f, "stop_at_ns");
  s.config = text_field(f, "config");
  s.output_directory = text_field(f, "output_directory");
  s.packets = to_number<std::uint64_t>(f, "packets");
  s.bytes = to_number<std::uint64_t>(f, "bytes");
  s.kernel_drops = to_number<std::uint64_t>(f, "kernel_drops");
  s.user_drops = to_number<std::uint64_t>(f, "user_drops");
  s.not_written = to_number<std::uint64_t>(f, "not_written");
  s.files_written = to_number<std::uint64_t>(f, "files_written");
  s.files_deleted = to_number<std::uint64_t>(f, "files_deleted");
  s.files_deleted_undecrypted = to_number<std::uint64_t>(f, "files_deleted_undecrypted");
  s.ring_bytes = to_number<std::uint64_t>(f, "ring_bytes");
  s.free_bytes = to_number<std::uint64_t>(f, "free_bytes");
  s.min_free_space = to_number<std::uint64_t>(f, "min_free_space");
  s.results_bytes = to_number<std::uint64_t>(f, "results_bytes");
  s.earlier_results_bytes = to_number<std::uint64_t>(f, "earlier_results_bytes");
  s.current_file = text_field(f, "current_file");
  s.decrypt_backlog = to_number<std::uint64_t>(f, "decrypt_backlog");
  s.files_decrypted = to_number<std::uint64_t>(f, "files_decrypted");
  s.decrypt_waiting = text_field(f, "decrypt_waiting");
  s.last_error = text_field(f, "last_error");
  for (const auto& [key, value] : f) {
    if (key.rfind("sessions.", 0) == 0) s.sessions[key.substr(9)] = to_number<std::uint64_t>(f, key);
  }
  return s;
}

Status write_status_file(const std::filesystem::path& path, const ServiceStatus& status) {
  return platform::replace_file_contents(path, status_to_json(status), 0640);
}

Result<ServiceStatus> read_status_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error("cannot read " + path.string() + ": " + std::strerror(errno) +
                      " (is the service running, with this configuration?)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto status = status_from_json(text.str());
  if (!status.ok()) return status.error().with_context(path.string());
  return status;
}

std::string format_status(const ServiceStatus& s, std::int64_t now_ns) {
  std::ostringstream out;
  out << "tlsring " << s.state << " (pid " << s.pid << ")\n";
  if (s.state == "stopped") {
    out << "  ran from          " << utc_time(s.started_ns) << " to " << utc_time(s.updated_ns) << " ("
        << span_text(s.updated_ns - s.started_ns) << ")\n";
  } else {
    out << "  running since     " << utc_time(s.started_ns) << " (" << span_text(now_ns - s.started_ns) << ")\n";
  }
  if (s.stop_at_ns != 0) out << "  stops at          " << utc_time(s.stop_at_ns) << "\n";
  const std::int64_t age = now_ns - s.updated_ns;
  out << "  status written    " << utc_time(s.updated_ns);
  if (age > 30'000'000'000LL && s.state != "stopped") out << "  (" << age / 1000000000 << " s ago: is the service still running?)";
  out << "\n";
  out << "  configuration     " << s.config << "\n";
  out << "  output            " << s.output_directory << "\n";
  out << "  packets           " << s.packets << " (" << s.bytes << " bytes)\n";
  out << "  kernel drops      " << s.kernel_drops << "\n";
  if (s.user_drops != 0) out << "  writer drops      " << s.user_drops << "\n";
  if (s.not_written != 0) out << "  not written       " << s.not_written << " (no capture file could be written then: see the log)\n";
  out << "  files written     " << s.files_written << ", deleted " << s.files_deleted;
  if (s.files_deleted_undecrypted != 0) out << " (" << s.files_deleted_undecrypted << " before decryption: disk limit)";
  out << "\n";
  if (s.ring_bytes != 0 || s.free_bytes != 0) {
    // What grows for days: the ring is bounded by its limits, the results are not.
    out << "  disk              capture files " << config::human_size(s.ring_bytes) << ", results "
        << config::human_size(s.results_bytes);
    if (s.earlier_results_bytes != 0) out << " (earlier runs' " << config::human_size(s.earlier_results_bytes) << " more)";
    out << "; " << config::human_size(s.free_bytes) << " free (min_free_space " << config::human_size(s.min_free_space)
        << ")\n";
  }
  if (!s.current_file.empty()) out << "  current file      " << s.current_file << "\n";
  out << "  decrypted files   " << s.files_decrypted << ", backlog " << s.decrypt_backlog << "\n";
  if (!s.decrypt_waiting.empty()) out << "  decryption waits  " << s.decrypt_waiting << "\n";
  std::uint64_t total = 0;
  for (const auto& [verdict, count] : s.sessions) total += count;
  out << "  sessions          " << total << "\n";
  for (const auto& [verdict, count] : s.sessions) {
    char line[96];
    std::snprintf(line, sizeof line, "    %-24s %llu\n", verdict.c_str(), static_cast<unsigned long long>(count));
    out << line;
  }
  if (!s.last_error.empty()) out << "  last error        " << s.last_error << "\n";
  return out.str();
}

}  // namespace tlsring::daemon
