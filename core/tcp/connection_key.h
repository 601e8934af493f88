// The canonical 4-tuple of a TCP connection: the same key for both directions
// (the smaller endpoint first), hashed over the address bytes and ports.
#pragma once

#include <cstddef>

#include "core/net/packet_decoder.h"

namespace tlsring::tcp {

struct ConnectionKey {
  net::Endpoint low;
  net::Endpoint high;
  bool operator==(const ConnectionKey&) const = default;
};

ConnectionKey make_connection_key(const net::Endpoint& a, const net::Endpoint& b);

struct ConnectionKeyHash {
  std::size_t operator()(const ConnectionKey& key) const;
};

}  // namespace tlsring::tcp
