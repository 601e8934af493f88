// The lines `tlsring check` prints: one per check, "ok", "warn" or "FAIL",
// what was checked, and for warn/FAIL further lines that say why and what to do.
//
//   ok    interface eth0: exists, up
//   FAIL  key /etc/tlsring/keys/server.pem: mode 0644: readable by other users
//         fix: chmod 600 /etc/tlsring/keys/server.pem
//
// The checks build CheckLines (pure data, so they are tested without a
// terminal); CheckPrinter writes them and counts them by status.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/size.h"

namespace tlsring::cli {

enum class CheckStatus : std::uint8_t { ok, warn, fail };

// "ok", "warn", "FAIL".
std::string_view label(CheckStatus status);
// The more serious of two statuses.
CheckStatus worst(CheckStatus a, CheckStatus b);

struct CheckLine {
  CheckStatus status = CheckStatus::ok;
  std::string what;                  // "interface eth0: exists"
  std::vector<std::string> details;  // printed indented under it, one per line
};

CheckLine ok_line(std::string what, std::vector<std::string> details = {});
CheckLine warn_line(std::string what, std::vector<std::string> details = {});
CheckLine fail_line(std::string what, std::vector<std::string> details = {});

// A line as printed: the label padded to 4 characters, two spaces, `what`;
// each detail on its own line indented by 6 spaces (a detail holding newlines
// gives several lines, each indented).
std::string format_check_line(const CheckLine& line);

class CheckPrinter {
 public:
  explicit CheckPrinter(std::ostream& out) : out_(out) {}
  void print(const CheckLine& line);
  void print(const std::vector<CheckLine>& lines);
  int count(CheckStatus status) const { return counts_[static_cast<std::size_t>(status)]; }
  // "3 ok, 1 warn, 0 FAIL".
  std::string tally() const;

 private:
  std::ostream& out_;
  std::array<int, 3> counts_{};
};

using config::human_size;

}  // namespace tlsring::cli
