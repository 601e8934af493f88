// The standalone driver of the fuzz targets (Zeek's src/fuzzers style): the
// same LLVMFuzzerTestOneInput that libFuzzer drives, run here over the files
// given on the command line and, with --mutate N, over N deterministic
// mutations of each. It is what the ctests run, with any compiler.
//
//   fuzz_X [options] FILE|DIR...     a DIR stands for the regular files in it
//     --mutate N        N mutations of each input (default 0: the inputs only)
//     --seed S          mutation seed (default 1); --only-mutation K replays one
//                       (given the same inputs: splices take bytes from them)
//     --timeout SEC     one run may take this long (default 20), else: hang
//     --malloc-limit-mb M   one run may hold this much C++ heap (default 512)
//     --rss-limit-mb M      the process may peak at this RSS (default 2048)
//     --max-len BYTES   mutations are cut to this size (default 1 MiB)
//     --budget SEC      stop starting mutations after SEC seconds (default: none)
//     --artifact-dir D  where a failing input is written (default: .)
//     --skip-missing NAME   an input path that does not exist skips the test
//                           loudly (exit 4) instead of failing it
//
// A failure (crash, sanitizer report, broken fuzz_check, hang, memory over a
// limit) writes the failing bytes to D/crash-<input>-<mutation> and exits
// non-zero; rerun the driver on that file to reproduce it.
#include <signal.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <unistd.h>
#include <execinfo.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/alloc_accounting.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/mutator.h"

// Sanitizer hooks: defined by the runtimes when a sanitizer is linked in.
extern "C" {
__attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)(void));
__attribute__((weak)) void __sanitizer_print_stack_trace(void);
}

#if defined(__SANITIZE_ADDRESS__)
#define TLSRING_FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TLSRING_FUZZ_ASAN 1
#endif
#endif

namespace fs = std::filesystem;

namespace {

struct Options {
  std::vector<std::string> inputs;
  std::uint64_t mutations = 0;
  std::uint64_t seed = 1;
  long long only_mutation = -1;
  unsigned timeout_s = 20;
  std::size_t malloc_limit_mb = 512;
  long rss_limit_mb = 2048;
  std::size_t max_len = 1 << 20;
  double budget_s = 0;
  std::string artifact_dir = ".";
  std::string skip_name;
};

// What is running now, for the failure handlers (which may run in a signal
// handler: only a preformatted path and raw bytes are used there).
struct Current {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  char description[512] = "";
  char artifact[1024] = "";
};
Current current;
std::size_t malloc_limit_bytes = 0;

void write_raw(int fd, const char* text) {
  const std::size_t n = std::strlen(text);
  if (::write(fd, text, n) < 0) return;
}

void print_stack() {
  if (__sanitizer_print_stack_trace != nullptr) {
    __sanitizer_print_stack_trace();
    return;
  }
  void* frames[64];
  const int n = backtrace(frames, 64);
  backtrace_symbols_fd(frames, n, 2);
}

// Writes the input that is running to its artifact path (async-signal-safe).
void save_artifact() {
  if (current.data == nullptr || current.artifact[0] == '\0') return;
  const int fd = ::open(current.artifact, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  std::size_t done = 0;
  while (done < current.size) {
    const ssize_t n = ::write(fd, current.data + done, current.size - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  write_raw(2, "\n*** fuzz driver: failing input: ");
  write_raw(2, current.description);
  write_raw(2, "\n*** fuzz driver: saved to ");
  write_raw(2, current.artifact);
  write_raw(2, " (rerun the driver on it to reproduce)\n");
}

void on_sanitizer_death() { save_artifact(); }

void on_fatal_signal(int signal_number) {
  save_artifact();
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

void on_timeout(int) {
  write_raw(2, "\n*** fuzz driver: TIMEOUT: one run took longer than --timeout (a hang?) ***\n");
  print_stack();
  save_artifact();
  ::_exit(70);
}

void on_malloc_limit(std::size_t run_bytes, std::size_t request) {
  char text[256];
  std::snprintf(text, sizeof text,
                "\n*** fuzz driver: MALLOC LIMIT: a run holding %zu bytes asked for %zu more (limit %zu) ***\n",
                run_bytes, request, malloc_limit_bytes);
  write_raw(2, text);
  print_stack();
  save_artifact();
  ::_exit(71);
}

void install_handlers() {
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(on_sanitizer_death);
  std::vector<int> signals = {SIGABRT};
#ifndef TLSRING_FUZZ_ASAN
  // Under ASan its own handlers report these, then call on_sanitizer_death.
  signals.insert(signals.end(), {SIGSEGV, SIGBUS, SIGFPE, SIGILL});
#endif
  for (int s : signals) ::signal(s, on_fatal_signal);
  ::signal(SIGALRM, on_timeout);
}

long max_rss_mb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::uint64_t hash_name(const std::string& name, std::uint64_t seed) {
  std::uint64_t h = 0xcbf29ce484222325ull ^ seed;  // FNV-1a
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// The protocol of tests/support/skip.h (exit 4, registered as SKIP_RETURN_CODE),
// without its Catch2 dependency: this driver is no Catch2 program.
[[noreturn]] void skip_test(const std::string& test_name, const std::string& reason) {
  std::fprintf(stderr, "\n*** SKIPPED: %s: %s ***\n", test_name.c_str(), reason.c_str());
  std::fflush(stderr);
  std::_Exit(4);
}

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr, "fuzz driver: %s\nusage: see the comment at the top of tests/fuzz/standalone_driver.cpp\n",
               message);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--mutate") o.mutations = std::stoull(value());
    else if (a == "--seed") o.seed = std::stoull(value());
    else if (a == "--only-mutation") o.only_mutation = std::stoll(value());
    else if (a == "--timeout") o.timeout_s = static_cast<unsigned>(std::stoul(value()));
    else if (a == "--malloc-limit-mb") o.malloc_limit_mb = std::stoull(value());
    else if (a == "--rss-limit-mb") o.rss_limit_mb = std::stol(value());
    else if (a == "--max-len") o.max_len = std::stoull(value());
    else if (a == "--budget") o.budget_s = std::stod(value());
    else if (a == "--artifact-dir") o.artifact_dir = value();
    else if (a == "--skip-missing") o.skip_name = value();
    else if (a.rfind("--", 0) == 0) usage(("unknown option " + a).c_str());
    else o.inputs.push_back(a);
  }
  if (o.inputs.empty()) usage("no input files or directories");
  return o;
}

struct Input {
  fs::path path;
  std::vector<std::uint8_t> bytes;
};

std::vector<Input> collect(const Options& o) {
  std::vector<Input> inputs;
  for (const std::string& name : o.inputs) {
    const fs::path path(name);
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      if (!o.skip_name.empty()) skip_test(o.skip_name, "input " + name + " does not exist");
      usage(("input " + name + " does not exist").c_str());
    }
    std::vector<fs::path> files;
    if (fs::is_directory(path)) {
      for (const auto& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    for (const fs::path& f : files) inputs.push_back({f, read_bytes(f)});
  }
  return inputs;
}

struct Stats {
  std::uint64_t runs = 0;
  std::size_t peak_run_heap = 0;
  std::string peak_run;
};

void run_one(const Options& o, const std::vector<std::uint8_t>& bytes, const std::string& description,
             const std::string& artifact_name, Stats& stats) {
  current.data = bytes.data();
  current.size = bytes.size();
  std::snprintf(current.description, sizeof current.description, "%s (%zu bytes)", description.c_str(),
                bytes.size());
  std::snprintf(current.artifact, sizeof current.artifact, "%s/crash-%s", o.artifact_dir.c_str(),
                artifact_name.c_str());

  tlsring::fuzz::alloc::begin_run(malloc_limit_bytes, on_malloc_limit);
  ::alarm(o.timeout_s);
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  ::alarm(0);
  const std::size_t heap = tlsring::fuzz::alloc::end_run();
  ++stats.runs;
  if (heap > stats.peak_run_heap) {
    stats.peak_run_heap = heap;
    stats.peak_run = description;
  }
  if (o.rss_limit_mb > 0 && max_rss_mb() > o.rss_limit_mb) {
    std::fprintf(stderr, "\n*** fuzz driver: RSS LIMIT: the process reached %ld MiB (limit %ld) ***\n",
                 max_rss_mb(), o.rss_limit_mb);
    save_artifact();
    std::_Exit(72);
  }
  current.data = nullptr;
}

std::string artifact_stem(const fs::path& path) {
  std::string s = path.filename().string();
  for (char& c : s) {
    if (c == '/' || c == ' ') c = '_';
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  malloc_limit_bytes = o.malloc_limit_mb << 20;
  install_handlers();
  const std::vector<Input> inputs = collect(o);
  if (inputs.empty()) usage("the inputs hold no files");
  const std::string program = fs::path(argv[0]).filename().string();

  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };

  Stats stats;
  bool budget_hit = false;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Input& in = inputs[i];
    const std::uint64_t runs_before = stats.runs;
    const double started_input = elapsed();
    const std::string stem = artifact_stem(in.path);
    if (o.only_mutation < 0) run_one(o, in.bytes, in.path.string(), stem, stats);
    for (std::uint64_t k = 0; k < o.mutations; ++k) {
      if (o.only_mutation >= 0 && k != static_cast<std::uint64_t>(o.only_mutation)) continue;
      if (o.budget_s > 0 && elapsed() > o.budget_s) {
        budget_hit = true;
        break;
      }
      // Each mutation has its own generator: --only-mutation K replays it alone.
      tlsring::fuzz::Rng rng(hash_name(in.path.filename().string(), o.seed) ^ (k * 0x9e3779b97f4a7c15ull));
      const Input& other = inputs[rng.below(inputs.size())];
      const std::vector<std::uint8_t> mutated = tlsring::fuzz::mutate(in.bytes, other.bytes, rng, o.max_len);
      run_one(o, mutated,
              in.path.string() + " mutation " + std::to_string(k) + " (--seed " + std::to_string(o.seed) +
                  " --only-mutation " + std::to_string(k) + ")",
              stem + "-seed" + std::to_string(o.seed) + "-m" + std::to_string(k), stats);
    }
    std::fprintf(stderr, "  %s: %llu run(s) in %.1f s\n", in.path.string().c_str(),
                 static_cast<unsigned long long>(stats.runs - runs_before), elapsed() - started_input);
  }
  std::printf("%s: %zu input(s), %llu run(s)%s in %.1f s; no crash, no hang, no memory limit hit; "
              "largest C++ heap held by one run: %.1f MiB (%s); max RSS %ld MiB\n",
              program.c_str(), inputs.size(), static_cast<unsigned long long>(stats.runs),
              budget_hit ? " (stopped at the --budget: not every mutation ran)" : "", elapsed(),
              static_cast<double>(stats.peak_run_heap) / (1 << 20), stats.peak_run.c_str(), max_rss_mb());
  return 0;
}
