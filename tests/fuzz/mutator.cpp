#include "tests/fuzz/mutator.h"

#include <algorithm>
#include <array>

namespace tlsring::fuzz {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Values at the edges of length and type fields.
constexpr std::array<std::uint32_t, 12> kInteresting = {0,    1,      0x7f,   0x80,       0xff,       0x100,
                                                        0x3fff, 0x4000, 0x7fff, 0xffff, 0x7fffffff, 0xffffffff};

void set_int(Bytes& b, Rng& rng, std::size_t width) {
  if (b.size() < width) return;
  const std::size_t at = rng.below(b.size() - width + 1);
  std::uint32_t value = kInteresting[rng.below(kInteresting.size())];
  if (rng.one_in(3)) value += static_cast<std::uint32_t>(rng.below(5)) - 2;  // off by one or two
  const bool big_endian = !rng.one_in(4);  // network order is the common case
  for (std::size_t i = 0; i < width; ++i) {
    const std::size_t shift = 8 * (big_endian ? width - 1 - i : i);
    b[at + i] = static_cast<std::uint8_t>(value >> shift);
  }
}

// A range [first, first + length) of `size` bytes, length up to `max_length`.
std::pair<std::size_t, std::size_t> pick_range(Rng& rng, std::size_t size, std::size_t max_length) {
  const std::size_t first = rng.below(size);
  const std::size_t length = 1 + rng.below(std::min(size - first, max_length));
  return {first, length};
}

void mutate_once(Bytes& b, std::span<const std::uint8_t> other, Rng& rng) {
  switch (rng.below(11)) {
    case 0:  // flip one bit
      if (!b.empty()) b[rng.below(b.size())] ^= static_cast<std::uint8_t>(1u << rng.below(8));
      break;
    case 1:  // set one byte to anything
      if (!b.empty()) b[rng.below(b.size())] = static_cast<std::uint8_t>(rng.next());
      break;
    case 2:  // set one byte to a boundary value
      if (!b.empty()) b[rng.below(b.size())] = static_cast<std::uint8_t>(kInteresting[rng.below(5)]);
      break;
    case 3: set_int(b, rng, 2); break;
    case 4: set_int(b, rng, 4); break;
    case 5:  // truncate
      b.resize(rng.below(b.size() + 1));
      break;
    case 6:  // duplicate a range in place (a retransmission, a repeated record)
      if (!b.empty()) {
        const auto [first, length] = pick_range(rng, b.size(), 4096);
        const Bytes copy(b.begin() + first, b.begin() + first + length);
        b.insert(b.begin() + rng.below(b.size() + 1), copy.begin(), copy.end());
      }
      break;
    case 7:  // erase a range
      if (!b.empty()) {
        const auto [first, length] = pick_range(rng, b.size(), 4096);
        b.erase(b.begin() + first, b.begin() + first + length);
      }
      break;
    case 8:  // insert random bytes
    {
      const std::size_t at = rng.below(b.size() + 1);
      Bytes noise(1 + rng.below(64));
      for (auto& byte : noise) byte = static_cast<std::uint8_t>(rng.next());
      b.insert(b.begin() + at, noise.begin(), noise.end());
      break;
    }
    case 9:  // overwrite one range with another of the same input
      if (b.size() >= 2) {
        const auto [from, length] = pick_range(rng, b.size(), 1024);
        const std::size_t to = rng.below(b.size() - length + 1);
        std::copy_n(Bytes(b.begin() + from, b.begin() + from + length).begin(), length, b.begin() + to);
      }
      break;
    default:  // splice: a prefix of this input and a suffix of another
      if (!other.empty()) {
        b.resize(rng.below(b.size() + 1));
        const std::size_t from = rng.below(other.size());
        b.insert(b.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
      }
      break;
  }
}

}  // namespace

std::vector<std::uint8_t> mutate(std::span<const std::uint8_t> input, std::span<const std::uint8_t> other,
                                 Rng& rng, std::size_t max_size) {
  Bytes b(input.begin(), input.end());
  const std::size_t rounds = 1 + rng.below(4);
  for (std::size_t i = 0; i < rounds; ++i) {
    mutate_once(b, other, rng);
    if (b.size() > max_size) b.resize(max_size);
  }
  return b;
}

}  // namespace tlsring::fuzz
