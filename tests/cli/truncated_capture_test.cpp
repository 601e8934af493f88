// A capture cut short (a ring file whose writer died): tlsring reads what is
// there, warns naming the file, and decrypts the connections before the cut.
#include <catch2/catch.hpp>
#include <cstdint>

#include "tests/cli/cli_env.h"

using namespace tlsring::clitest;

namespace {

struct Block {
  std::size_t offset;
  std::uint32_t type;
  std::uint32_t length;
};

// The pcapng blocks of a file, from the format itself (type, total length),
// for the little-endian files the generator writes.
std::vector<Block> pcapng_blocks(const std::string& bytes) {
  auto u32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3])) << 24;
  };
  REQUIRE(bytes.size() >= 28);
  REQUIRE(u32(0) == 0x0A0D0D0A);  // Section Header Block
  REQUIRE(u32(8) == 0x1A2B3C4D);  // byte-order magic, little-endian
  std::vector<Block> blocks;
  std::size_t offset = 0;
  while (offset + 12 <= bytes.size()) {
    const Block b{offset, u32(offset), u32(offset + 4)};
    REQUIRE(b.length >= 12);
    REQUIRE(offset + b.length <= bytes.size());
    blocks.push_back(b);
    offset += b.length;
  }
  REQUIRE(offset == bytes.size());
  return blocks;
}

constexpr std::uint32_t kEnhancedPacketBlock = 6;

}  // namespace

TEST_CASE("decrypt truncated capture: warns, writes a summary, decrypts what came before the cut") {
  TempDir dir;
  const Generated gen = generate(dir / "gen", {"--sessions", "3", "--port", "3000", "--version", "1.2", "--ciphers",
                                               "AES128-GCM-SHA256", "--format", "pcapng", "--quiet"});
  REQUIRE(gen.connections.size() == 3);
  const std::string whole = read_file(gen.capture);
  const auto blocks = pcapng_blocks(whole);

  // Cut at ~60%, inside a packet block (never on a block boundary).
  const std::size_t target = whole.size() * 6 / 10;
  const Block* cut_block = nullptr;
  for (const auto& b : blocks) {
    if (b.offset <= target && target < b.offset + b.length) cut_block = &b;
  }
  REQUIRE(cut_block != nullptr);
  REQUIRE(cut_block->type == kEnhancedPacketBlock);
  const std::size_t cut = target == cut_block->offset ? target + 8 : target;
  std::size_t packets_before_cut = 0;
  for (const auto& b : blocks) {
    if (b.type == kEnhancedPacketBlock && b.offset + b.length <= cut) ++packets_before_cut;
  }
  const fs::path truncated = dir / "ring-0007.pcapng";
  write_file(truncated, whole.substr(0, cut));

  const fs::path out = dir / "out";
  const std::vector<std::string> args{"decrypt", truncated.string(), "--key",
                                      "10.1.0.1:3000=" + (gen.dir / "server.key.pem").string(), "-o", out.string()};
  // The generator's default server address is 10.1.0.1.
  REQUIRE(gen.connections[0].at("server") == "10.1.0.1");
  const ChildResult r = run_tlsring(args);
  INFO("tlsring " << describe(args) << "\n--- stderr:\n" << r.err << "--- stdout:\n" << r.out
                  << "\ncut at byte " << cut << " of " << whole.size() << ", " << packets_before_cut
                  << " whole packets before it");
  REQUIRE(r.exit_status == 0);
  CHECK_THAT(r.err, Catch::Contains("warning") && Catch::Contains(truncated.string()) &&
                        Catch::Contains("cut short"));
  REQUIRE(fs::is_regular_file(out / "summary.txt"));
  CHECK_THAT(read_file(out / "summary.txt"), Catch::Contains(truncated.string()) && Catch::Contains("cut short"));
  CHECK_THAT(r.out, Catch::Contains(std::to_string(packets_before_cut) + " packets"));

  const auto sessions = read_sessions(out);
  std::size_t complete = 0;
  for (const auto& conn : gen.connections) {
    const std::string client = conn.at("client") + ":" + conn.at("client_port");
    const std::size_t last_packet = std::stoul(conn.at("last_packet"));  // 1-based
    const std::size_t first_packet = std::stoul(conn.at("first_packet"));
    INFO("connection " << conn.at("index") << " packets " << first_packet << ".." << last_packet);
    const FlatJson* s = nullptr;
    for (const auto& candidate : sessions) {
      if (field(candidate, "client") == client) s = &candidate;
    }
    if (last_packet <= packets_before_cut) {
      // Entirely before the cut: decrypted, every byte.
      ++complete;
      REQUIRE(s != nullptr);
      CHECK(field(*s, "verdict") == "decrypted");
      CHECK(read_file(out / field(*s, "files.c2s")) == read_file(gen.dir / conn.at("c2s_file")));
      CHECK(read_file(out / field(*s, "files.s2c")) == read_file(gen.dir / conn.at("s2c_file")));
    } else if (first_packet > packets_before_cut) {
      CHECK(s == nullptr);  // never captured
    } else if (s != nullptr && s->count("files.c2s") == 1) {
      // Cut in the middle: whatever was decrypted is a prefix of what was sent.
      const std::string sent = read_file(gen.dir / conn.at("c2s_file"));
      const std::string got = read_file(out / field(*s, "files.c2s"));
      CHECK(got.size() <= sent.size());
      CHECK(sent.compare(0, got.size(), got) == 0);
      if (s->count("files.s2c") == 1) {
        const std::string sent_back = read_file(gen.dir / conn.at("s2c_file"));
        const std::string got_back = read_file(out / field(*s, "files.s2c"));
        CHECK(got_back.size() <= sent_back.size());
        CHECK(sent_back.compare(0, got_back.size(), got_back) == 0);
      }
    }
  }
  CHECK(complete >= 1);
}
