#include "core/decrypt/key_store.h"

#include <algorithm>
#include <functional>

namespace tlsring::decrypt {
namespace {

std::string as_key(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

// Sessions remembered for resumption; clients resume recent sessions, so the
// oldest go first. About 150 bytes each.
constexpr std::size_t kMaxCachedSessions = 50000;
// Values learned for one session ID or ticket (a server may reuse a session ID).
constexpr std::size_t kMaxValuesPerKey = 4;

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
  if (found == nullptr) found = earlier_secrets_.find(client_random);
  if (found == nullptr) return std::nullopt;
  return *found;
}

std::optional<keys::Secret> KeyStore::key_log_rsa_premaster(ByteView encrypted_premaster) const {
  std::lock_guard lock(mutex_);
  return key_log_.find_rsa_premaster(encrypted_premaster);
}

std::optional<keys::Secret> KeyStore::key_log_master_by_session_id(ByteView session_id) const {
  std::lock_guard lock(mutex_);
  return session_id_in_key_logs(session_id);
}

std::optional<keys::Secret> KeyStore::session_id_in_key_logs(ByteView session_id) const {
  if (auto found = key_log_.find_by_session_id(session_id)) return found;
  return earlier_secrets_.find_by_session_id(session_id);
}

KeyStore::KeyLogContents KeyStore::key_log_contents() const {
  std::lock_guard lock(mutex_);
  return KeyLogContents{key_logs_given_, key_log_.size(), key_log_.client_randoms()};
}

template <class Value>
void KeyStore::BoundedMap<Value>::put(std::string key, Value value, CaptureOrder at) {
  auto [it, inserted] = values.try_emplace(key);
  std::vector<Learned>& learned = it->second;
  auto same = std::find_if(learned.begin(), learned.end(), [&](const Learned& l) { return l.value == value; });
  if (same != learned.end()) {
    if (same->at <= at) return;  // known already from there on
    learned.erase(same);
  }
  auto later = std::find_if(learned.begin(), learned.end(), [&](const Learned& l) { return at < l.at; });
  learned.insert(later, Learned{at, std::move(value)});
  if (learned.size() > kMaxValuesPerKey) learned.erase(learned.begin());
  if (!inserted) return;
  order.push_back(std::move(key));
  if (order.size() > kMaxCachedSessions) {
    values.erase(order.front());
    order.pop_front();
  }
}

template <class Value>
const Value* KeyStore::BoundedMap<Value>::find(const std::string& key, CaptureOrder at) const {
  auto it = values.find(key);
  if (it == values.end()) return nullptr;
  const Value* found = nullptr;
  for (const Learned& l : it->second) {
    if (at < l.at) break;
    found = &l.value;
  }
  return found;
}

template <class Value>
void KeyStore::BoundedMap<Value>::start_capture() {
  for (auto& [key, learned] : values) {
    // All from before this capture: only the latest value counts.
    Learned latest{CaptureOrder::start(), std::move(learned.back().value)};
    learned.clear();
    learned.push_back(std::move(latest));
  }
}

void KeyStore::start_capture() {
  std::lock_guard lock(mutex_);
  by_session_id_.start_capture();
  by_ticket_.start_capture();
  undecryptable_.start_capture();
}

void KeyStore::remember_undecryptable_session(ByteView session_id, ByteView ticket,
                                              const UndecryptableSession& session, CaptureOrder at) {
  std::lock_guard lock(mutex_);
  if (!session_id.empty()) undecryptable_.put("i" + as_key(session_id), session, at);
  if (!ticket.empty()) undecryptable_.put("t" + as_key(ticket), session, at);
}

std::optional<KeyStore::UndecryptableSession> KeyStore::why_undecryptable(ByteView session_id, ByteView ticket,
                                                                          CaptureOrder at) const {
  std::lock_guard lock(mutex_);
  if (!ticket.empty()) {
    if (const UndecryptableSession* found = undecryptable_.find("t" + as_key(ticket), at)) return *found;
  }
  if (!session_id.empty()) {
    if (const UndecryptableSession* found = undecryptable_.find("i" + as_key(session_id), at)) return *found;
  }
  return std::nullopt;
}

void KeyStore::remember_session_id(ByteView session_id, ByteView master_secret, CaptureOrder at) {
  if (session_id.empty()) return;
  std::lock_guard lock(mutex_);
  by_session_id_.put(as_key(session_id), keys::Secret(master_secret.begin(), master_secret.end()), at);
}

void KeyStore::remember_ticket(ByteView ticket, ByteView master_secret, CaptureOrder at) {
  if (ticket.empty()) return;
  std::lock_guard lock(mutex_);
  by_ticket_.put(as_key(ticket), keys::Secret(master_secret.begin(), master_secret.end()), at);
}

std::optional<keys::Secret> KeyStore::master_for_session_id(ByteView session_id, CaptureOrder at) const {
  if (session_id.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (const keys::Secret* found = by_session_id_.find(as_key(session_id), at)) return *found;
  return session_id_in_key_logs(session_id);
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

std::optional<keys::Secret> KeyStore::master_for_ticket(ByteView ticket, CaptureOrder at) const {
  if (ticket.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (const keys::Secret* found = by_ticket_.find(as_key(ticket), at)) return *found;
  return std::nullopt;
}

}  // namespace tlsring::decrypt
