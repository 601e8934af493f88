#include "daemon/cli/decrypt_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/capture/capture_reader.h"
#include "core/crypto/providers.h"
#include "core/decrypt/decrypt_engine.h"
#include "core/decrypt/key_store.h"
#include "core/output/directory_output.h"
#include "daemon/cli/key_spec.h"

namespace tlsring::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitOutputFailed = 1;
constexpr int kExitBadInput = 2;

constexpr const char* kUsage =
    "usage: tlsring decrypt CAPTURE... [--key [IP:PORT=]FILE[,password-file=F|,password-env=VAR]]...\n"
    "                       [--keylog FILE]... -o DIR\n"
    "\n"
    "Decrypts the TLS connections in one or more capture files (pcap or pcapng; several files\n"
    "are one continuous capture, in the order given) with the servers' RSA private keys\n"
    "(PEM, DER, PKCS#12/.pfx) and/or key-log files (SSLKEYLOGFILE format).\n"
    "\n"
    "  --key IP:PORT=FILE   the RSA key of the server at IP:PORT (IPv6: [ADDR]:PORT)\n"
    "  --key FILE           an RSA key matched to servers by their certificate\n"
    "      ,password-file=F the key's password is the first line of F\n"
    "      ,password-env=V  the key's password is in environment variable V\n"
    "  --keylog FILE        a key-log file (CLIENT_RANDOM, RSA, TLS 1.3 secrets)\n"
    "  -o, --output DIR     where to write sessions.jsonl, keys.log, summary.txt and\n"
    "                       connections/ (transcripts and decrypted bytes); mode 0700\n"
    "  --no-transcripts     do not write transcripts\n"
    "  --no-payload         do not write the decrypted bytes (*.c2s.bin, *.s2c.bin)\n"
    "  --workers N          decrypting threads (default: the number of CPUs)\n"
    "  --overwrite          replace the results of an earlier run in DIR (otherwise a\n"
    "                       non-empty DIR is refused)\n";

struct DecryptArgs {
  std::vector<std::string> captures;
  std::vector<KeySpec> keys;
  std::vector<std::string> keylogs;
  std::string output;
  bool transcripts = true;
  bool payload = true;
  bool help = false;
  unsigned workers = 0;  // 0: one per CPU
  bool overwrite = false;
};

Result<DecryptArgs> parse_args(const std::vector<std::string>& args) {
  DecryptArgs parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](const std::string& name) -> Result<std::string> {
      const std::string prefix = name + "=";
      if (arg.rfind(prefix, 0) == 0) return arg.substr(prefix.size());
      if (i + 1 >= args.size()) return make_error(name + " needs a value");
      return args[++i];
    };
    auto is = [&](const std::string& name) { return arg == name || arg.rfind(name + "=", 0) == 0; };
    if (arg == "-h" || arg == "--help") {
      parsed.help = true;
    } else if (is("--key")) {
      auto text = value("--key");
      if (!text.ok()) return text.error();
      auto spec = parse_key_spec(*text);
      if (!spec.ok()) return spec.error();
      parsed.keys.push_back(std::move(spec.value()));
    } else if (is("--keylog")) {
      auto text = value("--keylog");
      if (!text.ok()) return text.error();
      parsed.keylogs.push_back(*text);
    } else if (arg == "-o" || is("--output")) {
      auto text = value(arg == "-o" ? "-o" : "--output");
      if (!text.ok()) return text.error();
      parsed.output = *text;
    } else if (arg == "--no-transcripts") {
      parsed.transcripts = false;
    } else if (is("--workers")) {
      auto text = value("--workers");
      if (!text.ok()) return text.error();
      char* end = nullptr;
      const unsigned long n = std::strtoul(text->c_str(), &end, 10);
      if (text->empty() || *end != '\0' || n < 1 || n > 256) {
        return make_error("--workers needs a number from 1 to 256, not '" + *text + "'");
      }
      parsed.workers = static_cast<unsigned>(n);
    } else if (arg == "--overwrite") {
      parsed.overwrite = true;
    } else if (arg == "--no-payload") {
      parsed.payload = false;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return make_error("unknown option " + arg);
    } else {
      parsed.captures.push_back(arg);
    }
  }
  if (parsed.help) return parsed;
  if (parsed.captures.empty()) return make_error("no capture file given");
  if (parsed.output.empty()) return make_error("no output directory given (-o DIR)");
  return parsed;
}

Status load_keys(const DecryptArgs& args, decrypt::KeyStore& store) {
  for (const KeySpec& spec : args.keys) {
    auto password = read_key_password(spec);
    if (!password.ok()) return password.error();
    auto key = keys::RsaPrivateKey::load(spec.file, password.value());
    if (!key.ok()) return key.error();
    if (spec.server) {
      store.add_bound_key(*spec.server, std::move(key.value()));
    } else {
      store.add_unbound_key(std::move(key.value()));
    }
  }
  for (const std::string& file : args.keylogs) {
    if (auto added = store.key_log().add_file(file); !added.ok()) return added.error();
  }
  return {};
}

// A run never mixes its results with an earlier run's: a used directory is
// refused, or with --overwrite the earlier results (only the files a run
// writes) are removed first.
Status prepare_output_directory(const std::filesystem::path& dir, bool overwrite) {
  std::error_code error;
  if (!std::filesystem::exists(dir, error)) return {};
  if (!std::filesystem::is_directory(dir, error)) {
    return make_error(dir.string() + " exists and is not a directory: give another output directory");
  }
  if (std::filesystem::is_empty(dir, error)) return {};
  if (!overwrite) {
    return make_error(dir.string() +
                      " is not empty (the results of an earlier run?): give a new directory, or --overwrite to "
                      "replace the earlier results");
  }
  for (const char* name : {"sessions.jsonl", "keys.log", "summary.txt"}) std::filesystem::remove(dir / name, error);
  std::filesystem::remove_all(dir / "connections", error);
  if (error) return make_error("cannot remove the earlier results in " + dir.string() + ": " + error.message());
  return {};
}

std::string format_summary(const std::vector<decrypt::FileSummary>& files, const output::DirectoryOutput& output) {
  std::ostringstream s;
  std::uint64_t packets = 0;
  for (const auto& f : files) packets += f.packets;
  const output::RunTotals totals = output.totals();
  const auto verdicts = output.verdicts();
  s << "tlsring decrypt: " << files.size() << " capture file(s), " << packets << " packets, " << totals.sessions
    << " connection(s)\n";
  std::uint64_t decrypted = 0;
  for (int v = 0; v < decrypt::kVerdictCount; ++v) {
    const auto verdict = static_cast<decrypt::Verdict>(v);
    if (verdict == decrypt::Verdict::decrypted || verdict == decrypt::Verdict::partially_decrypted) {
      decrypted += verdicts[v].count;
    }
  }
  s << "  decrypted: " << decrypted << "    not decrypted: " << (totals.sessions - decrypted) << "\n\n";
  for (int v = 0; v < decrypt::kVerdictCount; ++v) {
    const auto& count = verdicts[v];
    if (count.count == 0) continue;
    char line[64];
    std::snprintf(line, sizeof line, "  %-24s %8llu", std::string(decrypt::to_string(static_cast<decrypt::Verdict>(v))).c_str(),
                  static_cast<unsigned long long>(count.count));
    s << line << "\n";
    if (!count.example_reason.empty()) {
      s << "      e.g. " << count.example_connection << ": " << count.example_reason << "\n";
    }
    if (!count.example_fix.empty()) s << "      what to do: " << count.example_fix << "\n";
  }
  s << "\n  application data: " << totals.c2s_bytes << " bytes client->server, " << totals.s2c_bytes
    << " bytes server->client, " << totals.records << " records\n";
  s << "  master secrets recovered: " << totals.master_secrets << " (keys.log)\n";
  for (const auto& f : files) {
    for (const auto& w : f.warnings) s << "  warning: " << w << "\n";
  }
  s << "  output: " << output.directory().string() << "/ (sessions.jsonl, keys.log, connections/)\n";
  return s.str();
}

}  // namespace

int run_decrypt_command(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  auto args = parse_args(argv);
  if (!args.ok()) {
    err << "tlsring decrypt: " << args.error().message << "\n\n" << kUsage;
    return kExitBadInput;
  }
  if (args->help) {
    out << kUsage;
    return kExitOk;
  }
  if (auto providers = crypto::ensure_crypto_providers(); !providers.ok()) {
    err << "tlsring decrypt: " << providers.error().message << "\n";
    return kExitBadInput;
  }
  decrypt::KeyStore store;
  if (auto loaded = load_keys(*args, store); !loaded.ok()) {
    err << "tlsring decrypt: " << loaded.error().message << "\n";
    return kExitBadInput;
  }
  // Every capture must open before anything is written.
  for (const std::string& capture : args->captures) {
    auto reader = capture::CaptureReader::open(capture);
    if (!reader.ok()) {
      err << "tlsring decrypt: " << reader.error().message << "\n";
      return kExitBadInput;
    }
  }
  if (auto prepared = prepare_output_directory(args->output, args->overwrite); !prepared.ok()) {
    err << "tlsring decrypt: " << prepared.error().message << "\n";
    return kExitBadInput;
  }
  output::OutputOptions options;
  options.transcripts = args->transcripts;
  options.payload_files = args->payload;
  auto output = output::DirectoryOutput::create(args->output, options);
  if (!output.ok()) {
    err << "tlsring decrypt: " << output.error().message << "\n";
    return kExitOutputFailed;
  }
  decrypt::EngineOptions engine_options;
  engine_options.workers = args->workers != 0 ? args->workers : std::max(1u, std::thread::hardware_concurrency());
  decrypt::DecryptEngine engine(store, **output, engine_options);
  std::vector<decrypt::FileSummary> files;
  for (const std::string& capture : args->captures) {
    auto summary = engine.add_file(capture);
    if (!summary.ok()) {
      err << "tlsring decrypt: " << summary.error().message << "\n";
      return kExitOutputFailed;
    }
    for (const auto& warning : summary->warnings) err << "tlsring decrypt: warning: " << warning << "\n";
    files.push_back(std::move(summary.value()));
  }
  engine.finish();
  if (auto finished = (*output)->finish(); !finished.ok()) {
    err << "tlsring decrypt: " << finished.error().message << "\n";
    return kExitOutputFailed;
  }
  const std::string summary = format_summary(files, **output);
  auto summary_file = output::PrivateFile::open(std::filesystem::path(args->output) / "summary.txt", true);
  if (!summary_file.ok() || !summary_file->write(summary).ok()) {
    err << "tlsring decrypt: cannot write summary.txt in " << args->output << "\n";
    return kExitOutputFailed;
  }
  out << summary;
  return kExitOk;
}

}  // namespace tlsring::cli
