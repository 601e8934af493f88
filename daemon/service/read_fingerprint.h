// ReadFingerprint: a 64-bit FNV-1a hash of the bytes read so far from the
// start of a file that is followed as it grows. At a later look it tells
// whether the file still begins with those bytes (it only grew) or was
// replaced by other content, without keeping the bytes.
//
// Not a defence against someone who writes the file on purpose (whoever can
// write a key log chooses its secrets anyway): it tells an accidental
// replacement from growth.
#pragma once

#include <cstdint>
#include <string_view>

namespace tlsring::daemon {

class ReadFingerprint {
 public:
  // The bytes that follow those added so far.
  void add(std::string_view bytes) {
    for (const char c : bytes) {
      hash_ ^= static_cast<unsigned char>(c);
      hash_ *= kPrime;
    }
  }
  void reset() { hash_ = kOffsetBasis; }
  friend bool operator==(const ReadFingerprint&, const ReadFingerprint&) = default;

 private:
  static constexpr std::uint64_t kOffsetBasis = 14695981039346656037ull;
  static constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t hash_ = kOffsetBasis;
};

}  // namespace tlsring::daemon
