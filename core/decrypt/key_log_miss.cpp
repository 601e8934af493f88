#include "core/decrypt/key_log_miss.h"

#include "core/keys/hex.h"

namespace tlsring::decrypt {

KeyLogMiss key_log_miss(const KeyStore::KeyLogContents& key_log, std::span<const std::uint8_t> client_random,
                        std::string_view other_way) {
  KeyLogMiss miss;
  if (key_log.secrets == 0 && key_log.files_given == 0) {
    miss.why = "and no key log was given";
    miss.fix = "capture a key log (SSLKEYLOGFILE) on the client or server during the capture and give it (--keylog, "
               "or decrypt.keylogs in the service), or " + std::string(other_way);
    return miss;
  }
  const std::string this_one = "(its client random is " + keys::encode_hex(client_random) + ")";
  if (key_log.secrets == 0) {
    miss.why = "and the key log(s) given hold no secrets " + this_one;
    miss.fix = "make the client or server write its key log while it runs: SSLKEYLOGFILE set in its environment "
               "before it starts (a program started before that writes none), with the same path as given; or " +
               std::string(other_way);
    return miss;
  }
  miss.why = key_log.client_randoms == 0
                 ? "and the key log(s) given hold no secrets by client random (only RSA premaster or Session-ID "
                   "lines), which this session needs " + this_one
                 : "and the key log(s) given hold secrets for " + std::to_string(key_log.client_randoms) +
                       " other session(s), none for this one " + this_one;
  miss.fix = "give the key log that this connection's client or server wrote while it ran (SSLKEYLOGFILE): the one "
             "given holds other sessions' secrets (written at another time, or by another program); or " +
             std::string(other_way);
  return miss;
}

}  // namespace tlsring::decrypt
