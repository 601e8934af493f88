// EndianReader: a ByteReader whose 16/32/64-bit reads follow a byte order
// chosen at run time, as pcap and pcapng files are written in the writer's
// host order and say which in their header.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bytes/byte_reader.h"

namespace tlsring::capture {

class EndianReader {
 public:
  EndianReader(Bytes data, bool big_endian) : reader_(data), big_endian_(big_endian) {}

  std::optional<std::uint8_t> u8() { return reader_.u8(); }
  std::optional<std::uint16_t> u16() { return big_endian_ ? reader_.u16be() : reader_.u16le(); }
  std::optional<std::uint32_t> u32() { return big_endian_ ? reader_.u32be() : reader_.u32le(); }
  std::optional<std::uint64_t> u64() { return big_endian_ ? reader_.u64be() : reader_.u64le(); }
  std::optional<Bytes> bytes(std::size_t n) { return reader_.bytes(n); }
  bool skip(std::size_t n) { return reader_.skip(n); }
  std::size_t remaining() const { return reader_.remaining(); }
  std::size_t offset() const { return reader_.offset(); }
  Bytes rest() const { return reader_.rest(); }

 private:
  ByteReader reader_;
  bool big_endian_;
};

}  // namespace tlsring::capture
