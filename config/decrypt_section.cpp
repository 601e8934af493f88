#include "config/section_readers.h"
#include "config/server_address.h"

namespace tlsring::config::detail {
namespace {

constexpr std::string_view kKeysAllowed =
    "a list of entries with file (required), server, password_file or password_env";

bool is_env_name(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// One `keys:` entry. Returns nullopt when it was reported.
std::optional<KeyConfig> read_key(const Reader& reader, const Field& entry) {
  if (!entry.value.IsMap()) {
    reader.report(entry, "expected a key entry (file: ..., server: ...), got " +
                             std::string(entry.value.IsSequence() ? "a list"
                                         : entry.value.IsScalar() ? "'" + entry.value.Scalar() + "'"
                                                                  : "nothing") +
                             "; allowed: " + std::string(kKeysAllowed));
    return std::nullopt;
  }
  KeyConfig key;
  key.where = reader.diagnostics.mark(entry.value.Mark());
  bool ok = true;
  bool has_file = false;
  const std::vector<Field> fields =
      read_mapping(reader, entry, {"server", "file", "password_file", "password_env"});
  for (const Field& field : fields) {
    if (field.name == "server") {
      // An IPv6 address unquoted ([2001:db8::5]:3000) is a YAML syntax error or a list.
      const auto text = read_scalar(reader, field, "IP:PORT",
                                    "IPv4 as A.B.C.D:PORT or IPv6 in quotes, e.g. \"[2001:db8::5]:3000\"");
      if (!text) {
        ok = false;
      } else if (Status status = check_server_address(*text); !status.ok()) {
        reader.report(field, status.error().message);
        ok = false;
      } else {
        key.server = *text;
      }
    } else if (field.name == "file") {
      has_file = true;
      if (auto path = read_path(reader, field)) key.file = *path;
      else ok = false;
    } else if (field.name == "password_file") {
      if (auto path = read_path(reader, field)) key.password_file = *path;
      else ok = false;
    } else if (field.name == "password_env") {
      constexpr std::string_view kAllowed = "an environment variable name (letters, digits, _), e.g. TLSRING_KEY_PASS";
      const auto name = read_text(reader, field, kAllowed, false);
      if (!name) {
        ok = false;
      } else if (!is_env_name(*name)) {
        reader.report(field, "'" + *name + "' is not an environment variable name; allowed: " + std::string(kAllowed));
        ok = false;
      } else {
        key.password_env = *name;
      }
    }
  }
  if (!has_file) {
    reader.report(entry, "the key entry has no file; allowed: file: PATH to the server's private key "
                         "(PEM, DER or PKCS#12 .pfx/.p12)");
    ok = false;
  }
  if (key.password_file && key.password_env) {
    reader.report(entry, "both password_file and password_env are given; allowed: one of them");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return key;
}

}  // namespace

void read_decrypt(const Reader& reader, const Field& section, DecryptConfig& out) {
  for (const Field& field :
       read_mapping(reader, section, {"workers", "keys", "keylogs", "transcripts", "payload", "keep_raw"})) {
    if (field.name == "workers") {
      if (auto v = read_unsigned(reader, field, 1, 64)) out.workers = static_cast<unsigned>(*v);
    } else if (field.name == "keys") {
      const auto entries = read_list(reader, field, kKeysAllowed, true);
      if (!entries) continue;
      for (const Field& entry : *entries) {
        if (auto key = read_key(reader, entry)) out.keys.push_back(std::move(*key));
      }
    } else if (field.name == "keylogs") {
      const auto entries = read_list(reader, field, "a list of key log file paths, e.g. [/var/lib/tlsring/keys.log]", true);
      if (!entries) continue;
      for (const Field& entry : *entries) {
        if (auto path = read_path(reader, entry)) out.keylogs.push_back(std::move(*path));
      }
    } else if (field.name == "transcripts") {
      if (auto v = read_bool(reader, field)) out.transcripts = *v;
    } else if (field.name == "payload") {
      if (auto v = read_bool(reader, field)) out.payload = *v;
    } else if (field.name == "keep_raw") {
      if (auto v = read_bool(reader, field)) out.keep_raw = *v;
    }
  }
}

}  // namespace tlsring::config::detail
