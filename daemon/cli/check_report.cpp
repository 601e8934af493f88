#include "daemon/cli/check_report.h"


namespace tlsring::cli {

std::string_view label(CheckStatus status) {
  switch (status) {
    case CheckStatus::ok: return "ok";
    case CheckStatus::warn: return "warn";
    case CheckStatus::fail: return "FAIL";
  }
  return "?";
}

CheckStatus worst(CheckStatus a, CheckStatus b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

CheckLine ok_line(std::string what, std::vector<std::string> details) {
  return CheckLine{CheckStatus::ok, std::move(what), std::move(details)};
}
CheckLine warn_line(std::string what, std::vector<std::string> details) {
  return CheckLine{CheckStatus::warn, std::move(what), std::move(details)};
}
CheckLine fail_line(std::string what, std::vector<std::string> details) {
  return CheckLine{CheckStatus::fail, std::move(what), std::move(details)};
}

std::string format_check_line(const CheckLine& line) {
  std::string text(label(line.status));
  text.resize(6, ' ');
  text += line.what;
  text += '\n';
  for (const std::string& detail : line.details) {
    // Multi-line details (a config loader message, a YAML snippet) keep every
    // line under the check they belong to.
    std::size_t start = 0;
    while (start <= detail.size()) {
      const std::size_t end = detail.find('\n', start);
      const std::size_t stop = end == std::string::npos ? detail.size() : end;
      if (stop > start || end == std::string::npos) {
        text.append(6, ' ');
        text.append(detail, start, stop - start);
        text += '\n';
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return text;
}

void CheckPrinter::print(const CheckLine& line) {
  ++counts_[static_cast<std::size_t>(line.status)];
  out_ << format_check_line(line);
}

void CheckPrinter::print(const std::vector<CheckLine>& lines) {
  for (const CheckLine& line : lines) print(line);
}

std::string CheckPrinter::tally() const {
  return std::to_string(count(CheckStatus::ok)) + " ok, " + std::to_string(count(CheckStatus::warn)) + " warn, " +
         std::to_string(count(CheckStatus::fail)) + " FAIL";
}

}  // namespace tlsring::cli
