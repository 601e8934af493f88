#include "daemon/cli/check_keys.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/keys/key_log.h"
#include "daemon/cli/key_spec.h"
#include "daemon/platform/certificate_store_key.h"
#include "daemon/platform/file_access.h"
#include "daemon/platform/service_command.h"

namespace tlsring::cli {
namespace {

std::string octal_mode(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777u);
  return text;
}

using FileState = platform::RegularFileState;

// Well-known SIDs: the same on every Windows, whatever its language.
constexpr const char* kSystemSid = "S-1-5-18";
constexpr const char* kAdministratorsSid = "S-1-5-32-544";

FileState inspect(const std::filesystem::path& path) { return platform::inspect_regular_file(path); }

std::string password_source(const config::KeyConfig& key) {
  if (key.password_file) return "password source: password_file " + key.password_file->string() + " (its first line)";
  if (key.password_env) return "password source: environment variable " + *key.password_env;
  return "password source: none configured (add password_file or password_env to this entry)";
}

// Checks a decrypt.keys entry naming a certificate in the Windows certificate
// store: the service's own loading path (on Linux: the store is Windows only).
bool check_store_key(const config::KeyConfig& key, std::vector<CheckLine>& lines) {
  const std::string entry = "decrypt.keys entry at " + key.where.to_string();
  auto loaded = platform::load_certificate_store_key(key.certificate_store_key->store,
                                                     key.certificate_store_key->thumbprint);
  if (!loaded.ok()) {
    lines.push_back(fail_line("key " + loaded.error().message, {entry}));
    return false;
  }
  lines.push_back(ok_line(key.describe() + ": RSA " + std::to_string(loaded->modulus_bits()) + "-bit private key, id " +
                          short_key_id(loaded->public_key_id()) + ", " +
                          (key.server ? "for server " + *key.server
                                      : std::string("for any server whose certificate it matches"))));
  return true;
}

// Checks one decrypt.keys entry; true when its key loaded.
bool check_key(const config::KeyConfig& key, const std::optional<std::string>& service_sid,
               std::vector<CheckLine>& lines) {
  if (key.certificate_store_key) return check_store_key(key, lines);
  const std::string name = "key " + key.file.string();
  const std::string entry = "decrypt.keys entry at " + key.where.to_string();
  const FileState file = inspect(key.file);
  if (file.problem) {
    lines.push_back(fail_line(name + ": " + *file.problem,
                              {entry, "fix: put the server's private key there (PEM, DER or .pfx), or correct "
                                      "the file of this entry"}));
    return false;
  }
  if (auto line = secret_access_line(name, key.file, file, CheckStatus::fail, service_sid)) {
    lines.push_back(std::move(*line));
  }

  if (key.password_file) {
    const std::string pass_name = "password file " + key.password_file->string() + " (for " + key.file.string() + ")";
    const FileState pass = inspect(*key.password_file);
    if (pass.problem) {
      lines.push_back(fail_line(pass_name + ": " + *pass.problem,
                                {entry, "fix: write the key's password as the first line of that file, or correct "
                                        "password_file"}));
      return false;
    }
    if (auto line = secret_access_line(pass_name, *key.password_file, pass, CheckStatus::fail, service_sid)) {
      lines.push_back(std::move(*line));
    } else {
      lines.push_back(ok_line(pass_name + ": " + access_summary(pass)));
    }
  }
  if (key.password_env && std::getenv(key.password_env->c_str()) == nullptr) {
    // The service may well get it from its unit while this shell has not.
    lines.push_back(warn_line(name + ": not opened: environment variable " + *key.password_env +
                                  " (its password) is not set here",
                              {entry, "run the check with it set to test the password; the service gets it from "
                                      "its unit (Environment= or EnvironmentFile=)"}));
    return false;
  }

  KeySpec spec;
  spec.file = key.file.string();
  if (key.password_file) spec.password_file = key.password_file->string();
  spec.password_env = key.password_env;
  auto password = read_key_password(spec);
  if (!password.ok()) {
    lines.push_back(fail_line(name + ": " + password.error().message, {entry}));
    return false;
  }
  auto loaded = keys::RsaPrivateKey::load(key.file, *password);
  if (!loaded.ok()) {
    lines.push_back(fail_line("key " + loaded.error().message, {password_source(key), entry}));
    return false;
  }
  lines.push_back(ok_line(name + ": RSA " + std::to_string(loaded->modulus_bits()) + "-bit private key, id " +
                          short_key_id(loaded->public_key_id()) + ", " + access_summary(file) + ", " +
                          (key.server ? "for server " + *key.server
                                      : std::string("for any server whose certificate it matches"))));
  return true;
}

// Checks one key log; true when it read and parsed.
bool check_keylog(const std::filesystem::path& path, const std::optional<std::string>& service_sid,
                  std::vector<CheckLine>& lines) {
  const std::string name = "key log " + path.string();
  std::error_code missing;
  if (!std::filesystem::exists(path, missing) && !missing) {
    // Written by a client or server during the capture: the service reads it from when it appears.
    lines.push_back(warn_line(name + ": does not exist yet",
                              {"the service reads it before each capture file is decrypted, from when it appears",
                               "fix: if no client or server writes it during the capture (SSLKEYLOGFILE set in its "
                               "environment before it starts), correct decrypt.keylogs"}));
    return false;
  }
  // As the service reads it: a bad line is skipped and the others count; a
  // last line without '\n' (being written, or by a writer that is done) counts.
  keys::KeyLog log;
  const Result<keys::KeyLog::GrownLines> read = log.add_file_skipping_bad_lines(path);
  if (!read.ok()) {
    lines.push_back(fail_line("key log: " + read.error().message,
                              {"fix: correct decrypt.keylogs, or the file (SSLKEYLOGFILE format)"}));
    return false;
  }
  if (auto line = secret_access_line(name, path, inspect(path), CheckStatus::warn, service_sid)) {
    lines.push_back(std::move(*line));
  }
  if (log.empty() && log.skipped_lines() > 0) {
    lines.push_back(warn_line(name + ": no secret tlsring reads (" + std::to_string(log.skipped_lines()) +
                                  " line(s) with unknown labels)",
                              {"is it a key log (CLIENT_RANDOM ... lines)?"}));
  } else if (log.empty()) {
    if (read->bad_lines.empty()) lines.push_back(warn_line(name + ": empty (no secrets yet)"));  // else: said below
  } else {
    lines.push_back(ok_line(name + ": " + std::to_string(log.size()) + " secret(s)"));
  }
  if (const std::vector<Error>& bad = read->bad_lines; !bad.empty()) {
    constexpr std::size_t kShown = 3;
    std::vector<std::string> details;
    for (std::size_t i = 0; i < bad.size() && i < kShown; ++i) details.push_back(bad[i].message);
    if (bad.size() > kShown) details.push_back("(" + std::to_string(bad.size() - kShown) + " more)");
    details.push_back("the service skips them and reads the other lines; a line being written as this check read "
                      "it is read whole by the service");
    details.push_back("fix: correct those lines, or the program that writes them");
    lines.push_back(warn_line(name + ": " + std::to_string(bad.size()) + " bad line(s)", std::move(details)));
  }
  return true;
}

}  // namespace

std::optional<std::string> secret_mode_problem(unsigned mode) {
  // POSIX permission bits (S_IROTH, S_IWOTH, S_IXOTH, S_IWGRP): the same
  // numbers everywhere, spelled out so that this builds where <sys/stat.h>
  // lacks them (Windows).
  constexpr unsigned kOtherRead = 04, kOtherWrite = 02, kOtherExecute = 01, kGroupWrite = 020;
  std::string problem;
  auto add = [&](const char* text) { problem += (problem.empty() ? "" : ", ") + std::string(text); };
  if (mode & kOtherRead) add("other users can read it");
  if (mode & kOtherWrite) add("other users can write it");
  if ((mode & kOtherExecute) && !(mode & (kOtherRead | kOtherWrite))) add("other users can execute it");
  if (mode & kGroupWrite) add("the group can write it");
  if (problem.empty()) return std::nullopt;
  return problem;
}

std::vector<platform::FileReader> unwanted_readers(const std::vector<platform::FileReader>& readers,
                                                   const std::optional<std::string>& service_account_sid) {
  std::vector<platform::FileReader> unwanted;
  for (const platform::FileReader& reader : readers) {
    const bool allowed = reader.sid == kSystemSid || reader.sid == kAdministratorsSid ||
                         (service_account_sid && reader.sid == *service_account_sid);
    if (!allowed) unwanted.push_back(reader);
  }
  return unwanted;
}

std::optional<CheckLine> secret_access_line(const std::string& name, const std::filesystem::path& path,
                                            const platform::RegularFileState& file, CheckStatus status,
                                            const std::optional<std::string>& service_account_sid) {
  if (!file.has_acl) {
    const auto problem = secret_mode_problem(file.posix_mode);
    if (!problem) return std::nullopt;
    return CheckLine{status, name + ": mode " + octal_mode(file.posix_mode) + ": " + *problem,
                     {"fix: chgrp tlsring " + path.string() + " && chmod 640 " + path.string() +
                      " (readable by the service's group only)"}};
  }
  if (file.acl_problem) {
    return warn_line(name + ": its access control list could not be read: " + *file.acl_problem,
                     {"who may read it was not checked; icacls \"" + path.string() + "\" shows it"});
  }
  const std::vector<platform::FileReader> unwanted = unwanted_readers(file.readers, service_account_sid);
  if (unwanted.empty()) return std::nullopt;
  std::string names;
  std::string sids;
  for (const platform::FileReader& reader : unwanted) {
    names += (names.empty() ? "" : ", ") + reader.name + (reader.name == reader.sid ? "" : " (" + reader.sid + ")");
    sids += " *" + reader.sid;
  }
  // icacls takes "*SID": the same on every language of Windows, unlike the names.
  std::string grant = std::string(" *") + kSystemSid + ":F *" + kAdministratorsSid + ":F";
  if (service_account_sid && *service_account_sid != kSystemSid && *service_account_sid != kAdministratorsSid) {
    grant += " *" + *service_account_sid + ":R";
  }
  const std::string quoted = "\"" + path.string() + "\"";
  return CheckLine{status, name + ": readable by " + names,
                   {"only SYSTEM, Administrators and the service's account may read it",
                    "fix: icacls " + quoted + " /inheritance:r /grant:r" + grant,
                    "     icacls " + quoted + " /remove" + sids,
                    "or keep it under %ProgramData%\\tlsring\\keys, made private by step 3 of "
                    "daemon/platform/WINDOWS.md"}};
}

std::string access_summary(const platform::RegularFileState& file) {
  if (!file.has_acl) return "mode " + octal_mode(file.posix_mode);
  if (file.acl_problem) return "access control list not read";
  std::string names;
  for (const platform::FileReader& reader : file.readers) names += (names.empty() ? "" : ", ") + reader.name;
  return names.empty() ? std::string("readable by no account (its access control list is empty)") : "readable by " + names;
}

std::string short_key_id(const keys::PublicKeyId& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < 8; ++i) {
    text += kHex[id[i] >> 4];
    text += kHex[id[i] & 0x0f];
  }
  return text;
}

KeyChecks check_key_files(const config::ServiceConfig& config) {
  KeyChecks checks;
  // Windows: the account the installed service runs as may read the keys too.
  const std::optional<std::string> service_sid = platform::service_account_sid(platform::kDefaultServiceName);
  for (std::size_t i = 0; i < config.decrypt.keys.size(); ++i) {
    if (!check_key(config.decrypt.keys[i], service_sid, checks.lines)) checks.unloaded_keys.push_back(i);
  }
  for (std::size_t i = 0; i < config.decrypt.keylogs.size(); ++i) {
    if (!check_keylog(config.decrypt.keylogs[i], service_sid, checks.lines)) checks.unloaded_keylogs.push_back(i);
  }
  if (config.decrypt.keys.empty() && config.decrypt.keylogs.empty()) {
    checks.lines.push_back(warn_line("keys: decrypt.keys and decrypt.keylogs are empty",
                                     {"the service will record, but decrypt nothing; add the servers' keys to "
                                      "decrypt.keys in " + config.source.string()}));
  }
  return checks;
}

}  // namespace tlsring::cli
