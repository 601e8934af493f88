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
#include "daemon/cli/argument_cursor.h"
#include "daemon/cli/capture_file_order.h"
#include "daemon/cli/decrypt_summary.h"
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
  ArgumentCursor cursor(args);
  while (cursor.next()) {
    const std::string& arg = cursor.arg();
    if (cursor.is_help()) {
      parsed.help = true;
    } else if (cursor.is("--key")) {
      auto text = cursor.value("--key");
      if (!text.ok()) return text.error();
      auto spec = parse_key_spec(*text);
      if (!spec.ok()) return spec.error();
      parsed.keys.push_back(std::move(spec.value()));
    } else if (cursor.is("--keylog")) {
      auto text = cursor.value("--keylog");
      if (!text.ok()) return text.error();
      parsed.keylogs.push_back(*text);
    } else if (arg == "-o" || cursor.is("--output")) {
      auto text = cursor.value(arg == "-o" ? "-o" : "--output");
      if (!text.ok()) return text.error();
      parsed.output = *text;
    } else if (arg == "--no-transcripts") {
      parsed.transcripts = false;
    } else if (cursor.is("--workers")) {
      auto text = cursor.value("--workers");
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
    } else if (cursor.is_option()) {
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
  if (auto loaded = load_keys(args->keys, args->keylogs, store); !loaded.ok()) {
    err << "tlsring decrypt: " << loaded.error().message << "\n";
    return kExitBadInput;
  }
  // Every capture must open, and be given once, before anything is written.
  for (const std::string& capture : args->captures) {
    auto reader = capture::CaptureReader::open(capture);
    if (!reader.ok()) {
      err << "tlsring decrypt: " << reader.error().message << "\n";
      return kExitBadInput;
    }
  }
  if (auto once = check_each_capture_once({args->captures.begin(), args->captures.end()}); !once.ok()) {
    err << "tlsring decrypt: " << once.error().message << "\n";
    return kExitBadInput;
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
    if (auto warning = capture_order_warning(files, *summary)) summary->warnings.push_back(*warning);
    for (const auto& warning : summary->warnings) err << "tlsring decrypt: warning: " << warning << "\n";
    files.push_back(std::move(summary.value()));
  }
  engine.finish();
  if (auto finished = (*output)->finish(); !finished.ok()) {
    err << "tlsring decrypt: " << finished.error().message << "\n";
    return kExitOutputFailed;
  }
  FilesRead read;
  for (const decrypt::FileSummary& file : files) read.add(file);
  const std::string summary = format_summary("tlsring decrypt", read, **output);
  auto summary_file = output::PrivateFile::open(std::filesystem::path(args->output) / "summary.txt", true);
  if (!summary_file.ok() || !summary_file->write(summary).ok()) {
    err << "tlsring decrypt: cannot write summary.txt in " << args->output << "\n";
    return kExitOutputFailed;
  }
  out << summary;
  return kExitOk;
}

}  // namespace tlsring::cli
