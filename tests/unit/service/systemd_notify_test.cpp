// The sd_notify protocol spoken to a datagram socket of the test's own, as
// systemd would listen on it (sd_notify(3): NOTIFY_SOCKET, "@" = abstract).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "daemon/service/systemd_notify.h"

using tlsring::daemon::SystemdNotifier;

namespace {

class FakeSystemd {
 public:
  explicit FakeSystemd(const std::string& name) : name_(name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name[0] == '@') address.sun_path[0] = '\0';
    else std::filesystem::remove(name);
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0);
    timeval timeout{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~FakeSystemd() {
    ::close(fd_);
    if (name_[0] != '@') std::filesystem::remove(name_);
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
  std::string receive() {
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  std::string name_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("READY, STATUS, WATCHDOG and STOPPING reach a socket in the file system") {
  FakeSystemd systemd((std::filesystem::temp_directory_path() / ("tlsring-notify-" + std::to_string(::getpid()))).string());
  SystemdNotifier notifier;
  REQUIRE(notifier.enabled());
  notifier.ready();
  CHECK(systemd.receive() == "READY=1");
  notifier.status("capturing: 10 packets\nsecond line");
  CHECK(systemd.receive() == "STATUS=capturing: 10 packets second line");
  notifier.watchdog();
  CHECK(systemd.receive() == "WATCHDOG=1");
  notifier.stopping();
  CHECK(systemd.receive() == "STOPPING=1");
}

TEST_CASE("an abstract-namespace NOTIFY_SOCKET (@name) works too") {
  FakeSystemd systemd("@tlsring-notify-test-" + std::to_string(::getpid()));
  SystemdNotifier notifier;
  notifier.ready();
  CHECK(systemd.receive() == "READY=1");
}

TEST_CASE("the watchdog interval is half of WATCHDOG_USEC, and only for the process WATCHDOG_PID names") {
  FakeSystemd systemd("@tlsring-watchdog-test-" + std::to_string(::getpid()));
  ::setenv("WATCHDOG_USEC", "3000000", 1);
  {
    SystemdNotifier notifier;
    REQUIRE(notifier.watchdog_interval().has_value());
    CHECK(notifier.watchdog_interval()->count() == 1500);
  }
  ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
  {
    SystemdNotifier notifier;
    CHECK_FALSE(notifier.watchdog_interval().has_value());
  }
}

TEST_CASE("outside systemd (no NOTIFY_SOCKET) every notification is a no-op") {
  ::unsetenv("NOTIFY_SOCKET");
  SystemdNotifier notifier;
  CHECK_FALSE(notifier.enabled());
  CHECK_FALSE(notifier.send("READY=1"));
}
