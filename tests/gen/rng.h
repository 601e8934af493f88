// Rng: a small deterministic generator (SplitMix64) for the traffic generator.
// The same seed gives the same sequence on every platform and standard library,
// which std::uniform_*_distribution does not promise.
#pragma once

#include <cstdint>

namespace tlsring::testgen {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  // An independent stream for item `stream` (e.g. a connection index) of `seed`.
  static Rng derive(std::uint64_t seed, std::uint64_t stream) {
    Rng mix(seed ^ (0x9e3779b97f4a7c15ULL * (stream + 1)));
    return Rng(mix.next());
  }

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // True with probability p (never for p <= 0).
  bool chance(double p) { return p > 0 && unit() < p; }
  // Uniform in [lo, hi] (lo when hi < lo).
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) {
    if (hi <= lo) return lo;
    return lo + next() % (hi - lo + 1);
  }

 private:
  std::uint64_t state_;
};

}  // namespace tlsring::testgen
