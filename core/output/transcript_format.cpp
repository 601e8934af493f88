#include "core/output/transcript_format.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
#ifdef _WIN32
    gmtime_s(&tm, &t);  // Windows' gmtime_r, arguments swapped
#else
    gmtime_r(&t, &tm);
#endif
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

// True when all 64 bytes at `p` are ASCII text: no branch per byte. Bulk
// transfers of text run every byte through here, so x86-64 checks 16 bytes
// per step (SSE2 is part of the base instruction set).
bool block_is_ascii_text(const std::uint8_t* p) {
#if defined(__SSE2__)
  // Adding 0x60 maps 0x20..0x7e to 0x80..0xde, the only bytes that are then
  // below -33 as signed; tab, LF and CR are compared on their own.
  const __m128i shift = _mm_set1_epi8(0x60);
  const __m128i limit = _mm_set1_epi8(-33);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  __m128i all = _mm_set1_epi8(-1);
  for (int k = 0; k < 64; k += 16) {
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
    const __m128i printable = _mm_cmplt_epi8(_mm_add_epi8(c, shift), limit);
    const __m128i control = _mm_or_si128(_mm_cmpeq_epi8(c, tab), _mm_or_si128(_mm_cmpeq_epi8(c, lf), _mm_cmpeq_epi8(c, cr)));
    all = _mm_and_si128(all, _mm_or_si128(printable, control));
  }
  return _mm_movemask_epi8(all) == 0xffff;
#else
  unsigned all = 1;
  for (int k = 0; k < 64; ++k) all &= kTextTable.text[p[k]];
  return all != 0;
#endif
}

}  // namespace

namespace {

// The 30 characters of the timestamp, into `buffer`.
void format_timestamp(std::int64_t timestamp_ns, char buffer[32]) {
  std::int64_t seconds = timestamp_ns / 1000000000;
  std::int64_t nanos = timestamp_ns % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    seconds -= 1;
  }
  format_second(seconds, buffer);
  buffer[19] = '.';
  for (int i = 28; i >= 20; --i) {
    buffer[i] = static_cast<char>('0' + nanos % 10);
    nanos /= 10;
  }
  buffer[29] = 'Z';
}

}  // namespace

std::string format_utc_timestamp(std::int64_t timestamp_ns) {
  char buffer[32];
  format_timestamp(timestamp_ns, buffer);
  return std::string(buffer, 30);
}

void append_utc_timestamp(std::string& out, std::int64_t timestamp_ns) {
  char buffer[32];
  format_timestamp(timestamp_ns, buffer);
  out.append(buffer, 30);
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
  static constexpr char kHex[] = "0123456789abcdef";
  // Each line is built in place, then appended once.
  char line[96];
  for (std::size_t at = 0; at < bytes.size(); at += 16) {
    std::size_t n = 0;
    if (at > 0xffffffffu) {
      n = static_cast<std::size_t>(std::snprintf(line, 24, "%08zx  ", at));
    } else {
      for (int shift = 28; shift >= 0; shift -= 4) line[n++] = kHex[(at >> shift) & 0xf];
      line[n++] = ' ';
      line[n++] = ' ';
    }
    const std::size_t count = std::min<std::size_t>(16, bytes.size() - at);
    for (std::size_t k = 0; k < 16; ++k) {
      if (k < count) {
        const std::uint8_t b = bytes[at + k];
        line[n++] = kHex[b >> 4];
        line[n++] = kHex[b & 0xf];
        line[n++] = ' ';
      } else {
        line[n++] = ' ';
        line[n++] = ' ';
        line[n++] = ' ';
      }
      if (k == 7) line[n++] = ' ';
    }
    line[n++] = ' ';
    line[n++] = '|';
    for (std::size_t k = 0; k < count; ++k) {
      const std::uint8_t b = bytes[at + k];
      line[n++] = (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.';
    }
    line[n++] = '|';
    line[n++] = '\n';
    out.append(line, n);
  }
}

bool append_transcript_head(std::string& out, std::int64_t timestamp_ns, decrypt::Direction direction,
                            std::span<const std::uint8_t> plaintext, PayloadLocation location) {
  append_utc_timestamp(out, timestamp_ns);
  out += direction == decrypt::Direction::client_to_server ? "  client -> server  " : "  server -> client  ";
  char length[24];
  const auto printed = std::to_chars(length, length + sizeof length, plaintext.size());
  out.append(length, printed.ptr);
  if (is_printable_text(plaintext)) {
    out += " bytes (text)\n";
    return true;
  }
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
  out += '\n';
  return false;
}

void append_transcript_text_tail(std::string& out, std::span<const std::uint8_t> plaintext) {
  if (plaintext.empty() || plaintext.back() != '\n') out += '\n';
  out += '\n';
}

void append_transcript_entry(std::string& out, std::int64_t timestamp_ns, decrypt::Direction direction,
                             std::span<const std::uint8_t> plaintext, PayloadLocation location) {
  if (append_transcript_head(out, timestamp_ns, direction, plaintext, location)) {
    out.append(reinterpret_cast<const char*>(plaintext.data()), plaintext.size());
    append_transcript_text_tail(out, plaintext);
  }
}

}  // namespace tlsring::output
