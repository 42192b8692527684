// The unix socket both sides use: listening owner-only, connecting, one call.
#include "control_socket.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include "control_protocol.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <chrono>
#include <string>

namespace dkm::supervise {

namespace {

socklen_t unix_address(const fs::path& path, sockaddr_un& addr, int& dir_fd) {
  addr = {};
  addr.sun_family = AF_UNIX;
  std::string name = path.string();
  dir_fd = -1;
  if (name.size() >= sizeof addr.sun_path) {
    dir_fd = ::open(path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return 0;
    name = "/proc/self/fd/" + std::to_string(dir_fd) + "/" + path.filename().string();
    if (name.size() >= sizeof addr.sun_path) return 0;
  }
  name.copy(addr.sun_path, name.size());
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
}

}  // namespace

}  // namespace dkm::supervise

namespace dkm::supervise {

int listen_control_socket(const DirHandle& dir, const std::string& name) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw Error("socket: " + errno_text());
  // Bound through the directory's handle: a link swapped in for DIR/run is not followed.
  sockaddr_un addr;
  int unused_fd = -1;
  socklen_t len = unix_address(dir.through(name), addr, unused_fd);
  dir.remove(name);
  mode_t old_mask = ::umask(077);  // no window in which the socket is open to others
  int rc = len == 0 ? -1 : ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
  int err = errno;
  ::umask(old_mask);
  if (unused_fd >= 0) ::close(unused_fd);
  if (rc != 0 || ::fchmodat(dir.fd(), name.c_str(), 0600, 0) != 0 || ::listen(fd, 64) != 0) {
    err = rc != 0 ? err : errno;
    ::close(fd);
    throw Error((dir / name).string() + ": cannot listen: " + errno_text(err));
  }
  return fd;
}

int connect_control_socket(const fs::path& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error("socket: " + errno_text());
  sockaddr_un addr;
  int dir_fd = -1;
  socklen_t len = unix_address(path, addr, dir_fd);
  int rc = len == 0 ? -1 : ::connect(fd, reinterpret_cast<sockaddr*>(&addr), len);
  int err = len == 0 ? ENOENT : errno;
  if (dir_fd >= 0) ::close(dir_fd);
  if (rc == 0) return fd;
  ::close(fd);
  if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR) return -1;
  throw Error(path.string() + ": cannot connect to the supervisor: " + errno_text(err));
}

nlohmann::json call_control(int fd, const Request& request, std::chrono::milliseconds timeout) {
  std::string line = render_request(request);
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::send(fd, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error("the supervisor closed the connection: " + errno_text());
    off += static_cast<size_t>(n);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string in;
  char buf[65536];
  for (;;) {
    size_t nl = in.find('\n');
    if (nl != std::string::npos) {
      try {
        return nlohmann::json::parse(in.substr(0, nl));
      } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("the supervisor sent a malformed response: ") + e.what());
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw Error("no answer from the supervisor within " + std::to_string(timeout.count() / 1000) + " s");
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error("the supervisor closed the connection before answering");
    in.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace dkm::supervise
