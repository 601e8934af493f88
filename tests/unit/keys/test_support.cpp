#include "test_support.h"

#include "tests/support/skip.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>

namespace tlsring::keys::test {

std::filesystem::path fixtures_dir() { return tlsring::testing::wireshark_fixtures_or_skip(); }

Bytes read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string read_text(const std::filesystem::path& path) {
  const Bytes bytes = read_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

Bytes from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  Bytes bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

std::string to_hex(const Bytes& bytes) {
  std::ostringstream out;
  static constexpr char kDigits[] = "0123456789abcdef";
  for (const std::uint8_t b : bytes) out << kDigits[b >> 4] << kDigits[b & 15];
  return out.str();
}

ScratchDir::ScratchDir() {
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto candidate =
        std::filesystem::temp_directory_path() / ("tlsring-keys-test-" + std::to_string(random()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a scratch folder");
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void ScratchDir::write(std::string_view name, const Bytes& bytes) const {
  std::ofstream out(file(name), std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

bool ScratchDir::run(const std::string& command) const {
  // The scratch path holds no quote character (made above), so single quotes are safe.
  const std::string line = "cd '" + path_.string() + "' && { " + command + " ; } >>commands.log 2>&1";
  {
    std::ofstream log(file("commands.log"), std::ios::app);
    log << "$ " << command << "\n";
  }
  return std::system(line.c_str()) == 0;
}

std::string ScratchDir::log() const {
  std::error_code ec;
  if (!std::filesystem::exists(file("commands.log"), ec)) return {};
  return read_text(file("commands.log"));
}

}  // namespace tlsring::keys::test
