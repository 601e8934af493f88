#include <limits>

#include "config/section_readers.h"

namespace tlsring::config::detail {

void read_rotation(const Reader& reader, const Field& section, RotationConfig& out) {
  const Field* total_field = nullptr;
  std::vector<Field> fields =
      read_mapping(reader, section, {"every", "max_file_size", "keep_files", "max_total_size", "min_free_space"});
  constexpr std::uint64_t kNoMax = std::numeric_limits<std::uint64_t>::max();
  for (const Field& field : fields) {
    if (field.name == "every") {
      if (auto v = read_duration(reader, field, kNsPerSecond)) out.every_ns = *v;
    } else if (field.name == "max_file_size") {
      // Below 64KiB a file would hold little more than its headers.
      if (auto v = read_size(reader, field, 64 * kKiB, kNoMax)) out.max_file_size = *v;
    } else if (field.name == "keep_files") {
      if (auto v = read_unsigned(reader, field, 1, 1'000'000)) out.keep_files = static_cast<std::uint32_t>(*v);
    } else if (field.name == "max_total_size") {
      total_field = &field;
      if (auto v = read_size(reader, field, 64 * kKiB, kNoMax)) out.max_total_size = *v;
    } else if (field.name == "min_free_space") {
      // 0B turns the check off.
      if (auto v = read_size(reader, field, 0, kNoMax)) out.min_free_space = *v;
    }
  }
  // A ring smaller than one file would delete each file as soon as it is done.
  if (total_field != nullptr && out.max_total_size && out.max_file_size &&
      *out.max_total_size < *out.max_file_size) {
    reader.report(*total_field, "'" + format_size(*out.max_total_size) + "' is smaller than rotation.max_file_size (" +
                                    format_size(*out.max_file_size) + "); allowed: at least max_file_size");
    out.max_total_size.reset();
  }
}

}  // namespace tlsring::config::detail
