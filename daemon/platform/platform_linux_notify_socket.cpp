// notify_socket.h on Linux: an AF_UNIX datagram socket (sd_notify(3)).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

#include "core/unique_fd.h"
#include "daemon/platform/notify_socket.h"

namespace tlsring::platform {
namespace {

class UnixNotifySocket final : public NotifySocket {
 public:
  UnixNotifySocket(UniqueFd fd, std::string address) : fd_(std::move(fd)), address_(std::move(address)) {}

  bool send(std::string_view message) override {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, address_.data(), address_.size());
    if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
    return ::sendto(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&address), length) == static_cast<ssize_t>(message.size());
  }

 private:
  UniqueFd fd_;
  std::string address_;
};

}  // namespace

std::unique_ptr<NotifySocket> open_notify_socket(const std::string& address) {
  if (address.empty() || address.size() >= sizeof(sockaddr_un{}.sun_path)) return nullptr;
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return nullptr;
  return std::make_unique<UnixNotifySocket>(std::move(fd), address);
}

}  // namespace tlsring::platform
