// Deterministic input mutations for the standalone fuzz driver: the same
// (seed, input, index) gives the same bytes on every machine, so a failure a
// ctest finds is replayed exactly with the same arguments.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tlsring::fuzz {

// splitmix64: small, fast, and the same everywhere (std:: distributions are not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound); 0 when bound is 0.
  std::size_t below(std::size_t bound) { return bound == 0 ? 0 : static_cast<std::size_t>(next() % bound); }
  bool one_in(std::size_t n) { return below(n) == 0; }

 private:
  std::uint64_t state_;
};

// Applies 1 to 4 stacked mutations to `input`: bit flips, byte and 16/32-bit
// sets (boundary values, which is what length fields trip on), truncation,
// duplication, erasure and insertion of ranges, overwriting one range with
// another, and splices with `other` (another seed). The result never exceeds
// `max_size` bytes.
std::vector<std::uint8_t> mutate(std::span<const std::uint8_t> input, std::span<const std::uint8_t> other,
                                 Rng& rng, std::size_t max_size);

}  // namespace tlsring::fuzz
