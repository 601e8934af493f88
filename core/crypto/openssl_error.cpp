#include "core/crypto/openssl_error.h"

#include <openssl/err.h>

#include <string>

namespace tlsring::crypto {

Error openssl_error(std::string_view what) {
  std::string message(what);
  const unsigned long code = ERR_get_error();
  if (code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    message += " (";
    message += reason;
    message += ")";
  }
  ERR_clear_error();
  return make_error(std::move(message));
}

}  // namespace tlsring::crypto
