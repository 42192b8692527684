#pragma once
// The carbon test double of the dashboards group (and of the installer and cluster groups).
//
// CarbonRecorder stands in for go-carbon's plaintext listener (go-carbon needs Go 1.24,
// which CI lacks): it accepts TCP connections on 127.0.0.1:PORT and records every
// "path value timestamp" line it receives, so a test can see exactly what collectd or
// DSS would have stored. Like go-carbon, it stores no point for a NaN value: collectd
// sends "nan" for a rate's first sample and for 0/0 percentages (swap on a host
// without swap), and go-carbon creates no whisper file for those.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace dkm::test {

/// Binds a TCP socket on an IPv4 address and port, in the calling thread's network
/// namespace; -1 when it cannot.
inline int bind_tcp(const std::string& address, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1 ||
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Binds a TCP socket on 127.0.0.1:port; -1 when the port is taken.
inline int bind_loopback(int port) { return bind_tcp("127.0.0.1", port); }

/// A base PORT such that PORT..PORT+9 (the install's ten ports) were all free a moment ago.
inline int free_port_block() {
  for (int attempt = 0; attempt < 200; ++attempt) {
    int probe = bind_loopback(0);
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(probe);
    int base = ntohs(addr.sin_port);
    if (base + 9 > 65535) continue;
    bool all_free = true;
    for (int p = base; p < base + 10 && all_free; ++p) {
      int fd = bind_loopback(p);
      if (fd < 0) all_free = false;
      else ::close(fd);
    }
    if (all_free) return base;
  }
  throw Error("no block of ten free ports on 127.0.0.1");
}

/// Sends Graphite plaintext lines to 127.0.0.1:port over one TCP connection, as DSS does.
inline void send_plaintext(int port, const std::vector<std::string>& lines) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(fd);
    throw Error("127.0.0.1:" + std::to_string(port) + ": cannot connect: " + errno_text(err));
  }
  std::string payload;
  for (const auto& line : lines) payload += line + "\n";
  size_t off = 0;
  while (off < payload.size()) {
    ssize_t n = ::send(fd, payload.data() + off, payload.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::close(fd);
}

/// The metric path of a plaintext line ("path value timestamp") when its value is a
/// number go-carbon would store (not "nan"); empty otherwise.
inline std::string stored_metric_path(std::string_view line) {
  std::vector<std::string> fields = split(trim(line), ' ');
  if (fields.size() < 2) return {};
  char* end = nullptr;
  double value = std::strtod(fields[1].c_str(), &end);
  if (end == fields[1].c_str() || *end != '\0' || std::isnan(value)) return {};
  return fields[0];
}

/// The distinct metric paths among plaintext `lines` that go-carbon would store.
inline std::set<std::string> stored_metric_names(const std::vector<std::string>& lines) {
  std::set<std::string> names;
  for (const auto& line : lines)
    if (std::string path = stored_metric_path(line); !path.empty()) names.insert(path);
  return names;
}

/// Test double for go-carbon's plaintext TCP listener: records every line it receives.
class CarbonRecorder {
 public:
  /// Listens on 127.0.0.1:port; throws Error when the port is taken.
  explicit CarbonRecorder(int port) : CarbonRecorder("127.0.0.1", port) {}
  /// Listens on address:port (IPv4): an address of the network namespace the calling
  /// thread is in (the cluster tests record one backend host each); throws Error when it cannot.
  CarbonRecorder(const std::string& address, int port) : port_(port) {
    listen_fd_ = bind_tcp(address, port);
    if (listen_fd_ < 0 || ::listen(listen_fd_, 16) != 0)
      throw Error("carbon recorder: cannot listen on " + address + ":" + std::to_string(port));
    if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw Error("pipe: " + errno_text());
    thread_ = std::thread([this] { loop(); });
  }
  CarbonRecorder(const CarbonRecorder&) = delete;
  CarbonRecorder& operator=(const CarbonRecorder&) = delete;
  ~CarbonRecorder() {
    (void)!::write(stop_pipe_[1], "x", 1);
    thread_.join();
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
    ::close(listen_fd_);
  }

  /// The port it listens on.
  int port() const { return port_; }

  /// Every complete line received so far, in arrival order.
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

  /// The distinct metric paths received so far with at least one numeric value: the
  /// metrics go-carbon would hold.
  std::set<std::string> metric_names() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return names_;
  }

  /// How many connections were accepted so far.
  int connections() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return connections_;
  }

 private:
  void record(const std::string& line) {
    std::string_view text = trim(line);
    if (text.empty()) return;
    std::string path = stored_metric_path(text);
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.emplace_back(text);
    if (!path.empty()) names_.insert(path);
  }

  void loop() {
    std::map<int, std::string> partial;  // fd -> bytes after the last newline
    for (;;) {
      std::vector<pollfd> fds{{stop_pipe_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
      for (const auto& [fd, _] : partial) fds.push_back({fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[0].revents) break;
      if (fds[1].revents & POLLIN) {
        int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client >= 0) {
          partial[client];
          std::lock_guard<std::mutex> lock(mutex_);
          ++connections_;
        }
      }
      for (size_t i = 2; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        char buf[65536];
        ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        std::string& pending = partial[fds[i].fd];
        if (n <= 0) {
          if (!pending.empty()) record(pending);
          ::close(fds[i].fd);
          partial.erase(fds[i].fd);
          continue;
        }
        pending.append(buf, static_cast<size_t>(n));
        size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
          record(pending.substr(0, newline));
          pending.erase(0, newline + 1);
        }
      }
    }
    for (const auto& [fd, _] : partial) ::close(fd);
  }

  int port_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  std::set<std::string> names_;
  int connections_ = 0;
};

}  // namespace dkm::test
