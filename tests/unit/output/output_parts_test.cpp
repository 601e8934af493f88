// The pieces DirectoryOutput writes with: the long-text path of
// is_printable_text, a transcript entry in parts (head, the text, tail), and
// the WriteQueue that writes on a thread of its own.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <vector>

#include "core/output/transcript_format.h"
#include "core/output/write_queue.h"

using tlsring::decrypt::Direction;
using namespace tlsring::output;

namespace {

std::vector<std::uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }

// The definition, byte by byte: printable ASCII, tab, LF, CR.
bool text_byte(int b) { return b == '\t' || b == '\n' || b == '\r' || (b >= 0x20 && b <= 0x7e); }

}  // namespace

TEST_CASE("is_printable_text: every byte value at every place of a long text") {
  // 192 bytes: three 64-byte blocks, so each place is checked in the block
  // path too, not only byte by byte.
  std::size_t wrong = 0;
  for (int value = 0; value < 256; ++value) {
    for (std::size_t at = 0; at < 192; ++at) {
      std::string text(192, 'x');
      text[at] = static_cast<char>(value);
      // A lone byte >= 0x80 followed by 'x' is never well-formed UTF-8.
      if (is_printable_text(bytes(text)) != text_byte(value)) ++wrong;
    }
  }
  CHECK(wrong == 0);
  std::string utf8;
  for (int i = 0; i < 40; ++i) utf8 += "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac ";  // 64-byte blocks with UTF-8
  CHECK(is_printable_text(bytes(utf8)));
  utf8[utf8.size() - 5] = '\x80';  // a continuation byte on its own
  CHECK_FALSE(is_printable_text(bytes(utf8)));
}

TEST_CASE("append_transcript_head + text + tail is append_transcript_entry") {
  const std::vector<std::vector<std::uint8_t>> records = {
      bytes("EventEstablished\n\tAttributeThisDN\t'7532'"),   // text, no final newline
      bytes("RequestRegisterAddress\n"),                      // text ending in a newline
      std::vector<std::uint8_t>(3000, 0x01),                   // long binary
      std::vector<std::uint8_t>{0x00, 0xff, 0x10},             // short binary
  };
  for (const auto& record : records) {
    std::string whole;
    append_transcript_entry(whole, 1700000000123456789LL, Direction::server_to_client, record, {"f.s2c.bin", 77});
    std::string parts;
    const bool text = append_transcript_head(parts, 1700000000123456789LL, Direction::server_to_client, record,
                                             {"f.s2c.bin", 77});
    CHECK(text == is_printable_text(record));
    if (text) {
      parts.append(record.begin(), record.end());
      append_transcript_text_tail(parts, record);
    }
    CHECK(parts == whole);
  }
  std::string stamp;
  append_utc_timestamp(stamp, 1700000000123456789LL);
  CHECK(stamp == "2023-11-14T22:13:20.123456789Z");  // as format_utc_timestamp's test computes it
}

TEST_CASE("WriteQueue: jobs run in the order queued, wait_idle waits for all of them") {
  std::vector<int> done;  // written by the queue's thread only, read after wait_idle
  {
    WriteQueue queue(1000);
    for (int i = 0; i < 2000; ++i) queue.push([&done, i] { done.push_back(i); }, 100);
    queue.push([&done] { done.push_back(-1); }, 5000);  // larger than the bound: runs once alone
    queue.wait_idle();
    REQUIRE(done.size() == 2001);
    bool in_order = true;
    for (int i = 0; i < 2000; ++i) in_order = in_order && done[static_cast<std::size_t>(i)] == i;
    CHECK(in_order);
    CHECK(done.back() == -1);
    queue.push([&done] { done.push_back(7); }, 1);
  }  // the destructor runs what is still queued
  CHECK(done.back() == 7);
}

TEST_CASE("WriteQueue: push waits while the queued bytes exceed the bound") {
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<int> queued{0};
  int most_queued = 0;
  {
    WriteQueue queue(300);
    for (int i = 0; i < 50; ++i) {
      queue.push(
          [&] {
            most = std::max(most.load(), ++running);
            --queued;
            --running;
          },
          100);
      most_queued = std::max(most_queued, ++queued);
    }
    queue.wait_idle();
  }
  CHECK(most == 1);          // one job at a time
  CHECK(most_queued <= 4);   // at most 300 bytes waiting, plus the one just pushed
}
