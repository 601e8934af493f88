// WriteGate: a caller's say over whether DirectoryOutput writes a block of
// results now. The output's writing thread asks it before each block of a
// connection's transcript and decrypted bytes; the gate may hold that thread
// (decryption then stops at the write queue's bound until the gate lets the
// block through) or refuse the block (it is left unwritten: the gate keeps
// count and says so, it is no write error of the output's). Mechanism only:
// the policy (the service: min_free_space on the results' disk) is the
// gate's. sessions.jsonl and keys.log are not gated: a line each, and what
// tells what was decrypted.
#pragma once

#include <cstdint>

namespace tlsring::output {

class WriteGate {
 public:
  virtual ~WriteGate() = default;
  // On the writing thread, before `bytes` of results are written: true to
  // write them, false to leave them unwritten.
  virtual bool before_write(std::uint64_t bytes) = 0;
};

}  // namespace tlsring::output
