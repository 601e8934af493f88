// Why a session that only a key log can decrypt ((EC)DHE, TLS 1.3) was not,
// and what to do. Two users meet it for different reasons: one gave no key
// log at all, the other gave one that holds other sessions' secrets (written
// at another time, or by another program than this connection's). Telling
// the second "capture a key log" sends them round in circles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/decrypt/key_store.h"

namespace tlsring::decrypt {

struct KeyLogMiss {
  std::string why;  // ends a reason: "and no key log was given" / "and the key log(s) given hold ..."
  std::string fix;
};

// `key_log`: what the key log holds; `client_random`: the session's, which
// key-log lines are indexed by; `other_way`: the fix that needs no key log
// ("configure the server to ...").
KeyLogMiss key_log_miss(const KeyStore::KeyLogContents& key_log, std::span<const std::uint8_t> client_random,
                        std::string_view other_way);

}  // namespace tlsring::decrypt
