#include "config/yaml_fields.h"

#include <algorithm>
#include <limits>

#include "config/duration.h"
#include "config/size.h"

namespace tlsring::config::detail {
namespace {

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    default: return "nothing";
  }
}

std::string join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

void Diagnostics::report(const YAML::Mark& mark, std::string_view path, std::string_view message) {
  const Mark where = this->mark(mark);
  std::string text = where.to_string() + ": ";
  if (!path.empty()) text += std::string(path) + ": ";
  text += message;
  entries_.push_back(Entry{where.line, where.column, std::move(text)});
}

Error Diagnostics::to_error() const {
  std::vector<Entry> sorted = entries_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::string message;
  for (std::size_t i = 0; i < sorted.size() && i < kMaxReported; ++i) {
    if (i > 0) message += '\n';
    message += sorted[i].text;
  }
  if (sorted.size() > kMaxReported) {
    message += "\n" + file_name_ + ": " + std::to_string(sorted.size() - kMaxReported) + " more problems not shown";
  }
  return make_error(std::move(message));
}

Mark Diagnostics::mark(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return Mark{file_name_, 0, 0};
  return Mark{file_name_, mark.line + 1, mark.column + 1};
}

YAML::Mark Field::mark() const {
  if (value.IsDefined() && !value.IsNull() && !value.Mark().is_null()) return value.Mark();
  return key_mark;
}

Field Field::child(std::string_view name, YAML::Mark name_mark, YAML::Node child_value) const {
  return Field{std::string(name), path.empty() ? std::string(name) : path + "." + std::string(name), name_mark, child_value};
}

std::vector<Field> read_mapping(const Reader& reader, const Field& field,
                                std::initializer_list<std::string_view> allowed) {
  std::vector<Field> fields;
  if (!field.value.IsDefined() || field.value.IsNull()) return fields;
  if (!field.value.IsMap()) {
    reader.report(field, "expected a mapping of keys, got " + describe(field.value) + "; allowed: " + join(allowed));
    return fields;
  }
  struct Seen {
    std::string name;
    YAML::Mark mark;
  };
  std::vector<Seen> seen;
  for (auto it = field.value.begin(); it != field.value.end(); ++it) {
    // Copies: the iterator's operator-> hands out a temporary proxy.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      reader.diagnostics.report(key.Mark(), field.path,
                                "a key must be a plain name, got " + describe(key) + "; allowed: " + join(allowed));
      continue;
    }
    const std::string& name = key.Scalar();
    Field entry = field.child(name, key.Mark(), value);
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      reader.diagnostics.report(key.Mark(), entry.path, "unknown key; allowed: " + join(allowed));
      continue;
    }
    const auto previous = std::find_if(seen.begin(), seen.end(), [&](const Seen& s) { return s.name == name; });
    if (previous != seen.end()) {
      const Mark first = reader.diagnostics.mark(previous->mark);
      reader.diagnostics.report(key.Mark(), entry.path,
                                "given twice (first at line " + std::to_string(first.line) + ", column " +
                                    std::to_string(first.column) + "); allowed: once");
      continue;
    }
    seen.push_back(Seen{name, key.Mark()});
    fields.push_back(std::move(entry));
  }
  return fields;
}

std::optional<std::vector<Field>> read_list(const Reader& reader, const Field& field, std::string_view allowed,
                                            bool empty_value_is_empty_list) {
  if ((!field.value.IsDefined() || field.value.IsNull()) && empty_value_is_empty_list) {
    return std::vector<Field>{};
  }
  if (!field.value.IsSequence()) {
    reader.report(field, "expected a list, got " + describe(field.value) + "; allowed: " + std::string(allowed));
    return std::nullopt;
  }
  std::vector<Field> items;
  for (std::size_t i = 0; i < field.value.size(); ++i) {
    items.push_back(Field{"", field.path + "[" + std::to_string(i) + "]", field.mark(), field.value[i]});
  }
  return items;
}

std::optional<std::string> read_scalar(const Reader& reader, const Field& field, std::string_view what,
                                       std::string_view allowed) {
  if (!field.value.IsScalar()) {
    reader.report(field, "expected " + std::string(what) + ", got " + describe(field.value) + "; allowed: " +
                             std::string(allowed));
    return std::nullopt;
  }
  return field.value.Scalar();
}

std::optional<bool> read_bool(const Reader& reader, const Field& field) {
  constexpr std::string_view kAllowed = "true, false";
  const auto text = read_scalar(reader, field, "true or false", kAllowed);
  if (!text) return std::nullopt;
  // YAML 1.2's booleans only: yes/no/on/off are YAML 1.1 surprises.
  if (*text == "true" || *text == "True" || *text == "TRUE") return true;
  if (*text == "false" || *text == "False" || *text == "FALSE") return false;
  reader.report(field, "'" + *text + "' is not true or false; allowed: " + std::string(kAllowed));
  return std::nullopt;
}

std::optional<std::uint64_t> read_unsigned(const Reader& reader, const Field& field, std::uint64_t min,
                                           std::uint64_t max) {
  const std::string allowed = std::to_string(min) + " to " + std::to_string(max);
  const auto text = read_scalar(reader, field, "a whole number", allowed);
  if (!text) return std::nullopt;
  if (!all_digits(*text)) {
    reader.report(field, "'" + *text + "' is not a whole number; allowed: " + allowed);
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (char c : *text) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      value = std::numeric_limits<std::uint64_t>::max();
      break;
    }
    value = value * 10 + digit;
  }
  if (value < min || value > max) {
    reader.report(field, *text + " is out of range; allowed: " + allowed);
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> read_duration(const Reader& reader, const Field& field, std::int64_t min_ns) {
  const auto text = read_scalar(reader, field, "a duration", "a duration such as 90s, 30m, 1h30m, 2d");
  if (!text) return std::nullopt;
  auto ns = parse_duration_ns(*text);
  if (!ns.ok()) {
    reader.report(field, ns.error().message);
    return std::nullopt;
  }
  if (ns.value() < min_ns) {
    reader.report(field, "'" + *text + "' is too short; allowed: at least " + format_duration(min_ns));
    return std::nullopt;
  }
  return ns.value();
}

std::optional<std::uint64_t> read_size(const Reader& reader, const Field& field, std::uint64_t min,
                                       std::uint64_t max) {
  const auto text = read_scalar(reader, field, "a size", "a size such as 500MiB, 2GiB, 10MB, 4096B");
  if (!text) return std::nullopt;
  auto bytes = parse_size_bytes(*text);
  if (!bytes.ok()) {
    reader.report(field, bytes.error().message);
    return std::nullopt;
  }
  if (bytes.value() < min) {
    reader.report(field, "'" + *text + "' is too small; allowed: at least " + format_size(min));
    return std::nullopt;
  }
  if (bytes.value() > max) {
    reader.report(field, "'" + *text + "' is too large; allowed: at most " + format_size(max));
    return std::nullopt;
  }
  return bytes.value();
}

std::optional<std::string> read_text(const Reader& reader, const Field& field, std::string_view allowed,
                                     bool may_be_empty) {
  auto text = read_scalar(reader, field, "a text", allowed);
  if (!text) return std::nullopt;
  if (text->empty() && !may_be_empty) {
    reader.report(field, "is empty; allowed: " + std::string(allowed));
    return std::nullopt;
  }
  return text;
}

std::optional<std::filesystem::path> read_path(const Reader& reader, const Field& field) {
  constexpr std::string_view kAllowed =
      "a file or directory path, absolute or relative to the config file's directory";
  const auto text = read_text(reader, field, kAllowed, false);
  if (!text) return std::nullopt;
  if (text->front() == '~') {
    reader.report(field, "'" + *text + "' starts with ~, which is not expanded here; allowed: " +
                             std::string(kAllowed));
    return std::nullopt;
  }
  std::filesystem::path path(*text);
  if (path.is_relative() && !reader.base_dir.empty()) path = (reader.base_dir / path).lexically_normal();
  return path;
}

}  // namespace tlsring::config::detail
