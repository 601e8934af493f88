#include "core/bytes/byte_reader.h"
#include "core/tls/handshake.h"

namespace tlsring::tls {

namespace {
constexpr std::size_t kHandshakeHeaderSize = 4;  // msg_type + uint24 length
}  // namespace

HandshakeFrame frame_handshake(ByteView data, std::size_t max_body) {
  HandshakeFrame out;
  ByteReader reader(data);
  auto type = reader.u8();
  auto length = reader.u24be();
  if (!type || !length) {
    out.needed = kHandshakeHeaderSize - data.size();
    return out;
  }
  out.type = *type;
  // Checked before waiting for the body, so a corrupt or encrypted length
  // cannot make the caller buffer up to 16 MiB.
  if (*length > max_body) {
    out.status = ParseStatus::invalid;
    return out;
  }
  auto body = reader.bytes(*length);
  if (!body) {
    out.needed = kHandshakeHeaderSize + *length - data.size();
    return out;
  }
  out.status = ParseStatus::ok;
  out.body = *body;
  out.consumed = kHandshakeHeaderSize + *length;
  out.message = data.first(out.consumed);
  return out;
}

}  // namespace tlsring::tls
