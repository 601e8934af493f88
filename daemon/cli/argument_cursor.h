// ArgumentCursor: walks a verb's arguments, where an option's value comes
// either as the next argument ("--key FILE") or after '=' ("--key=FILE").
// Pure: the verbs decide what each option means.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tlsring::cli {

class ArgumentCursor {
 public:
  explicit ArgumentCursor(const std::vector<std::string>& args) : args_(args) {}

  // Moves to the next argument; false when there is none.
  bool next() { return ++index_ < args_.size(); }
  const std::string& arg() const { return args_[index_]; }

  // The current argument is `name`, or `name=...` (for an option with a value).
  bool is(std::string_view name) const {
    const std::string& a = arg();
    return a == name || (a.size() > name.size() && a.compare(0, name.size(), name) == 0 && a[name.size()] == '=');
  }
  bool is_help() const { return arg() == "-h" || arg() == "--help"; }
  bool is_option() const { return arg().size() > 1 && arg()[0] == '-'; }

  // The value of option `name` (the current argument): after '=', or the next
  // argument, which it then consumes.
  Result<std::string> value(std::string_view name) {
    const std::string& a = arg();
    if (a.size() > name.size() && a[name.size()] == '=') return a.substr(name.size() + 1);
    if (index_ + 1 >= args_.size()) return make_error(std::string(name) + " needs a value");
    return args_[++index_];
  }

 private:
  const std::vector<std::string>& args_;
  std::size_t index_ = static_cast<std::size_t>(-1);
};

}  // namespace tlsring::cli
