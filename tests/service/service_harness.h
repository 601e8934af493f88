// What the service tests need around the real `tlsring run`: a process to
// start, signal and wait for; a parallel libpcap capture to count against;
// reading the ring's files back with libpcap; the results on disk.
#pragma once

#include <pcap/pcap.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/service/live_traffic.h"

namespace tlsring::testsvc {

// Skips the running test (exit 4, by name) unless it runs as root.
void require_root_or_skip();

// A fresh directory under /tmp, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// `tlsring run -c CONFIG` as a child process, its output in LOG; with
// `extra_environment` ("NAME=value") added to the test's own.
class ServiceProcess {
 public:
  ServiceProcess(const std::filesystem::path& config, const std::filesystem::path& log,
                 const std::vector<std::string>& extra_environment = {});
  ~ServiceProcess();  // SIGKILL if still running
  void signal(int signal_number) const;
  // The exit status, or nullopt if it has not exited within `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running() const { return !exited_; }
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  bool exited_ = false;
  int status_ = -1;
};

// Waits until `output_dir`/status.json says "capturing" (true) or `timeout`.
bool wait_until_capturing(const std::filesystem::path& output_dir, std::chrono::milliseconds timeout);

// Counts the packets libpcap sees on `device` with `filter`, in a thread.
class ParallelCapture {
 public:
  ParallelCapture(const std::string& device, const std::string& filter);
  ~ParallelCapture();
  std::uint64_t stop();  // the packets counted
  std::uint64_t kernel_drops() const { return drops_; }

 private:
  pcap_t* handle_ = nullptr;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> count_{0};
  std::uint64_t drops_ = 0;
  std::thread thread_;
};

// Packets in a capture file read with libpcap; -1 when libpcap cannot open it.
std::int64_t count_packets_with_libpcap(const std::filesystem::path& file);
// The packets of all `files`, each of which libpcap must read (REQUIRE).
std::int64_t count_packets_in_files(const std::vector<std::filesystem::path>& files);

// The lines of `text` that hold `needle`.
std::size_t count_lines_with(const std::string& text, const std::string& needle);

// Whether a line of report.jsonl (or sessions.jsonl) is the connection from
// client port `client_port`.
bool is_connection_from(const std::string& line, std::uint16_t client_port);
// The last such line of `jsonl`, or "" when there is none.
std::string connection_line(const std::string& jsonl, std::uint16_t client_port);

// The completed files of the ring and leftover .part files.
struct RingListing {
  std::vector<std::filesystem::path> completed;
  std::vector<std::filesystem::path> parts;
};
RingListing list_ring(const std::filesystem::path& output_dir);

// The single run directory under output_dir/runs (empty when none or several).
std::filesystem::path only_run_directory(const std::filesystem::path& output_dir);
std::vector<std::filesystem::path> run_directories(const std::filesystem::path& output_dir);

// The decrypted bytes of each direction per client port, gathered from the
// connections/ files of the given run directories.
struct DecryptedStreams {
  std::map<std::uint16_t, std::string> c2s;
  std::map<std::uint16_t, std::string> s2c;
};
DecryptedStreams read_decrypted_streams(const std::vector<std::filesystem::path>& run_dirs);

std::string read_text(const std::filesystem::path& file);

// A service configuration for loopback port `port`.
struct ServiceConfigText {
  std::string rotation_every = "2s";
  std::string stop_after = "10s";
  std::string min_free_space = "64MiB";
  std::string extra_rotation;       // more lines under rotation:
  std::string keys_yaml;            // the decrypt.keys list items, indented by 4
  std::uint16_t port = 3000;
  std::string interface = "lo";
  std::string buffer_size;          // capture.buffer_size; empty: the default
  bool keep_raw = true;
  std::string extra_decrypt;        // more lines under decrypt:, indented by 2
};
std::filesystem::path write_service_config(const std::filesystem::path& dir, const ServiceConfigText& text);

// A service test's own directory: the test server's credentials in keys/, the
// configuration written from `text` as tlsring.yaml (its output goes to out/).
class ServiceTestDir {
 public:
  ServiceTestDir(const std::string& tag, const ServiceConfigText& text);
  const std::filesystem::path& path() const { return dir_.path(); }
  std::filesystem::path keys() const { return dir_.path() / "keys"; }
  std::filesystem::path out() const { return dir_.path() / "out"; }
  const std::filesystem::path& config() const { return config_; }
  // Writes the configuration again, for the next start.
  void write_config(const ServiceConfigText& text) { config_ = write_service_config(dir_.path(), text); }

 private:
  TempDir dir_;
  std::filesystem::path config_;
};

// Every message the traffic sent, found in the decrypted stream of its
// connection and direction, in order (REQUIRE).
void require_every_message_decrypted(const TrafficResult& traffic, const DecryptedStreams& streams);

// What `tlsring status -c CONFIG` prints.
std::string run_status_page(const std::filesystem::path& config);

// `tlsring run` with the configuration of `dir`, and `options`'s traffic once
// it captures, until the service stops by itself (stop_after). REQUIREs that
// it captured, that the traffic ran and that the service exited 0.
struct ServedTraffic {
  TrafficResult traffic;
  std::string log;  // the service's
};
ServedTraffic serve_traffic(const ServiceTestDir& dir, const TrafficOptions& options);

}  // namespace tlsring::testsvc
