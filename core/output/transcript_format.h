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

// The same entry in two parts, for a writer that places the record's text
// itself (from a buffer it holds anyway) instead of copying it into `out`:
// append_transcript_head appends everything before the text and returns true
// when the record is text; the entry is then the head, the plaintext, and
// append_transcript_text_tail. For binary it appends the whole entry and
// returns false. head + plaintext + tail == append_transcript_entry's text.
bool append_transcript_head(std::string& out, std::int64_t timestamp_ns, decrypt::Direction direction,
                            std::span<const std::uint8_t> plaintext, PayloadLocation location = {});
void append_transcript_text_tail(std::string& out, std::span<const std::uint8_t> plaintext);

// Appends "2026-11-29T14:03:12.123456789Z" (format_utc_timestamp) without allocating.
void append_utc_timestamp(std::string& out, std::int64_t timestamp_ns);

// Appends a canonical hex dump ("00000000  47 45 54 20 ...  |GET ...|") to `out`.
void append_hex_dump(std::string& out, std::span<const std::uint8_t> bytes);

}  // namespace tlsring::output
