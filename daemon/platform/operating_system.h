// Which operating system this build is for, as a value: policies take it as a
// parameter (so that Linux unit tests can try the Windows answer) instead of
// branching on _WIN32 themselves.
#pragma once

namespace tlsring::platform {

enum class OperatingSystem { posix, windows };

#ifdef _WIN32
inline constexpr OperatingSystem kThisOperatingSystem = OperatingSystem::windows;
#else
inline constexpr OperatingSystem kThisOperatingSystem = OperatingSystem::posix;
#endif

}  // namespace tlsring::platform
