// TCP header (RFC 9293): ports, sequence numbers, flags, window, and the
// payload after the header and its options.
#pragma once

#include "core/bytes/byte_reader.h"
#include "core/net/packet_decoder.h"

namespace tlsring::net {

// Parses `segment` (the IP payload) into `out` (all but the addresses).
// `ip_truncated` says the IP length was more than the capture holds; it
// becomes out.payload_truncated. Returns tcp, or malformed when the header is
// cut short or its data offset is impossible.
DecodeStatus parse_tcp(Bytes segment, bool ip_truncated, TcpSegment& out);

}  // namespace tlsring::net
