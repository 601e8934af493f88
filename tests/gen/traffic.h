// The application data of a connection: CTI-like text requests and events of
// chosen sizes (request/response exchanges), bulk transfers, or a fixed script.
// Content is a function of the Rng only, so a seed reproduces it.
#pragma once

#include <cstdint>
#include <vector>

#include "tests/gen/rng.h"
#include "tests/gen/tls_connection.h"

namespace tlsring::testgen {

struct TrafficPlan {
  std::size_t exchanges = 5;          // client request, then `responses` server messages
  std::size_t responses = 1;
  std::size_t min_size = 100;         // message sizes, uniform in [min_size, max_size]
  std::size_t max_size = 600;
  std::uint64_t bulk_server_to_client = 0;  // after the exchanges, in writes of bulk_write bytes
  std::uint64_t bulk_client_to_server = 0;
  std::size_t bulk_write = 16384;     // one TLS record each (16384 = the record maximum)
  std::vector<Message> script;        // when not empty: exactly these, instead of the above
};

std::vector<Message> make_messages(const TrafficPlan& plan, Rng& rng);

// A CTI-like text message ("RequestMakeCall"/"EventRinging" with attributes) of
// exactly `size` bytes.
std::vector<std::uint8_t> cti_message(Rng& rng, std::size_t size, Direction direction,
                                      std::uint64_t reference_id);
// `size` bytes of printable text.
std::vector<std::uint8_t> bulk_text(Rng& rng, std::size_t size);

}  // namespace tlsring::testgen
