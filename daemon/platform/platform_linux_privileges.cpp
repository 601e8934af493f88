// privileges.h on Linux: setuid(2) and friends.
#include "daemon/platform/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/output/private_file.h"

namespace tlsring::platform {
namespace {

struct Account {
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<Account> find_account(const std::string& user) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  const int error = ::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (found == nullptr) {
    return make_error("user: '" + user + "' does not exist" + (error != 0 ? std::string(" (") + std::strerror(error) + ")" : "") +
                      "; create it (useradd --system " + user + ") or change `user:` in the config");
  }
  return Account{entry.pw_uid, entry.pw_gid};
}

}  // namespace

Status hand_directory_to(const std::filesystem::path& directory, const std::string& user) {
  auto account = find_account(user);
  if (!account.ok()) return account.error();
  if (Status made = output::create_private_directory(directory); !made.ok()) return made;
  // Everything below too: a ring and ledger left by a run as root go on.
  std::error_code error;
  std::vector<std::filesystem::path> paths{directory};
  for (auto it = std::filesystem::recursive_directory_iterator(directory, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    paths.push_back(it->path());
  }
  for (const auto& path : paths) {
    if (::lchown(path.c_str(), account->uid, account->gid) != 0) {
      return make_error("cannot give " + path.string() + " to " + user + ": " + std::strerror(errno));
    }
  }
  return {};
}

Status drop_privileges_to(const std::string& user) {
  auto account = find_account(user);
  if (!account.ok()) return account.error();
  if (::setgroups(0, nullptr) != 0 || ::setgid(account->gid) != 0 || ::setuid(account->uid) != 0) {
    return make_error("cannot become user " + user + ": " + std::strerror(errno));
  }
  // Proof that there is no way back: root must be out of reach now.
  if (::setuid(0) == 0) return make_error("cannot drop root: setuid(0) still succeeds after becoming " + user);
  ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  return {};
}

}  // namespace tlsring::platform
