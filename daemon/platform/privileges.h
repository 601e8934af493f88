// Dropping root, per OS: once the capture handles are open and the keys read,
// a service started as root goes on as the configured user and its group, with
// no supplementary groups and no capabilities left (a change of user id away
// from 0 clears them all; PR_SET_NO_NEW_PRIVS keeps them from coming back).
// The open capture handles keep working: reading them needs no privilege.
// Windows: not applicable (the service runs as the account it is configured
// with in the Service Control Manager): both functions return an error saying
// so; running_as_root() (process.h) is false there, so they are not called.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.h"

namespace tlsring::platform {

// Gives `directory` (created if missing) and everything in it to `user`
// (owner and group), so the user can go on writing there after the drop.
// Only as root.
Status hand_directory_to(const std::filesystem::path& directory, const std::string& user);

// Becomes `user`. An error when the user does not exist or a step fails
// (never half-done: the process then must not go on).
Status drop_privileges_to(const std::string& user);

}  // namespace tlsring::platform
