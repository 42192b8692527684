#pragma once
// One attempt of a `ready = tcp:HOST:PORT` probe: a non-blocking connect whose
// outcome the event loop learns from EPOLLOUT. Nothing is sent; the connection is
// closed at once.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

namespace dkm::supervise {

/// A resolved probe address.
struct ProbeAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

/// Resolves HOST (a numeric address, or a name through /etc/hosts and DNS) and PORT.
inline std::optional<ProbeAddress> resolve_probe_address(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) return std::nullopt;
  ProbeAddress out;
  std::memcpy(&out.addr, res->ai_addr, res->ai_addrlen);
  out.len = res->ai_addrlen;
  ::freeaddrinfo(res);
  return out;
}

/// The state of a connect attempt.
enum class ConnectState { kConnected, kInProgress, kFailed };

/// Starts a non-blocking connect; `fd` receives the socket (closed by the caller unless kFailed).
inline ConnectState start_tcp_connect(const ProbeAddress& address, int& fd) {
  fd = ::socket(address.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ConnectState::kFailed;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.addr), address.len) == 0) return ConnectState::kConnected;
  if (errno == EINPROGRESS) return ConnectState::kInProgress;
  ::close(fd);
  fd = -1;
  return ConnectState::kFailed;
}

/// After EPOLLOUT on an in-progress connect: true when it connected.
inline bool finish_tcp_connect(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  return ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

}  // namespace dkm::supervise
