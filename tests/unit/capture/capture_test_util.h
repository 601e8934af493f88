// Helpers for the capture tests: a byte builder for hand-made pcap/pcapng
// files, a temporary file that removes itself, and a reader loop that copies
// everything a CaptureReader yields.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/capture/capture_reader.h"

namespace tlsring::test {

class ByteBuilder {
 public:
  explicit ByteBuilder(bool big_endian = false) : big_endian_(big_endian) {}
  ByteBuilder& u8(std::uint8_t v) { bytes_.push_back(v); return *this; }
  ByteBuilder& u16(std::uint16_t v) { return put(v, 2); }
  ByteBuilder& u32(std::uint32_t v) { return put(v, 4); }
  ByteBuilder& u64(std::uint64_t v) { return put(v, 8); }
  ByteBuilder& raw(const std::vector<std::uint8_t>& v) {
    bytes_.insert(bytes_.end(), v.begin(), v.end());
    return *this;
  }
  ByteBuilder& pad4() { while (bytes_.size() % 4 != 0) bytes_.push_back(0); return *this; }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }
  bool big_endian() const { return big_endian_; }

 private:
  ByteBuilder& put(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      const int shift = big_endian_ ? (n - 1 - i) * 8 : i * 8;
      bytes_.push_back(static_cast<std::uint8_t>(v >> shift));
    }
    return *this;
  }
  bool big_endian_;
  std::vector<std::uint8_t> bytes_;
};

// pcapng block: type, total length, body padded to 4, total length.
inline std::vector<std::uint8_t> pcapng_block(bool big_endian, std::uint32_t type, std::vector<std::uint8_t> body) {
  while (body.size() % 4 != 0) body.push_back(0);
  const auto total = static_cast<std::uint32_t>(body.size() + 12);
  ByteBuilder b(big_endian);
  b.u32(type).u32(total).raw(body).u32(total);
  return b.bytes();
}

inline std::vector<std::uint8_t> pcapng_shb(bool big_endian) {
  ByteBuilder body(big_endian);
  body.u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffULL);
  return pcapng_block(big_endian, 0x0a0d0d0a, body.bytes());
}

// An IDB with optional if_tsresol and if_tsoffset options.
inline std::vector<std::uint8_t> pcapng_idb(bool big_endian, std::uint16_t link_type, std::uint32_t snaplen,
                                           int tsresol = -1, bool has_offset = false, std::int64_t offset = 0) {
  ByteBuilder body(big_endian);
  body.u16(link_type).u16(0).u32(snaplen);
  if (tsresol >= 0) body.u16(9).u16(1).u8(static_cast<std::uint8_t>(tsresol)).pad4();
  if (has_offset) body.u16(14).u16(8).u64(static_cast<std::uint64_t>(offset));
  if (tsresol >= 0 || has_offset) body.u16(0).u16(0);
  return pcapng_block(big_endian, 1, body.bytes());
}

inline std::vector<std::uint8_t> pcapng_epb(bool big_endian, std::uint32_t interface_id, std::uint64_t ticks,
                                           const std::vector<std::uint8_t>& data, std::uint32_t original = 0) {
  ByteBuilder body(big_endian);
  body.u32(interface_id).u32(static_cast<std::uint32_t>(ticks >> 32)).u32(static_cast<std::uint32_t>(ticks));
  body.u32(static_cast<std::uint32_t>(data.size()))
      .u32(original != 0 ? original : static_cast<std::uint32_t>(data.size()));
  body.raw(data);
  return pcapng_block(big_endian, 6, body.bytes());
}

inline std::vector<std::uint8_t> concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// Both ways a capture file can be read, for tests that must hold for each.
inline constexpr capture::ReadMethod kReadMethods[] = {capture::ReadMethod::copy, capture::ReadMethod::map};
inline const char* describe(capture::ReadMethod method) {
  return method == capture::ReadMethod::map ? "read through a mapping" : "read by copying";
}

class TempFile {
 public:
  explicit TempFile(const std::vector<std::uint8_t>& bytes, const std::string& suffix = ".pcap") {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("tlsring-capture-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + suffix);
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct ReadPacket {
  std::int64_t timestamp_ns = 0;
  std::uint32_t link_type = 0;
  std::uint32_t interface_id = 0;
  std::uint32_t original_length = 0;
  std::vector<std::uint8_t> data;
  std::uint64_t dropped_before = 0;
};

struct ReadSecrets {
  std::uint32_t type = 0;
  std::vector<std::uint8_t> data;
  std::uint64_t after_packets = 0;  // packets_read() when it came
};

struct ReadAll {
  std::vector<ReadPacket> packets;
  std::vector<ReadSecrets> secrets;
  capture::CaptureEvent::Kind final_kind = capture::CaptureEvent::Kind::end;
  std::string warning;
  std::uint64_t packets_read = 0;
};

// Reads to the end (at most `limit` events, so a looping reader fails the test
// instead of hanging it) and copies every view before the next call.
inline ReadAll read_all(capture::CaptureReader& reader, std::size_t limit = 10'000'000) {
  ReadAll all;
  for (std::size_t i = 0; i < limit; ++i) {
    capture::CaptureEvent event = reader.next();
    if (event.kind == capture::CaptureEvent::Kind::packet) {
      const auto& p = event.packet;
      all.packets.push_back({p.timestamp_ns, p.link_type, p.interface_id, p.original_length,
                             std::vector<std::uint8_t>(p.data.begin(), p.data.end()), p.dropped_before});
    } else if (event.kind == capture::CaptureEvent::Kind::secrets) {
      all.secrets.push_back({event.secrets_type, std::vector<std::uint8_t>(event.secrets.begin(), event.secrets.end()),
                             reader.packets_read()});
    } else {
      all.final_kind = event.kind;
      all.warning = event.warning;
      all.packets_read = reader.packets_read();
      return all;
    }
  }
  FAIL("reader did not finish within " << limit << " events");
  return all;
}

}  // namespace tlsring::test
