// ServiceConfig: the service's options, typed and validated, as load_config()
// returns them. Every member has the default the service uses when the key is
// absent from the file (see config/tlsring.yaml for the documented keys).
//
// Paths: load_config() has resolved every relative path written in the file
// (key files, password files, keylogs, output directory, log file) against the
// directory of the config file, so the daemon may change directory freely.
// Nothing here has been checked against the system (interfaces, BPF filter,
// key file permissions and contents): that is `tlsring check`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/mark.h"
#include "config/size.h"
#include "config/thumbprint.h"
#include "core/capture/capture_writer.h"

namespace tlsring::config {

inline constexpr std::int64_t kNsPerSecond = 1'000'000'000;

struct CaptureConfig {
  std::vector<std::string> interfaces{std::string("any")};  // "any", or names; never empty
  std::string filter = "tcp port 3000";                       // BPF, as written (may be empty)
  std::uint32_t snaplen = 262144;                             // 1..262144
  std::uint64_t buffer_size = 16 * kMiB;                      // kernel capture buffer
  bool promiscuous = false;
};

struct RotationConfig {
  std::int64_t every_ns = 3600 * kNsPerSecond;  // start a new file this often (>= 1s)
  std::optional<std::uint64_t> max_file_size;   // also start one when a file reaches this
  std::optional<std::uint32_t> keep_files;      // delete the oldest beyond this many
  std::optional<std::uint64_t> max_total_size;  // delete the oldest beyond this many bytes
  std::uint64_t min_free_space = 1 * kGiB;      // delete the oldest while the disk has less free
};

struct OutputConfig {
  std::filesystem::path directory = "/var/lib/tlsring";
  capture::CaptureFormat format = capture::CaptureFormat::pcapng;
};

// A key in the Windows certificate store, named by its certificate's
// thumbprint (Windows only: elsewhere loading it says to export a .pfx).
struct CertificateStoreKeyConfig {
  Thumbprint thumbprint;
  CertificateStoreName store;  // certificate_store:, default LocalMachine\My
};

// Exactly one of `file` and `certificate_store_key` names the key.
struct KeyConfig {
  std::optional<std::string> server;            // "IP:PORT" as written (checked); none: any server
  std::filesystem::path file;                   // empty when the key is in the certificate store
  std::optional<CertificateStoreKeyConfig> certificate_store_key;  // thumbprint: (and certificate_store:)
  std::optional<std::filesystem::path> password_file;  // at most one of password_file,
  std::optional<std::string> password_env;              // password_env (a variable name); only with file
  Mark where;                                   // the entry in the config file

  // "key FILE", or "key THUMBPRINT in LocalMachine\My": for messages.
  std::string describe() const;
};

struct DecryptConfig {
  unsigned workers = 1;  // 1..64: threads over one file's connections
  std::vector<KeyConfig> keys;
  std::vector<std::filesystem::path> keylogs;
  bool transcripts = true;  // transcript files per connection
  bool payload = true;      // c2s/s2c .bin files per connection
  bool keep_raw = true;     // keep the capture file once it is decrypted
};

struct LoggingConfig {
  enum class Level { trace, debug, info, warn, error };
  enum class Target { console, journal, file };
  Level level = Level::info;
  Target target = Target::console;
  std::filesystem::path file = "/var/log/tlsring/tlsring.log";  // used when target is file
  std::uint64_t max_file_size = 10 * kMiB;  // rotate the log file at this size
  unsigned max_files = 5;                   // log files kept, the current one included
};

// Where a configuration's paths point when the file does not say: the
// operating system's places. The members' defaults are Linux's; the verbs
// that load a configuration give platform::default_paths()'s
// (daemon/platform/default_config.h), which differ on Windows.
struct DefaultLocations {
  std::filesystem::path output_directory = OutputConfig{}.directory;
  std::filesystem::path log_file = LoggingConfig{}.file;
};

struct ServiceConfig {
  std::filesystem::path source;  // the config file (absolute when from load_config)
  CaptureConfig capture;
  RotationConfig rotation;
  std::optional<std::int64_t> stop_after_ns;  // none: run until stopped
  // Started as root, the service opens its capture and keys, then runs as this
  // user (and its group) with no capabilities left. none: stays as started.
  std::optional<std::string> user;
  OutputConfig output;
  DecryptConfig decrypt;
  LoggingConfig logging;
};

// The names the config file uses ("trace".."error"; "console", "journal", "file").
std::string_view level_name(LoggingConfig::Level level);
std::string_view target_name(LoggingConfig::Target target);
std::optional<LoggingConfig::Level> parse_level(std::string_view name);
std::optional<LoggingConfig::Target> parse_target(std::string_view name);

}  // namespace tlsring::config
