// CaptureReader::open: finds the format by content, never by file name, so
// that ring files with any suffix and renamed files read the same.
#include "core/capture/capture_reader.h"

#include <cstdio>

#include "core/capture/buffered_file.h"
#include "core/capture/pcap_format.h"
#include "core/capture/pcap_reader.h"
#include "core/capture/pcapng_blocks.h"
#include "core/capture/pcapng_reader.h"

namespace tlsring::capture {
namespace {

bool starts_pcapng(Bytes head) {
  ByteReader reader(head);
  const auto type = reader.u32be();
  if (!type || *type != kBlockSectionHeader) return false;
  // A file cut inside its first block is still a pcapng file (then `truncated`).
  return head.size() < 12 || pcapng_section_is_big_endian(head).has_value();
}

std::string hex_prefix(Bytes head) {
  std::string text;
  char byte[4];
  for (std::size_t i = 0; i < head.size() && i < 4; ++i) {
    std::snprintf(byte, sizeof byte, i == 0 ? "%02x" : " %02x", static_cast<unsigned>(head[i]));
    text += byte;
  }
  return text;
}

std::string not_a_capture(const std::filesystem::path& path, Bytes head) {
  std::string message = path.string() + ": not a pcap or pcapng capture file (it starts with bytes " +
                        hex_prefix(head) + ")";
  if (head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
    message += "; it looks gzip-compressed: decompress it first";
  }
  return message;
}

}  // namespace

Result<std::unique_ptr<CaptureReader>> CaptureReader::open(const std::filesystem::path& path,
                                                           ReadMethod method) {
  auto file = BufferedFile::open(path, method);
  if (!file) return file.error();
  const auto head = file->fill(12);
  if (!file->read_error().empty()) return make_error("cannot read " + path.string() + ": " + file->read_error());
  if (head.empty()) return make_error(path.string() + ": empty file (0 bytes), not a pcap or pcapng capture");
  if (pcap_format_from_magic(head)) return PcapReader::create(path, std::move(*file));
  if (starts_pcapng(head)) return PcapngReader::create(path, std::move(*file));
  return make_error(not_a_capture(path, head));
}

}  // namespace tlsring::capture
