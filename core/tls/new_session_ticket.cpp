#include <string>

#include "core/bytes/byte_reader.h"
#include "core/tls/handshake.h"

namespace tlsring::tls {

Result<NewSessionTicket> parse_new_session_ticket(ByteView body) {
  ByteReader reader(body);
  auto lifetime = reader.u32be();
  if (!lifetime) return make_error("NewSessionTicket: truncated inside ticket_lifetime_hint");
  auto ticket = reader.length_prefixed(2);
  if (!ticket) return make_error("NewSessionTicket: ticket overruns the message");
  if (!reader.empty()) return make_error("NewSessionTicket: trailing bytes after the ticket");
  // An empty ticket is valid: RFC 5077 §3.3 lets the server decline to issue one.
  return NewSessionTicket{*lifetime, *ticket};
}

}  // namespace tlsring::tls
