#include "tests/service/service_harness.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/service/live_traffic.h"
#include "tests/support/skip.h"

namespace tlsring::testsvc {

void require_root_or_skip() {
  if (::geteuid() != 0) {
    testing::skip_test(Catch::getResultCapture().getCurrentTestName(),
                       "needs root for live capture on lo (CI runs as root); not run");
  }
}

TempDir::TempDir(const std::string& tag) {
  std::string pattern = (std::filesystem::temp_directory_path() / ("tlsring-" + tag + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  if (std::getenv("TLSRING_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code error;
  std::filesystem::remove_all(path_, error);
}

ServiceProcess::ServiceProcess(const std::filesystem::path& config, const std::filesystem::path& log,
                               const std::vector<std::string>& extra_environment) {
  // Built before the fork: the child only redirects its output and execs.
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) environment.emplace_back(*e);
  environment.insert(environment.end(), extra_environment.begin(), extra_environment.end());
  std::vector<char*> envp;
  for (std::string& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string config_text = config.string();
  char* const argv[] = {const_cast<char*>(TLSRING_BINARY), const_cast<char*>("run"), const_cast<char*>("-c"),
                        const_cast<char*>(config_text.c_str()), nullptr};
  pid_ = ::fork();
  if (pid_ == 0) {
    FILE* out = std::freopen(log.c_str(), "w", stdout);
    (void)out;
    ::dup2(STDOUT_FILENO, STDERR_FILENO);
    ::execve(TLSRING_BINARY, argv, envp.data());
    std::_Exit(127);
  }
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void ServiceProcess::signal(int signal_number) const {
  if (pid_ > 0 && !exited_) ::kill(pid_, signal_number);
}

std::optional<int> ServiceProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exited_) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

bool wait_until_capturing(const std::filesystem::path& output_dir, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(output_dir / "status.json").find("\"capturing\"") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

ParallelCapture::ParallelCapture(const std::string& device, const std::string& filter) {
  char error[PCAP_ERRBUF_SIZE] = "";
  handle_ = pcap_create(device.c_str(), error);
  REQUIRE(handle_ != nullptr);
  pcap_set_snaplen(handle_, 262144);
  pcap_set_buffer_size(handle_, 32 << 20);
  pcap_set_timeout(handle_, 50);
  REQUIRE(pcap_activate(handle_) >= 0);
  bpf_program program{};
  REQUIRE(pcap_compile(handle_, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0);
  REQUIRE(pcap_setfilter(handle_, &program) == 0);
  pcap_freecode(&program);
  REQUIRE(pcap_setnonblock(handle_, 1, error) == 0);
  thread_ = std::thread([this] {
    auto count = [](u_char* user, const pcap_pkthdr*, const u_char*) {
      ++*reinterpret_cast<std::atomic<std::uint64_t>*>(user);
    };
    while (!stop_) {
      if (pcap_dispatch(handle_, -1, count, reinterpret_cast<u_char*>(&count_)) == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    // What the kernel holds still.
    for (int i = 0; i < 20; ++i) {
      pcap_dispatch(handle_, -1, count, reinterpret_cast<u_char*>(&count_));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
}

ParallelCapture::~ParallelCapture() {
  stop();
  if (handle_ != nullptr) pcap_close(handle_);
}

std::uint64_t ParallelCapture::stop() {
  if (!stop_.exchange(true) && thread_.joinable()) {
    thread_.join();
    pcap_stat stats{};
    if (pcap_stats(handle_, &stats) == 0) drops_ = stats.ps_drop;
  }
  return count_;
}

std::int64_t count_packets_in_files(const std::vector<std::filesystem::path>& files) {
  std::int64_t total = 0;
  for (const auto& file : files) {
    INFO(file);
    const std::int64_t packets = count_packets_with_libpcap(file);
    REQUIRE(packets >= 0);
    total += packets;
  }
  return total;
}

std::size_t count_lines_with(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

bool is_connection_from(const std::string& line, std::uint16_t client_port) {
  return line.find(":" + std::to_string(client_port) + "\",\"server\"") != std::string::npos;
}

std::string connection_line(const std::string& jsonl, std::uint16_t client_port) {
  std::string found;
  std::istringstream in(jsonl);
  for (std::string line; std::getline(in, line);) {
    if (is_connection_from(line, client_port)) found = line;
  }
  return found;
}

std::int64_t count_packets_with_libpcap(const std::filesystem::path& file) {
  char error[PCAP_ERRBUF_SIZE] = "";
  pcap_t* handle = pcap_open_offline(file.c_str(), error);
  if (handle == nullptr) return -1;
  std::int64_t packets = 0;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int status = 0;
  while ((status = pcap_next_ex(handle, &header, &data)) == 1) ++packets;
  pcap_close(handle);
  return status == PCAP_ERROR_BREAK ? packets : -1;
}

RingListing list_ring(const std::filesystem::path& output_dir) {
  RingListing listing;
  for (const auto& entry : std::filesystem::directory_iterator(output_dir / "capture")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("tlsring-", 0) != 0) continue;
    if (entry.path().extension() == ".part") {
      listing.parts.push_back(entry.path());
    } else {
      listing.completed.push_back(entry.path());
    }
  }
  std::sort(listing.completed.begin(), listing.completed.end());
  return listing;
}

std::vector<std::filesystem::path> run_directories(const std::filesystem::path& output_dir) {
  std::vector<std::filesystem::path> runs;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(output_dir / "runs", error)) {
    std::error_code kind_error;
    if (entry.is_directory(kind_error)) runs.push_back(entry.path());  // a run is a directory
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

std::filesystem::path only_run_directory(const std::filesystem::path& output_dir) {
  auto runs = run_directories(output_dir);
  return runs.size() == 1 ? runs.front() : std::filesystem::path();
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

DecryptedStreams read_decrypted_streams(const std::vector<std::filesystem::path>& run_dirs) {
  DecryptedStreams streams;
  for (const auto& run : run_dirs) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(run / "connections", error)) {
      // NNNNNN-CLIENTIP_PORT-SERVERIP_PORT.c2s.bin
      const std::string name = entry.path().filename().string();
      const bool c2s = name.size() > 8 && name.compare(name.size() - 8, 8, ".c2s.bin") == 0;
      const bool s2c = name.size() > 8 && name.compare(name.size() - 8, 8, ".s2c.bin") == 0;
      if (!c2s && !s2c) continue;
      const std::size_t first_dash = name.find('-');
      const std::size_t second_dash = name.find('-', first_dash + 1);
      const std::string client = name.substr(first_dash + 1, second_dash - first_dash - 1);
      const auto port = static_cast<std::uint16_t>(std::stoi(client.substr(client.rfind('_') + 1)));
      (c2s ? streams.c2s : streams.s2c)[port] += read_text(entry.path());
    }
  }
  return streams;
}

std::filesystem::path write_service_config(const std::filesystem::path& dir, const ServiceConfigText& text) {
  const std::filesystem::path path = dir / "tlsring.yaml";
  std::ofstream out(path);
  out << "capture:\n  interfaces: [" << text.interface << "]\n  filter: \"tcp port " << text.port << "\"\n"
      << (text.buffer_size.empty() ? "" : "  buffer_size: " + text.buffer_size + "\n") << "rotation:\n  every: " << text.rotation_every << "\n  min_free_space: " << text.min_free_space << "\n"
      << text.extra_rotation << "stop_after: " << text.stop_after << "\n"
      << "output:\n  directory: out\n  format: pcapng\n"
      << "decrypt:\n  workers: 2\n  keys:\n"
      << (text.keys_yaml.empty() ? "    - file: keys/server.key.pem\n" : text.keys_yaml)
      << "  keep_raw: " << (text.keep_raw ? "true" : "false") << "\n" << text.extra_decrypt
      << "logging:\n  level: debug\n  target: console\n";
  return path;
}

ServiceTestDir::ServiceTestDir(const std::string& tag, const ServiceConfigText& text) : dir_(tag) {
  REQUIRE(write_server_credentials(keys()).ok());
  write_config(text);
}

void require_every_message_decrypted(const TrafficResult& traffic, const DecryptedStreams& streams) {
  std::map<std::pair<std::uint16_t, bool>, std::size_t> position;
  std::size_t found = 0;
  for (const SentMessage& m : traffic.messages) {
    const auto& by_port = m.to_server ? streams.c2s : streams.s2c;
    auto it = by_port.find(m.client_port);
    INFO("client port " << m.client_port << (m.to_server ? " c2s: " : " s2c: ") << m.text);
    REQUIRE(it != by_port.end());
    std::size_t& from = position[{m.client_port, m.to_server}];
    const std::size_t at = it->second.find(m.text, from);
    REQUIRE(at != std::string::npos);
    from = at + m.text.size();
    ++found;
  }
  CHECK(found == traffic.messages.size());
}

std::string run_status_page(const std::filesystem::path& config) {
  const std::filesystem::path page = config.parent_path() / "status-page.txt";
  const std::string command = std::string(TLSRING_BINARY) + " status -c " + config.string() + " > " + page.string() +
                              " 2>&1";
  (void)std::system(command.c_str());  // its exit status says whether the service still runs
  return read_text(page);
}

ServedTraffic serve_traffic(const ServiceTestDir& dir, const TrafficOptions& options) {
  ServiceProcess service(dir.config(), dir.path() / "service.log");
  REQUIRE(wait_until_capturing(dir.out(), std::chrono::seconds(5)));
  auto traffic = run_traffic(dir.keys(), options);
  REQUIRE(traffic.ok());
  const auto exit_status = service.wait(std::chrono::seconds(30));
  ServedTraffic served{std::move(traffic.value()), read_text(dir.path() / "service.log")};
  INFO(served.log);
  REQUIRE(exit_status == std::optional<int>(0));
  return served;
}

}  // namespace tlsring::testsvc
