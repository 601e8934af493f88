#include "core/tcp/connection_key.h"

#include <cstdint>

namespace tlsring::tcp {
namespace {

// FNV-1a, 64 bit: cheap, no allocation, and good enough spread for addresses
// and ports (the table is not exposed to adversarial keys beyond what a
// capture holds, and std::unordered_map tolerates a poor bucket now and then).
constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

std::uint64_t mix(std::uint64_t hash, std::uint8_t byte) { return (hash ^ byte) * kFnvPrime; }

std::uint64_t mix_endpoint(std::uint64_t hash, const net::Endpoint& endpoint) {
  hash = mix(hash, endpoint.ip.version);
  // IPv4 fills only the first 4 bytes; the rest are zero and hashing them
  // keeps the hash consistent with operator== (which compares all 16).
  for (std::uint8_t byte : endpoint.ip.bytes) hash = mix(hash, byte);
  hash = mix(hash, static_cast<std::uint8_t>(endpoint.port >> 8));
  return mix(hash, static_cast<std::uint8_t>(endpoint.port & 0xff));
}

}  // namespace

ConnectionKey make_connection_key(const net::Endpoint& a, const net::Endpoint& b) {
  if (b < a) return ConnectionKey{b, a};
  return ConnectionKey{a, b};
}

std::size_t ConnectionKeyHash::operator()(const ConnectionKey& key) const {
  return static_cast<std::size_t>(mix_endpoint(mix_endpoint(kFnvOffset, key.low), key.high));
}

}  // namespace tlsring::tcp
