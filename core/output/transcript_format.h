// The text of a transcript: one entry per decrypted application-data record,
// with its capture time, direction and length; printable text as text, binary
// as a hex dump. Pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/decrypt/session_report.h"

namespace tlsring::output {

// "2026-11-29T14:03:12.123456789Z"
std::string format_utc_timestamp(std::int64_t timestamp_ns);

// True when the bytes read as text: printable ASCII, tab, CR, LF, and UTF-8 sequences.
bool is_printable_text(std::span<const std::uint8_t> bytes);

// The header block that opens a connection's transcript.
std::string transcript_header(const decrypt::SessionReport& session);

// Binary records longer than this are dumped in part; the payload file holds them whole.
constexpr std::size_t kHexDumpLimit = 1024;

// Where a record's bytes sit in the direction's payload file, for the note
// that ends a shortened hex dump. An empty file name: no payload file.
struct PayloadLocation {
  std::string_view file;
  std::uint64_t offset = 0;
};

// Appends one entry to `out`.
void append_transcript_entry(std::string& out, std::int64_t timestamp_ns, decrypt::Direction direction,
                             std::span<const std::uint8_t> plaintext, PayloadLocation location = {});

// Appends a canonical hex dump ("00000000  47 45 54 20 ...  |GET ...|") to `out`.
void append_hex_dump(std::string& out, std::span<const std::uint8_t> bytes);

}  // namespace tlsring::output
