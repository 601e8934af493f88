#include "core/decrypt/key_store.h"

#include <functional>

namespace tlsring::decrypt {
namespace {

std::string as_key(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

// Sessions remembered for resumption; clients resume recent sessions, so the
// oldest go first. About 150 bytes each.
constexpr std::size_t kMaxCachedSessions = 50000;

}  // namespace

std::size_t KeyStore::EndpointHash::operator()(const net::Endpoint& e) const {
  std::size_t h = std::hash<std::string_view>()(
      std::string_view(reinterpret_cast<const char*>(e.ip.bytes.data()), e.ip.bytes.size()));
  return h ^ (static_cast<std::size_t>(e.port) * 0x9e3779b97f4a7c15ULL) ^ e.ip.version;
}

void KeyStore::add_bound_key(const net::Endpoint& server, keys::RsaPrivateKey key) {
  bound_.insert_or_assign(server, std::move(key));
}

void KeyStore::add_unbound_key(keys::RsaPrivateKey key) { unbound_.push_back(std::move(key)); }

void KeyStore::clear_rsa_keys() {
  bound_.clear();
  unbound_.clear();
}

Status KeyStore::add_key_log_text(std::string_view text, const std::string& source) {
  std::lock_guard lock(mutex_);
  return key_log_.add_text(text, source);
}

const keys::RsaPrivateKey* KeyStore::bound_key(const net::Endpoint& server) const {
  auto it = bound_.find(server);
  return it == bound_.end() ? nullptr : &it->second;
}

const keys::RsaPrivateKey* KeyStore::unbound_key_for(const keys::PublicKeyId& id) const {
  for (const auto& key : unbound_) {
    if (key.public_key_id() == id) return &key;
  }
  return nullptr;
}

std::optional<keys::ClientRandomSecrets> KeyStore::key_log_secrets(ByteView client_random) const {
  std::lock_guard lock(mutex_);
  const auto* found = key_log_.find(client_random);
  if (found == nullptr) return std::nullopt;
  return *found;
}

std::optional<keys::Secret> KeyStore::key_log_rsa_premaster(ByteView encrypted_premaster) const {
  std::lock_guard lock(mutex_);
  return key_log_.find_rsa_premaster(encrypted_premaster);
}

std::optional<keys::Secret> KeyStore::key_log_master_by_session_id(ByteView session_id) const {
  std::lock_guard lock(mutex_);
  return key_log_.find_by_session_id(session_id);
}

template <class Value>
void KeyStore::BoundedMap<Value>::put(std::string key, Value value) {
  auto [it, inserted] = values.insert_or_assign(key, std::move(value));
  if (!inserted) return;
  order.push_back(std::move(key));
  if (order.size() > kMaxCachedSessions) {
    values.erase(order.front());
    order.pop_front();
  }
}

template <class Value>
const Value* KeyStore::BoundedMap<Value>::find(const std::string& key) const {
  auto it = values.find(key);
  return it == values.end() ? nullptr : &it->second;
}

void KeyStore::remember_undecryptable_session(ByteView session_id, ByteView ticket, const std::string& why) {
  std::lock_guard lock(mutex_);
  if (!session_id.empty()) undecryptable_.put("i" + as_key(session_id), why);
  if (!ticket.empty()) undecryptable_.put("t" + as_key(ticket), why);
}

std::optional<std::string> KeyStore::why_undecryptable(ByteView session_id, ByteView ticket) const {
  std::lock_guard lock(mutex_);
  if (!ticket.empty()) {
    if (const std::string* why = undecryptable_.find("t" + as_key(ticket))) return *why;
  }
  if (!session_id.empty()) {
    if (const std::string* why = undecryptable_.find("i" + as_key(session_id))) return *why;
  }
  return std::nullopt;
}

void KeyStore::remember_session_id(ByteView session_id, ByteView master_secret) {
  if (session_id.empty()) return;
  std::lock_guard lock(mutex_);
  by_session_id_.put(as_key(session_id), keys::Secret(master_secret.begin(), master_secret.end()));
}

void KeyStore::remember_ticket(ByteView ticket, ByteView master_secret) {
  if (ticket.empty()) return;
  std::lock_guard lock(mutex_);
  by_ticket_.put(as_key(ticket), keys::Secret(master_secret.begin(), master_secret.end()));
}

std::optional<keys::Secret> KeyStore::master_for_session_id(ByteView session_id) const {
  if (session_id.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (const keys::Secret* found = by_session_id_.find(as_key(session_id))) return *found;
  return key_log_.find_by_session_id(session_id);
}

KeyStore::CertificateIdentity KeyStore::certificate_identity(ByteView certificate_der) const {
  // Bounded: a capture with more distinct certificates than this just parses again.
  constexpr std::size_t kMaxCachedCertificates = 4096;
  std::string key = as_key(certificate_der);
  {
    std::lock_guard lock(mutex_);
    auto it = certificates_.find(key);
    if (it != certificates_.end()) return it->second;
  }
  CertificateIdentity identity;
  if (auto id = keys::certificate_public_key_id(certificate_der); id.ok()) identity.public_key_id = *id;
  identity.subject = keys::certificate_subject(certificate_der);
  std::lock_guard lock(mutex_);
  if (certificates_.size() >= kMaxCachedCertificates) certificates_.clear();
  certificates_.emplace(std::move(key), identity);
  return identity;
}

std::optional<keys::Secret> KeyStore::master_for_ticket(ByteView ticket) const {
  if (ticket.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (const keys::Secret* found = by_ticket_.find(as_key(ticket))) return *found;
  return std::nullopt;
}

}  // namespace tlsring::decrypt
