#include "core/output/transcript_format.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace tlsring::output {

namespace {

// "2026-11-29T14:03:12" for a whole second; the date part changes rarely, so
// each thread keeps the last second it formatted.
void format_second(std::int64_t seconds, char out[20]) {
  thread_local std::int64_t cached_second = -1;
  thread_local char cached[32];  // room for any year, so the format is never cut
  if (seconds != cached_second) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_second = seconds;
  }
  std::memcpy(out, cached, 20);
}

// Bytes that read as text on their own: printable ASCII, tab, LF, CR.
constexpr bool is_text_byte(std::uint8_t c) { return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f); }

struct TextTable {
  std::uint8_t text[256];
  constexpr TextTable() : text() {
    for (int c = 0; c < 256; ++c) text[c] = is_text_byte(static_cast<std::uint8_t>(c)) ? 1 : 0;
  }
};
constexpr TextTable kTextTable;

// True when all 64 bytes at `p` are ASCII text: no branch per byte.
bool block_is_ascii_text(const std::uint8_t* p) {
  unsigned all = 1;
  for (int k = 0; k < 64; ++k) all &= kTextTable.text[p[k]];
  return all != 0;
}

}  // namespace

std::string format_utc_timestamp(std::int64_t timestamp_ns) {
  std::int64_t seconds = timestamp_ns / 1000000000;
  std::int64_t nanos = timestamp_ns % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    seconds -= 1;
  }
  char buffer[32];
  format_second(seconds, buffer);
  buffer[19] = '.';
  for (int i = 28; i >= 20; --i) {
    buffer[i] = static_cast<char>('0' + nanos % 10);
    nanos /= 10;
  }
  buffer[29] = 'Z';
  return std::string(buffer, 30);
}

bool is_printable_text(std::span<const std::uint8_t> bytes) {
  std::size_t i = 0;
  std::size_t bytewise_until = 0;  // after a block that is not plain ASCII, go byte by byte over it
  while (i < bytes.size()) {
    if (i >= bytewise_until) {
      if (i + 64 <= bytes.size() && block_is_ascii_text(bytes.data() + i)) {
        i += 64;
        continue;
      }
      bytewise_until = i + 64;
    }
    const std::uint8_t c = bytes[i];
    if (kTextTable.text[c]) {
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
    char offset[24];
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
