#include "daemon/cli/check_pcap.h"

#include <algorithm>

#include "core/crypto/cipher_suite.h"
#include "daemon/cli/capture_file_order.h"

namespace tlsring::cli {
namespace {

using decrypt::Verdict;

std::string counts(const std::map<std::string, std::size_t>& items) {
  std::string text;
  for (const auto& [name, count] : items) {
    text += (text.empty() ? "" : ", ") + name + " x" + std::to_string(count);
  }
  return text.empty() ? "none negotiated" : text;
}

bool key_given_for(const net::Endpoint& server, const ConfiguredKeys& keys) {
  return keys.any_unbound || keys.bound.count(server) > 0;
}

CheckStatus status_of(Verdict verdict, const net::Endpoint& server, const ConfiguredKeys& keys) {
  if (verdict == Verdict::decrypted) return CheckStatus::ok;
  // A key mismatch is the configuration's fault only when the configuration
  // gave a key for this server; with key logs alone it is theirs.
  if (verdict == Verdict::key_mismatch && key_given_for(server, keys)) return CheckStatus::fail;
  return CheckStatus::warn;
}

// The config file's own syntax, so the operator can paste it.
std::string add_key_fix(const net::Endpoint& server, const std::string& subject, const ConfiguredKeys& keys) {
  const std::string address = server.ip.version == 6 ? "\"" + server.to_string() + "\"" : server.to_string();
  const std::string lead = keys.any_unbound ? "none of the configured keys is this server's"
                                            : "no key is configured for this server";
  return "fix: " + lead + "; add its private key to decrypt.keys in " + keys.config_file +
         ":\n    - server: " + address + "\n      file: /etc/tlsring/keys/KEY.pfx" +
         (subject.empty() ? std::string() : "   # the key of " + subject) +
         "\n      password_file: /etc/tlsring/keys/KEY.pass   # for a .pfx or an encrypted PEM";
}

std::vector<std::string> verdict_details(Verdict verdict, const ServerSummary::VerdictGroup& group,
                                         const ServerSummary& server, const ConfiguredKeys& keys) {
  std::string head = std::string(decrypt::to_string(verdict)) + " x" + std::to_string(group.connections);
  if (verdict == Verdict::not_rsa_key_exchange || verdict == Verdict::unsupported_cipher) {
    head += " (" + counts(group.suites) + ")";
  }
  std::vector<std::string> details{head + ": " + group.reason};
  if (verdict == Verdict::no_key && !keys.bound.count(server.server)) {
    details.push_back(add_key_fix(server.server, server.certificate_subject, keys));
  } else if (!group.fix.empty()) {
    details.push_back("fix: " + group.fix);
  }
  return details;
}

}  // namespace

void ReportCollector::on_session_end(const decrypt::SessionReport& session) {
  std::lock_guard<std::mutex> lock(mutex_);
  reports_.push_back(session);
}

std::vector<decrypt::SessionReport> ReportCollector::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<decrypt::SessionReport> reports = std::move(reports_);
  reports_.clear();
  std::sort(reports.begin(), reports.end(),
            [](const auto& a, const auto& b) { return a.connection_id < b.connection_id; });
  return reports;
}

std::vector<ServerSummary> summarize_by_server(const std::vector<decrypt::SessionReport>& reports) {
  std::map<net::Endpoint, ServerSummary> by_server;
  for (const decrypt::SessionReport& report : reports) {
    ServerSummary& summary = by_server[report.server];
    summary.server = report.server;
    ++summary.connections;
    if (summary.certificate_subject.empty() && report.certificate_subject) {
      summary.certificate_subject = *report.certificate_subject;
    }
    ServerSummary::VerdictGroup& group = summary.verdicts[report.verdict];
    if (group.connections++ == 0) {
      group.reason = report.reason;
      group.fix = report.fix;
    }
    if (report.cipher_suite) {
      const std::string suite = crypto::cipher_suite_name(*report.cipher_suite);
      ++summary.suites[suite];
      ++group.suites[suite];
    }
  }
  std::vector<ServerSummary> servers;
  for (auto& [endpoint, summary] : by_server) servers.push_back(std::move(summary));
  return servers;
}

std::vector<CheckLine> server_lines(const std::vector<ServerSummary>& servers, const ConfiguredKeys& keys) {
  std::vector<CheckLine> lines;
  for (const ServerSummary& server : servers) {
    CheckLine line;
    line.what = "server " + server.server.to_string();
    if (!server.certificate_subject.empty()) line.what += " (certificate " + server.certificate_subject + ")";
    line.what += ": " + std::to_string(server.connections) + " connection(s); suites: " + counts(server.suites);
    std::string verdicts;
    for (const auto& [verdict, group] : server.verdicts) {
      verdicts += (verdicts.empty() ? "" : ", ") + std::string(decrypt::to_string(verdict)) + " x" +
                  std::to_string(group.connections);
      const CheckStatus status = status_of(verdict, server.server, keys);
      line.status = worst(line.status, status);
      if (verdict == Verdict::decrypted) continue;
      for (std::string& detail : verdict_details(verdict, group, server, keys)) {
        line.details.push_back(std::move(detail));
      }
    }
    line.what += "; verdicts: " + verdicts;
    lines.push_back(std::move(line));
  }
  for (const net::Endpoint& bound : keys.bound) {
    const bool seen = std::any_of(servers.begin(), servers.end(),
                                  [&](const ServerSummary& s) { return s.server == bound; });
    if (!seen) {
      lines.push_back(warn_line("server " + bound.to_string() + ": a key is bound to it, but the capture has no "
                                "connection to it",
                                {"check the server IP:PORT of its decrypt.keys entry in " + keys.config_file +
                                 " against the servers above"}));
    }
  }
  return lines;
}

Result<CaptureRun> run_capture(const std::vector<std::filesystem::path>& files, decrypt::KeyStore& store,
                               unsigned workers) {
  ReportCollector collector;
  decrypt::EngineOptions options;
  options.workers = std::max(1u, workers);
  decrypt::DecryptEngine engine(store, collector, options);
  CaptureRun run;
  for (const auto& file : files) {
    auto summary = engine.add_file(file);
    if (!summary.ok()) return summary.error();
    if (auto warning = capture_order_warning(run.files, *summary)) summary->warnings.push_back(*warning);
    run.files.push_back(std::move(summary.value()));
  }
  engine.finish();
  run.reports = collector.take();
  return run;
}

std::vector<CheckLine> capture_lines(const CaptureRun& run) {
  std::uint64_t packets = 0;
  std::string names;
  for (const auto& file : run.files) {
    packets += file.packets;
    names += (names.empty() ? "" : ", ") + file.path.string();
  }
  std::vector<CheckLine> lines;
  const std::string what = "capture " + names + ": " + std::to_string(packets) + " packet(s), " +
                           std::to_string(run.reports.size()) + " TCP connection(s)";
  if (run.reports.empty()) {
    lines.push_back(warn_line(what, {"no connection to check the keys against: capture while the CTI clients "
                                     "connect (restart them during the capture)"}));
  } else {
    lines.push_back(ok_line(what));
  }
  for (const auto& file : run.files) {
    const std::string named = file.path.string() + ": ";
    for (const std::string& warning : file.warnings) {
      // Most warnings name their file already.
      lines.push_back(warn_line("capture " + (warning.rfind(named, 0) == 0 ? warning : named + warning)));
    }
  }
  return lines;
}

}  // namespace tlsring::cli
