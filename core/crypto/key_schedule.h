// Key derivation for SSL 3.0 and TLS 1.0-1.2 (RFC 6101 §6.2, RFC 2246 §6,
// RFC 5246 §5-§8, RFC 7627) and TLS 1.3 (RFC 8446 §7). TLS PRFs run through
// OpenSSL's EVP_KDF "TLS1-PRF" and "HKDF"; SSL 3.0's MD5/SHA-1 construction is
// written out here because OpenSSL has no KDF for it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/crypto/cipher_suite.h"
#include "core/result.h"

namespace tlsring::crypto {

using ByteView = std::span<const std::uint8_t>;
using ByteVector = std::vector<std::uint8_t>;

// The TLS PRF: PRF(secret, label, seed)[0..length-1], with MD5 and SHA-1
// halves for TLS 1.0/1.1 (version 0x0301/0x0302, RFC 2246 §5) or P_hash for
// TLS 1.2 (0x0303, RFC 5246 §5). SSL 3.0 and TLS 1.3 have no such PRF: error.
Result<ByteVector> tls_prf(std::uint16_t version, PrfHash hash, ByteView secret, std::string_view label,
                           ByteView seed, std::size_t length);

// master_secret = PRF(pre_master, "master secret", client_random + server_random)[0..47]
Result<ByteVector> derive_master_secret(std::uint16_t version, const CipherSuite& suite, ByteView pre_master,
                                        ByteView client_random, ByteView server_random);

// RFC 7627: PRF(pre_master, "extended master secret", session_hash)[0..47].
Result<ByteVector> derive_extended_master_secret(std::uint16_t version, const CipherSuite& suite,
                                                 ByteView pre_master, ByteView session_hash);

// The hash of `handshake_messages` that RFC 7627 and Finished use for this version:
// MD5 || SHA-1 before TLS 1.2, the suite's PRF hash in TLS 1.2.
Result<ByteVector> handshake_hash(std::uint16_t version, const CipherSuite& suite, ByteView handshake_messages);

// key_block = PRF(master, "key expansion", server_random + client_random), split
// in the order of RFC 5246 §6.3.
struct ConnectionKeys {
  ByteVector client_mac_key, server_mac_key;
  ByteVector client_key, server_key;
  ByteVector client_iv, server_iv;   // CBC IV (SSL 3.0/TLS 1.0) or AEAD implicit nonce part
};
Result<ConnectionKeys> derive_connection_keys(std::uint16_t version, const CipherSuite& suite, ByteView master_secret,
                                              ByteView client_random, ByteView server_random);

// The verify_data that the Finished of the client (from_client) or server
// carries, over all handshake messages before that Finished. SSL 3.0 gives 36
// bytes, TLS 12.
Result<ByteVector> finished_verify_data(std::uint16_t version, const CipherSuite& suite, ByteView master_secret,
                                        bool from_client, ByteView handshake_messages);

// TLS 1.3 (and drafts >= 20): HKDF-Expand-Label(secret, label, context, length)
// with the "tls13 " prefix, on the suite's hash.
Result<ByteVector> hkdf_expand_label(PrfHash hash, ByteView secret, std::string_view label, ByteView context,
                                     std::size_t length);

struct TrafficKeys {
  ByteVector key;
  ByteVector iv;
};
// key = HKDF-Expand-Label(secret, "key", "", key_length), iv likewise with "iv".
Result<TrafficKeys> derive_tls13_traffic_keys(const CipherSuite& suite, ByteView traffic_secret);
// next_secret = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length) (KeyUpdate)
Result<ByteVector> next_tls13_traffic_secret(const CipherSuite& suite, ByteView traffic_secret);
// verify_data = HMAC(HKDF-Expand-Label(base_key, "finished", "", Hash.length), transcript_hash)
Result<ByteVector> tls13_finished_verify_data(const CipherSuite& suite, ByteView base_key, ByteView transcript_hash);
// Transcript-Hash(messages) with the suite's hash.
Result<ByteVector> tls13_transcript_hash(const CipherSuite& suite, ByteView handshake_messages);

// The functions above keep OpenSSL contexts per thread, made on first use.
// A thread that used them frees them with this before it ends (a thread that
// does not leaves them allocated). There is no thread_local destructor to do
// it: with mingw-w64 one may run after the thread's TLS storage is gone, which
// crashed tlsring.exe at a worker's exit.
void release_thread_key_schedule_contexts();

}  // namespace tlsring::crypto
