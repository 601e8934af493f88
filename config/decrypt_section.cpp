#include "config/section_readers.h"
#include "config/server_address.h"
#include "config/thumbprint.h"

#include <algorithm>

namespace tlsring::config::detail {
namespace {

constexpr std::string_view kKeysAllowed =
    "a list of entries with file or thumbprint (one of them), server, password_file or password_env (with file), "
    "certificate_store (with thumbprint)";

constexpr std::string_view kThumbprintAllowed =
    "the certificate's SHA-1 thumbprint, 40 hexadecimal digits (spaces and colons are ignored), as certlm.msc "
    "or `Get-ChildItem Cert:\\LocalMachine\\My` shows it";

bool is_env_name(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::optional<Thumbprint> read_thumbprint(const Reader& reader, const Field& field) {
  const auto text = read_scalar(reader, field, "a thumbprint", kThumbprintAllowed);
  if (!text) return std::nullopt;
  auto parsed = parse_thumbprint(*text);
  if (!parsed.ok()) {
    // The key path already says "thumbprint".
    std::string_view message = parsed.error().message;
    if (message.starts_with("thumbprint: ")) message.remove_prefix(12);
    reader.report(field, std::string(message));
    return std::nullopt;
  }
  return *parsed;
}

std::optional<CertificateStoreName> read_store_name(const Reader& reader, const Field& field) {
  const auto text = read_scalar(reader, field, "a certificate store",
                                "LOCATION\\STORE, e.g. LocalMachine\\My (the default: certlm.msc's Personal)");
  if (!text) return std::nullopt;
  auto parsed = parse_certificate_store_name(*text);
  if (!parsed.ok()) {
    reader.report(field, parsed.error().message);
    return std::nullopt;
  }
  return *parsed;
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
  std::optional<Thumbprint> thumbprint;
  std::optional<CertificateStoreName> store;
  const Field* store_field = nullptr;
  const std::vector<Field> fields = read_mapping(
      reader, entry, {"server", "file", "thumbprint", "certificate_store", "password_file", "password_env"});
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
    } else if (field.name == "thumbprint") {
      if (auto parsed = read_thumbprint(reader, field)) thumbprint = *parsed;
      else ok = false;
    } else if (field.name == "certificate_store") {
      store_field = &field;
      if (auto parsed = read_store_name(reader, field)) store = *parsed;
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
  const bool has_thumbprint =
      std::any_of(fields.begin(), fields.end(), [](const Field& f) { return f.name == "thumbprint"; });
  if (!has_file && !has_thumbprint) {
    reader.report(entry, "the key entry has no file and no thumbprint; allowed: file: PATH to the server's private "
                         "key (PEM, DER or PKCS#12 .pfx/.p12), or thumbprint: its certificate's thumbprint in the "
                         "Windows certificate store");
    ok = false;
  }
  if (has_file && has_thumbprint) {
    reader.report(entry, "both file and thumbprint are given; allowed: one of them (file: a key file, thumbprint: a "
                         "certificate in the Windows certificate store)");
    ok = false;
  }
  if (store_field != nullptr && !has_thumbprint) {
    reader.report(*store_field, "certificate_store without thumbprint; allowed: certificate_store only beside "
                                "thumbprint: (which certificate of the store)");
    ok = false;
  }
  if (has_thumbprint && !has_file && (key.password_file || key.password_env)) {
    reader.report(entry, std::string(key.password_file ? "password_file" : "password_env") +
                             " with thumbprint; allowed: no password for a certificate-store key (tlsring exports "
                             "the key from the store itself)");
    ok = false;
  }
  if (thumbprint) {
    key.certificate_store_key = CertificateStoreKeyConfig{*thumbprint, store.value_or(CertificateStoreName{})};
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
