#include "tests/fuzz/checking_sink.h"

#include <cstdio>
#include <cstdlib>

#include "core/decrypt/verdict.h"
#include "tests/fuzz/fuzz_target.h"

namespace tlsring::fuzz {

using decrypt::Verdict;

void CheckingSink::on_application_data(const decrypt::SessionReport& session, decrypt::Direction direction,
                                       std::int64_t, std::span<const std::uint8_t> plaintext) {
  std::lock_guard lock(mutex_);
  fuzz_check(!plaintext.empty(), "on_application_data with an empty record");
  Seen& seen = connections_[session.connection_id];
  fuzz_check(!seen.ended, "on_application_data after on_session_end");
  seen.bytes[static_cast<int>(direction)] += plaintext.size();
  ++seen.records;
}

void CheckingSink::on_master_secret(std::span<const std::uint8_t> client_random,
                                    std::span<const std::uint8_t> master_secret) {
  fuzz_check(client_random.size() == 32, "on_master_secret: a client random that is not 32 bytes");
  fuzz_check(master_secret.size() == 48, "on_master_secret: a master secret that is not 48 bytes");
}

void CheckingSink::on_session_end(const decrypt::SessionReport& session) {
  std::lock_guard lock(mutex_);
  Seen& seen = connections_[session.connection_id];
  fuzz_check(!seen.ended, "on_session_end twice for one connection");
  seen.ended = true;
  ++ended_;
  // TLSRING_FUZZ_VERBOSE=1: what each seed reaches (is it decrypted, or stopped early?).
  static const bool verbose = std::getenv("TLSRING_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "  connection %llu: %s, %llu record(s) decrypted: %s\n",
                 static_cast<unsigned long long>(session.connection_id),
                 std::string(decrypt::to_string(session.verdict)).c_str(),
                 static_cast<unsigned long long>(session.records), session.reason.c_str());
  }
  fuzz_check(session.verdict == Verdict::decrypted || !session.reason.empty(),
             "a verdict other than decrypted without a reason");
  if (session.verdict == Verdict::decrypted) {
    fuzz_check(session.undecrypted_records == 0 && session.gaps == 0,
               "verdict decrypted with undecrypted records or gaps");
  }
  fuzz_check(session.c2s_bytes == seen.bytes[0] && session.s2c_bytes == seen.bytes[1],
             "the report's c2s_bytes/s2c_bytes differ from the bytes given to the sink");
  fuzz_check(session.records == seen.records, "the report's records differ from the records given to the sink");
}

void CheckingSink::verify_all_ended() const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, seen] : connections_) {
    fuzz_check(seen.ended, "a connection that produced application data was never reported");
  }
}

}  // namespace tlsring::fuzz
