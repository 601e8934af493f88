// ByteReader: a bounds-checked cursor over bytes. Every read either returns the
// value and advances, or returns nullopt and leaves the cursor where it was.
// Never cast a struct onto a buffer; read fields through this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace tlsring {

using Bytes = std::span<const std::uint8_t>;

class ByteReader {
 public:
  explicit ByteReader(Bytes data) : data_(data) {}

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return data_.size() - offset_; }
  bool empty() const { return remaining() == 0; }
  Bytes rest() const { return data_.subspan(offset_); }

  std::optional<std::uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return data_[offset_++];
  }
  std::optional<std::uint16_t> u16be() { return read_be<std::uint16_t>(2); }
  std::optional<std::uint32_t> u24be() { return read_be<std::uint32_t>(3); }
  std::optional<std::uint32_t> u32be() { return read_be<std::uint32_t>(4); }
  std::optional<std::uint64_t> u64be() { return read_be<std::uint64_t>(8); }
  std::optional<std::uint16_t> u16le() { return read_le<std::uint16_t>(2); }
  std::optional<std::uint32_t> u32le() { return read_le<std::uint32_t>(4); }
  std::optional<std::uint64_t> u64le() { return read_le<std::uint64_t>(8); }

  // The next n bytes as a view into the underlying buffer.
  std::optional<Bytes> bytes(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    Bytes out = data_.subspan(offset_, n);
    offset_ += n;
    return out;
  }
  // A vector<8|16|24> as TLS writes it: a big-endian length of `length_size` bytes, then data.
  std::optional<Bytes> length_prefixed(std::size_t length_size) {
    const std::size_t start = offset_;
    auto length = read_be<std::uint32_t>(length_size);
    if (!length) return std::nullopt;
    auto out = bytes(*length);
    if (!out) offset_ = start;
    return out;
  }
  bool skip(std::size_t n) {
    if (remaining() < n) return false;
    offset_ += n;
    return true;
  }

 private:
  template <class T>
  std::optional<T> read_be(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    T value = 0;
    for (std::size_t i = 0; i < n; ++i) value = static_cast<T>((value << 8) | data_[offset_ + i]);
    offset_ += n;
    return value;
  }
  template <class T>
  std::optional<T> read_le(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    T value = 0;
    for (std::size_t i = n; i-- > 0;) value = static_cast<T>((value << 8) | data_[offset_ + i]);
    offset_ += n;
    return value;
  }

  Bytes data_;
  std::size_t offset_ = 0;
};

}  // namespace tlsring
