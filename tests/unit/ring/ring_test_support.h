// Helpers shared by the ring tests: a temporary directory, whole-file reads,
// reading a capture back with the core reader, and a deterministic packet
// generator.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/capture/capture_reader.h"

namespace tlsring::ring_test {

namespace fs = std::filesystem;

// A fresh directory per test, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tlsring-ring-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

inline std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes, std::size_t count) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(count));
  REQUIRE(out.good());
}

struct ReadBack {
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<std::int64_t> timestamps;
  std::vector<std::uint32_t> interfaces;
  std::uint64_t data_bytes = 0;
  bool clean_end = false;
  std::string warning;
};

inline ReadBack read_back(const fs::path& path) {
  auto reader = capture::CaptureReader::open(path);
  INFO(path.string());
  REQUIRE(reader.ok());
  ReadBack out;
  for (;;) {
    capture::CaptureEvent event = (*reader)->next();
    if (event.kind == capture::CaptureEvent::Kind::packet) {
      out.packets.emplace_back(event.packet.data.begin(), event.packet.data.end());
      out.timestamps.push_back(event.packet.timestamp_ns);
      out.interfaces.push_back(event.packet.interface_id);
      out.data_bytes += event.packet.data.size();
      continue;
    }
    if (event.kind == capture::CaptureEvent::Kind::secrets) continue;
    out.clean_end = event.kind == capture::CaptureEvent::Kind::end;
    out.warning = event.warning;
    return out;
  }
}

// Packet bytes that depend on the packet's number only, of a varying size.
inline std::vector<std::uint8_t> packet_bytes(std::uint32_t number, std::size_t size) {
  std::vector<std::uint8_t> data(size);
  std::uint32_t x = number * 2654435761u + 1;
  for (auto& b : data) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<std::uint8_t>(x);
  }
  return data;
}

}  // namespace tlsring::ring_test
