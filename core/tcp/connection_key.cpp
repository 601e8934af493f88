#include "core/tcp/connection_key.h"

#include <cstdint>
#include <cstring>

namespace tlsring::tcp {
namespace {

// Word-at-a-time multiply-xorshift mixing: a few multiplies per key instead of
// one per byte (this runs for every packet). The table is not exposed to
// adversarial keys beyond what a capture holds.
constexpr std::uint64_t kMultiplier = 0x9e3779b97f4a7c15ULL;

std::uint64_t mix(std::uint64_t hash, std::uint64_t word) {
  hash ^= word;
  hash *= kMultiplier;
  return hash ^ (hash >> 29);
}

std::uint64_t mix_endpoint(std::uint64_t hash, const net::Endpoint& endpoint) {
  // All 16 address bytes (zero past an IPv4 address), consistent with operator==.
  std::uint64_t words[2];
  std::memcpy(words, endpoint.ip.bytes.data(), sizeof words);
  hash = mix(hash, words[0]);
  hash = mix(hash, words[1]);
  return mix(hash, (std::uint64_t{endpoint.ip.version} << 16) | endpoint.port);
}

}  // namespace

ConnectionKey make_connection_key(const net::Endpoint& a, const net::Endpoint& b) {
  if (b < a) return ConnectionKey{b, a};
  return ConnectionKey{a, b};
}

std::size_t ConnectionKeyHash::operator()(const ConnectionKey& key) const {
  return static_cast<std::size_t>(mix_endpoint(mix_endpoint(0, key.low), key.high));
}

}  // namespace tlsring::tcp
