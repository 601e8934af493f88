// fuzz_capture: the input is a capture file, decrypted as `tlsring decrypt`
// does it: capture reader, link/IP/TCP decoder, TCP reassembly, TLS parsing,
// key recovery (fuzz_keys.h), record decryption, verdicts. The sink checks
// every report (checking_sink.h). TLSRING_FUZZ_WORKERS=N runs N workers.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/decrypt/decrypt_engine.h"
#include "tests/fuzz/checking_sink.h"
#include "tests/fuzz/fuzz_keys.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

// An in-memory file with a path, so the engine reads the bytes through its real file reader.
class MemoryFile {
 public:
  MemoryFile(const std::uint8_t* data, std::size_t size) : fd_(::memfd_create("fuzz_capture", MFD_CLOEXEC)) {
    tlsring::fuzz::fuzz_check(fd_ >= 0, "memfd_create failed");
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::write(fd_, data + done, size - done);
      tlsring::fuzz::fuzz_check(n > 0, "writing the memfd failed");
      done += static_cast<std::size_t>(n);
    }
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

unsigned workers() {
  const char* text = std::getenv("TLSRING_FUZZ_WORKERS");
  const int n = text == nullptr ? 1 : std::atoi(text);
  return n < 1 ? 1u : static_cast<unsigned>(n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const unsigned worker_count = workers();
  const MemoryFile file(data, size);

  tlsring::decrypt::KeyStore store;
  tlsring::fuzz::fill_key_store(store);
  tlsring::fuzz::CheckingSink sink;
  tlsring::decrypt::EngineOptions options;
  options.workers = worker_count;
  {
    tlsring::decrypt::DecryptEngine engine(store, sink, options);
    auto summary = engine.add_file(file.path());
    if (summary.ok()) {
      tlsring::fuzz::fuzz_check(summary->packets == engine.packets_read(), "FileSummary::packets != packets_read()");
    } else {
      tlsring::fuzz::fuzz_check(!summary.error().message.empty(), "add_file failed without a message");
    }
    engine.finish();
  }
  sink.verify_all_ended();
  return 0;
}
