// Internal to config/: typed values out of yaml-cpp nodes. Every problem goes
// to Diagnostics with its position and key path, as
// "FILE:LINE:COL: KEY.PATH: what is wrong; allowed: ...", and the reader
// returns nullopt for that value, so that one pass finds every problem.
// The section readers (section_readers.h) are written with these.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/mark.h"
#include "core/result.h"

namespace tlsring::config::detail {

class Diagnostics {
 public:
  explicit Diagnostics(std::string file_name) : file_name_(std::move(file_name)) {}

  // `path` empty: the message is not about one key (a syntax error, the top level).
  void report(const YAML::Mark& mark, std::string_view path, std::string_view message);
  bool ok() const { return entries_.empty(); }
  // Every report in file order, one per line (at most kMaxReported, then a count).
  Error to_error() const;
  Mark mark(const YAML::Mark& mark) const;

  static constexpr std::size_t kMaxReported = 20;

 private:
  struct Entry {
    int line;
    int column;
    std::string text;
  };
  std::string file_name_;
  std::vector<Entry> entries_;
};

// One value in the file: a mapping's `key: value`, a list's item, or the document.
struct Field {
  std::string name;     // the key ("every"); empty for a list item or the document
  std::string path;     // "rotation.every", "decrypt.keys[0]"; empty for the document
  YAML::Mark key_mark;  // the key; for a list item, the list's key; for the document, its start
  YAML::Node value;

  // Where to point at the value: its own position, or its key's when the value
  // is empty (yaml-cpp places an empty value on the next line).
  YAML::Mark mark() const;
  Field child(std::string_view name, YAML::Mark name_mark, YAML::Node child_value) const;
};

// The shared state of one parse.
struct Reader {
  Diagnostics& diagnostics;
  std::filesystem::path base_dir;  // relative paths resolve against it; empty: kept relative

  void report(const Field& field, std::string_view message) const {
    diagnostics.report(field.mark(), field.path, message);
  }
};

// The fields of a mapping, in file order. An empty value counts as an empty
// mapping (a section whose keys are all commented out). Reports a value that is
// not a mapping, keys that are not plain names, unknown keys (listing
// `allowed`) and keys given twice (those are left out of the result).
std::vector<Field> read_mapping(const Reader& reader, const Field& field,
                                std::initializer_list<std::string_view> allowed);
// The items of a list; an empty value counts as an empty list when
// `empty_value_is_empty_list`. nullopt (reported) when it is not a list.
std::optional<std::vector<Field>> read_list(const Reader& reader, const Field& field, std::string_view allowed,
                                            bool empty_value_is_empty_list);

// A scalar's text; reports an empty value, a list or a mapping as "expected
// `what`"; `allowed` completes every message.
std::optional<std::string> read_scalar(const Reader& reader, const Field& field, std::string_view what,
                                       std::string_view allowed);
std::optional<bool> read_bool(const Reader& reader, const Field& field);
std::optional<std::uint64_t> read_unsigned(const Reader& reader, const Field& field, std::uint64_t min,
                                           std::uint64_t max);
std::optional<std::int64_t> read_duration(const Reader& reader, const Field& field, std::int64_t min_ns);
std::optional<std::uint64_t> read_size(const Reader& reader, const Field& field, std::uint64_t min,
                                       std::uint64_t max);
// Text that must not be empty unless `may_be_empty`.
std::optional<std::string> read_text(const Reader& reader, const Field& field, std::string_view allowed,
                                     bool may_be_empty);
// A path, relative ones resolved against reader.base_dir. "~" is refused (no
// shell expands it here).
std::optional<std::filesystem::path> read_path(const Reader& reader, const Field& field);

}  // namespace tlsring::config::detail
