#include "core/output/transcript_format.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace tlsring::output {

std::string format_utc_timestamp(std::int64_t timestamp_ns) {
  std::int64_t seconds = timestamp_ns / 1000000000;
  std::int64_t nanos = timestamp_ns % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    seconds -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(nanos));
  return buffer;
}

bool is_printable_text(std::span<const std::uint8_t> bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::uint8_t c = bytes[i];
    if (c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f)) {
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence of 2..4 bytes counts as text.
    std::size_t length = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (length == 0 || c < 0xc2 || i + length > bytes.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xc0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

std::string transcript_header(const decrypt::SessionReport& session) {
  std::string out = "# tlsring transcript of connection " + std::to_string(session.connection_id) + "\n";
  out += "# client " + session.client.to_string() + "  server " + session.server.to_string() + "\n";
  out += "# first packet " + format_utc_timestamp(session.first_seen_ns) + "\n\n";
  return out;
}

void append_hex_dump(std::string& out, std::span<const std::uint8_t> bytes) {
  static const char* const kHex = "0123456789abcdef";
  for (std::size_t line = 0; line < bytes.size(); line += 16) {
    char offset[16];
    std::snprintf(offset, sizeof offset, "%08zx  ", line);
    out += offset;
    for (std::size_t k = 0; k < 16; ++k) {
      if (line + k < bytes.size()) {
        const std::uint8_t b = bytes[line + k];
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
        out += ' ';
      } else {
        out += "   ";
      }
      if (k == 7) out += ' ';
    }
    out += " |";
    for (std::size_t k = 0; k < 16 && line + k < bytes.size(); ++k) {
      const std::uint8_t b = bytes[line + k];
      out += (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.';
    }
    out += "|\n";
  }
}

void append_transcript_entry(std::string& out, std::int64_t timestamp_ns, decrypt::Direction direction,
                             std::span<const std::uint8_t> plaintext, PayloadLocation location) {
  out += format_utc_timestamp(timestamp_ns);
  out += direction == decrypt::Direction::client_to_server ? "  client -> server  " : "  server -> client  ";
  out += std::to_string(plaintext.size());
  if (is_printable_text(plaintext)) {
    out += " bytes (text)\n";
    out.append(reinterpret_cast<const char*>(plaintext.data()), plaintext.size());
    if (plaintext.back() != '\n') out += '\n';
  } else {
    out += " bytes (binary)\n";
    // A hex dump is four times the bytes: long binary records (bulk transfers)
    // show their start, and the payload file holds every byte.
    append_hex_dump(out, plaintext.first(std::min(plaintext.size(), kHexDumpLimit)));
    if (plaintext.size() > kHexDumpLimit) {
      out += "... " + std::to_string(plaintext.size() - kHexDumpLimit) + " more bytes";
      if (!location.file.empty()) {
        out += " (the whole record is at offset " + std::to_string(location.offset) + " of ";
        out += location.file;
        out += ")";
      }
      out += "\n";
    }
  }
  out += '\n';
}

}  // namespace tlsring::output
