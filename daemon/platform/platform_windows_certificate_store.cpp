// export_certificate_store_key on Windows. The certificate is copied into a
// memory store and that store exported as PKCS#12 (PFXExportCertStoreEx) under
// a random one-off password: the key then takes the same road as a .pfx file
// (core's PKCS#12 loader), and the export works for keys marked exportable
// under both CryptoAPI and CNG, where NCryptExportKey's plain-text blob would
// also need "allow plaintext export", which certificate imports never set.
#include "daemon/platform/platform_windows_text.h"

#include <bcrypt.h>
#include <wincrypt.h>

#include <memory>
#include <type_traits>
#include <vector>

#include "daemon/platform/platform.h"

namespace tlsring::platform {
namespace {

struct StoreCloser {
  void operator()(HCERTSTORE store) const { CertCloseStore(store, 0); }
};
using StoreHandle = std::unique_ptr<std::remove_pointer_t<HCERTSTORE>, StoreCloser>;

struct CertificateFree {
  void operator()(PCCERT_CONTEXT certificate) const { CertFreeCertificateContext(certificate); }
};
using CertificateHandle = std::unique_ptr<const CERT_CONTEXT, CertificateFree>;

constexpr const char* kReimport =
    "re-import the certificate from its original .pfx with \"Mark this key as exportable\" ticked "
    "(certlm.msc > Personal > Certificates > All Tasks > Import), or Import-PfxCertificate -Exportable; "
    "or export a .pfx where the key is exportable and give that file as the key's `file`";

constexpr const char* kGrantRead =
    "the private key is not readable by this account: in certlm.msc right-click the certificate > All Tasks > "
    "Manage Private Keys and give the account running tlsring (SYSTEM for the service) Read";

std::string subject_of(PCCERT_CONTEXT certificate) {
  const DWORD length = CertGetNameStringW(certificate, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, nullptr, nullptr, 0);
  if (length <= 1) return "(no subject name)";
  std::wstring name(length, L'\0');
  CertGetNameStringW(certificate, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, nullptr, name.data(), length);
  name.resize(length - 1);  // the count includes the terminating NUL
  return narrow(name);
}

bool has_private_key(PCCERT_CONTEXT certificate) {
  DWORD size = 0;
  return CertGetCertificateContextProperty(certificate, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size) ||
         CertGetCertificateContextProperty(certificate, CERT_NCRYPT_KEY_HANDLE_PROP_ID, nullptr, &size);
}

// 24 random bytes as 48 hex digits: only the blob's protection while it
// travels to the loader in this process.
Result<std::wstring> random_password() {
  unsigned char bytes[24];
  const NTSTATUS status = BCryptGenRandom(nullptr, bytes, sizeof bytes, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
  if (status < 0) return windows_error("cannot make a random export password", static_cast<DWORD>(status));
  static constexpr wchar_t kHex[] = L"0123456789abcdef";
  std::wstring password;
  for (unsigned char byte : bytes) {
    password.push_back(kHex[byte >> 4]);
    password.push_back(kHex[byte & 0x0F]);
  }
  SecureZeroMemory(bytes, sizeof bytes);
  return password;
}

Error export_error(DWORD code) {
  switch (code) {
    case static_cast<DWORD>(NTE_BAD_KEY_STATE):
    case static_cast<DWORD>(NTE_PERM):
    case static_cast<DWORD>(NTE_NOT_SUPPORTED):
      return make_error("the private key is not exportable (" + windows_error_text(code) + "): " + kReimport);
    case static_cast<DWORD>(NTE_BAD_KEYSET):
    case static_cast<DWORD>(NTE_NO_KEY):
    case ERROR_ACCESS_DENIED:
      return make_error(std::string(kGrantRead) + " (" + windows_error_text(code) + ")");
    default:
      return make_error("cannot export the private key (" + windows_error_text(code) +
                        "); if it is not exportable: " + kReimport);
  }
}

}  // namespace

Result<ExportedStoreKey> export_certificate_store_key(const CertificateStoreName& store, const Thumbprint& thumbprint) {
  const DWORD location = store.location == CertificateStoreName::Location::local_machine
                             ? CERT_SYSTEM_STORE_LOCAL_MACHINE
                             : CERT_SYSTEM_STORE_CURRENT_USER;
  const std::wstring store_name = widen(store.store);
  StoreHandle system(CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                                   location | CERT_STORE_OPEN_EXISTING_FLAG | CERT_STORE_READONLY_FLAG,
                                   store_name.c_str()));
  if (!system) {
    const DWORD code = GetLastError();
    if (code == ERROR_FILE_NOT_FOUND) {
      return make_error("there is no such store: a server's certificate is usually in LocalMachine\\My "
                        "(certlm.msc > Personal)");
    }
    return windows_error("cannot open the store", code);
  }

  CRYPT_HASH_BLOB hash{static_cast<DWORD>(thumbprint.size()), const_cast<BYTE*>(thumbprint.data())};
  CertificateHandle certificate(CertFindCertificateInStore(system.get(), X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0,
                                                           CERT_FIND_HASH, &hash, nullptr));
  if (!certificate) {
    return make_error("no certificate with this thumbprint in the store: compare it with the Thumbprint in "
                      "certlm.msc (Local Computer; certmgr.msc shows the current user's store, which the "
                      "service's account does not see)");
  }
  const std::string subject = subject_of(certificate.get());
  if (!has_private_key(certificate.get())) {
    return make_error("the certificate (" + subject + ") has no private key in this store: import the .pfx "
                      "(certificate with key), not the .cer");
  }

  StoreHandle memory(CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, CERT_STORE_CREATE_NEW_FLAG, nullptr));
  if (!memory) return windows_error("cannot create a memory certificate store", GetLastError());
  // The copy keeps the certificate's properties, among them where its key is.
  if (!CertAddCertificateContextToStore(memory.get(), certificate.get(), CERT_STORE_ADD_ALWAYS, nullptr)) {
    return windows_error("cannot copy the certificate for export", GetLastError());
  }

  auto password = random_password();
  if (!password.ok()) return password.error();
  const DWORD flags = EXPORT_PRIVATE_KEYS | REPORT_NO_PRIVATE_KEY | REPORT_NOT_ABLE_TO_EXPORT_PRIVATE_KEY;
  CRYPT_DATA_BLOB blob{0, nullptr};
  if (!PFXExportCertStoreEx(memory.get(), &blob, password->c_str(), nullptr, flags)) {
    return export_error(GetLastError()).with_context("certificate " + subject);
  }
  std::vector<std::uint8_t> pkcs12(blob.cbData);
  blob.pbData = pkcs12.data();
  if (!PFXExportCertStoreEx(memory.get(), &blob, password->c_str(), nullptr, flags)) {
    SecureZeroMemory(pkcs12.data(), pkcs12.size());
    return export_error(GetLastError()).with_context("certificate " + subject);
  }
  pkcs12.resize(blob.cbData);

  ExportedStoreKey key{std::move(pkcs12), narrow(*password), subject};
  SecureZeroMemory(password->data(), password->size() * sizeof(wchar_t));
  return key;
}

}  // namespace tlsring::platform
