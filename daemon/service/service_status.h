// ServiceStatus: what a running `tlsring run` is doing, as the status file
// holds it. The service replaces the file atomically every few seconds
// (write_status_file); `tlsring status` reads it (read_status_file).
//
// The file is one flat JSON object: every value is a number or a string, so
// the reader here needs no JSON library, and other tools can read it too.
// Verdict counts are keys "sessions.<verdict>".
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "core/result.h"

namespace tlsring::daemon {

struct ServiceStatus {
  std::string state;                 // "starting", "capturing", "stopping", "stopped"
  std::int64_t pid = 0;
  std::int64_t started_ns = 0;       // UTC ns since the epoch
  std::int64_t updated_ns = 0;
  std::int64_t stop_at_ns = 0;       // 0: runs until stopped
  std::string config;                // the configuration file
  std::string output_directory;
  std::uint64_t packets = 0;         // written to capture files
  std::uint64_t bytes = 0;
  std::uint64_t kernel_drops = 0;    // pcap_stats ps_drop + ps_ifdrop over interfaces
  std::uint64_t user_drops = 0;      // dropped because the writer fell behind
  std::uint64_t not_written = 0;     // captured while no capture file could be written (disk full, disk limit)
  std::uint64_t files_written = 0;
  std::uint64_t files_deleted = 0;
  std::uint64_t files_deleted_undecrypted = 0;
  // The disk, as the last ring check (every few seconds) found it; 0 before it.
  std::uint64_t ring_bytes = 0;             // capture files kept, the one being written included
  std::uint64_t free_bytes = 0;             // free on the capture files' filesystem
  std::uint64_t min_free_space = 0;         // rotation.min_free_space
  std::uint64_t results_bytes = 0;          // written by this run under runs/START
  std::uint64_t earlier_results_bytes = 0;  // earlier runs' results under runs/, measured every 10 min
  std::string current_file;
  std::uint64_t decrypt_backlog = 0; // completed files not yet decrypted
  std::uint64_t files_decrypted = 0;
  std::string decrypt_waiting;       // why decryption waits (the results' disk is short of space), or empty
  std::map<std::string, std::uint64_t> sessions;  // verdict -> connections
  std::string last_error;
};

// The JSON text of the file (one object, a trailing newline).
std::string status_to_json(const ServiceStatus& status);
// Parses what status_to_json wrote; an error names what is malformed.
Result<ServiceStatus> status_from_json(std::string_view text);

// Writes `path`.tmp (0640), fsyncs and renames it over `path`.
Status write_status_file(const std::filesystem::path& path, const ServiceStatus& status);
Result<ServiceStatus> read_status_file(const std::filesystem::path& path);

// The human-readable page `tlsring status` prints; `now_ns` for "running for".
std::string format_status(const ServiceStatus& status, std::int64_t now_ns);

}  // namespace tlsring::daemon
