// fuzz_key_log: the input is key-log text (SSLKEYLOGFILE lines, as in a
// --keylog file or a pcapng Decryption Secrets Block), given to KeyLog::add_text.
// Checks the contract of core/keys/key_log.h: an error names its source and
// line and adds nothing; a success adds lines that can be found again. The
// same text read as a growing key log (add_whole_lines, tagged) is counted
// exactly, and forgetting its tag takes all of it away again. A text add_text
// takes is read alike line by line with its last line whole (LastLine::whole).
#include <string>
#include <string_view>

#include "core/keys/key_log.h"
#include "tests/fuzz/fuzz_target.h"

using tlsring::fuzz::fuzz_check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tlsring::keys::KeyLog log;
  const tlsring::Status first = log.add_text(text, "fuzz.keys");
  if (!first.ok()) {
    fuzz_check(first.error().message.rfind("fuzz.keys:", 0) == 0, "a key-log error that does not name its source");
    fuzz_check(log.empty(), "a key-log text with an error added secrets");
    return 0;
  }
  // The same text again adds nothing new (the first secret for a slot stays).
  const std::size_t held = log.size();
  fuzz_check(log.add_text(text, "again").ok(), "a key-log text that parsed once fails the second time");
  fuzz_check(log.size() == held, "the same key-log text added twice changed the count");

  // A text that parses strictly reads the same line by line with its last
  // line taken whole, as `tlsring check` and the service read a whole file:
  // everything consumed, no bad line, the same secrets.
  tlsring::keys::KeyLog whole;
  const auto all = whole.add_whole_lines(text, "fuzz.keys", 1, tlsring::keys::KeyLog::kKeptForever,
                                         tlsring::keys::KeyLog::LastLine::whole);
  fuzz_check(all.consumed == size, "a whole text read line by line was not consumed to its end");
  fuzz_check(all.bad_lines.empty(), "a line that add_text took was bad when read on its own");
  fuzz_check(whole.size() == held, "the text read line by line holds other secrets than add_text added");

  // As the service reads a growing key log: whole lines only, each on its
  // own, tagged; forgetting the tag takes away exactly what it added.
  tlsring::keys::KeyLog followed;
  const auto grown = followed.add_whole_lines(text, "fuzz.keys", 1, 5);
  fuzz_check(grown.consumed <= size, "add_whole_lines consumed more than it was given");
  fuzz_check(followed.size() == grown.added, "add_whole_lines counted other secrets than it holds");
  for (const tlsring::Error& bad : grown.bad_lines) {
    fuzz_check(bad.message.rfind("fuzz.keys:", 0) == 0, "a bad line that does not name its source");
  }
  const std::size_t again = followed.add_whole_lines(text, "fuzz.keys", 1, 9).added;
  fuzz_check(again == 0, "the same lines read again added secrets");
  fuzz_check(followed.forget_tagged_below(9) == 0, "the lines read again kept their earlier tag");
  fuzz_check(followed.forget_tagged_below(10) == grown.added && followed.empty(),
             "forgetting every tag left secrets, or took more than were added");

  // Lookups with any bytes of the input never fail hard.
  const auto bytes = std::span<const std::uint8_t>(data, size);
  for (std::size_t length : {8u, 32u}) {
    if (size < length) continue;
    (void)log.find(bytes.first(length));
    (void)log.find_rsa_premaster(bytes.first(length));
    (void)log.find_by_session_id(bytes.first(length));
  }
  return 0;
}
