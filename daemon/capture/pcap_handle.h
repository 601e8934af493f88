// RAII owners for libpcap handles: PcapHandle closes a pcap_t, BpfProgram
// frees the instructions pcap_compile allocated. Both are move-only.
#pragma once

#include <pcap/pcap.h>

#include <memory>
#include <utility>

namespace tlsring::daemon {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

// A compiled filter. Empty (no instructions) until pcap_compile fills get().
class BpfProgram {
 public:
  BpfProgram() = default;
  ~BpfProgram() { reset(); }
  BpfProgram(BpfProgram&& other) noexcept : program_(std::exchange(other.program_, bpf_program{})) {}
  BpfProgram& operator=(BpfProgram&& other) noexcept {
    if (this != &other) {
      reset();
      program_ = std::exchange(other.program_, bpf_program{});
    }
    return *this;
  }
  BpfProgram(const BpfProgram&) = delete;
  BpfProgram& operator=(const BpfProgram&) = delete;

  bpf_program* get() { return &program_; }

  void reset() {
    if (program_.bf_insns != nullptr) pcap_freecode(&program_);
    program_ = bpf_program{};
  }

 private:
  bpf_program program_{};
};

}  // namespace tlsring::daemon
