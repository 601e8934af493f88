// Helpers for the keys tests: a scratch folder that is removed afterwards, the
// openssl command-line tool run inside it, and file/hex utilities.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tlsring::keys::test {

using Bytes = std::vector<std::uint8_t>;

std::filesystem::path fixtures_dir();  // .../fixtures/wireshark

Bytes read_bytes(const std::filesystem::path& path);
std::string read_text(const std::filesystem::path& path);
Bytes from_hex(std::string_view hex);
std::string to_hex(const Bytes& bytes);

// A fresh folder under the system temp folder, removed with everything in it
// when the object goes away.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(std::string_view name) const { return path_ / std::string(name); }
  void write(std::string_view name, const Bytes& bytes) const;

  // Runs a shell command line with this folder as working directory; its
  // output goes to commands.log. Returns true on exit status 0.
  bool run(const std::string& command) const;
  std::string log() const;

 private:
  std::filesystem::path path_;
};

}  // namespace tlsring::keys::test
