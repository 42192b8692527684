// Readiness probes: TCP connects and probe commands, one attempt at a time per service.
#include "probes.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/process.hpp>

#include <netdb.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <optional>

namespace dkm::supervise {

namespace {

/// A resolved probe address.
struct ProbeAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

/// Resolves HOST (a numeric address, or a name through /etc/hosts and DNS) and PORT.
std::optional<ProbeAddress> resolve(const std::string& host, int port) {
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
ConnectState start_connect(const ProbeAddress& address, int& fd) {
  fd = ::socket(address.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ConnectState::kFailed;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.addr), address.len) == 0) return ConnectState::kConnected;
  if (errno == EINPROGRESS) return ConnectState::kInProgress;
  ::close(fd);
  fd = -1;
  return ConnectState::kFailed;
}

/// After EPOLLOUT on an in-progress connect: true when it connected.
bool finish_connect(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  return ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

}  // namespace

ReadinessProbes::ReadinessProbes(EventLoop& loop, EventLog& log, const ServiceProcesses& processes)
    : loop_(loop), log_(log), processes_(processes) {}

ReadinessProbes::~ReadinessProbes() {
  for (auto& [name, socket] : sockets_) ::close(socket.fd);
}

void ReadinessProbes::attempt(const ProgramConfig& cfg) {
  if (cfg.ready.kind == ReadyProbe::Kind::kTcp) attempt_tcp(cfg);
  else attempt_command(cfg);
}

void ReadinessProbes::attempt_tcp(const ProgramConfig& cfg) {
  const std::string name = cfg.name;
  auto address = resolve(cfg.ready.host, cfg.ready.port);
  int fd = -1;
  ConnectState st = address ? start_connect(*address, fd) : ConnectState::kFailed;
  if (st == ConnectState::kConnected) ::close(fd);
  if (st != ConnectState::kInProgress) {
    report_(name, st == ConnectState::kConnected);
    return;
  }
  Socket& socket = sockets_[name];
  socket.fd = fd;
  loop_.watch(fd, EPOLLOUT, [this, name, fd](std::uint32_t) {
    bool ok = finish_connect(fd);
    close_socket(name);
    report_(name, ok);
  });
  socket.timeout = loop_.after(kProbeConnectTimeout, [this, name] {
    sockets_[name].timeout = 0;
    close_socket(name);
    report_(name, false);
  });
}

void ReadinessProbes::attempt_command(const ProgramConfig& cfg) {
  SpawnOptions options;
  options.argv = cfg.ready.argv;
  options.cwd = cfg.directory;
  options.env = processes_.environment(cfg);
  options.grouping = Grouping::kOwnGroup;
  options.out = options.err = Output::kNull;
  try {
    pid_t pid = spawn_process(options).pid;
    commands_[pid] = Command{cfg.name, loop_.after(kProbeCommandTimeout, [pid] {
                               ::kill(-pid, SIGKILL);  // its exit comes back as a failed probe
                             })};
  } catch (const Error& e) {
    log_.warn("probe of '" + cfg.name + "': " + e.what());
    report_(cfg.name, false);
  }
}

void ReadinessProbes::close_socket(const std::string& name) {
  auto it = sockets_.find(name);
  if (it == sockets_.end()) return;
  loop_.unwatch(it->second.fd);
  ::close(it->second.fd);
  loop_.cancel(it->second.timeout);
  sockets_.erase(it);
}

void ReadinessProbes::abandon(const std::string& name) {
  close_socket(name);
  for (auto it = commands_.begin(); it != commands_.end();) {
    if (it->second.name != name) {
      ++it;
      continue;
    }
    ::kill(-it->first, SIGKILL);  // reaped later as a stray child
    loop_.cancel(it->second.timeout);
    it = commands_.erase(it);
  }
}

bool ReadinessProbes::process_exited(pid_t pid, int status) {
  auto it = commands_.find(pid);
  if (it == commands_.end()) return false;
  Command command = it->second;
  commands_.erase(it);
  loop_.cancel(command.timeout);
  report_(command.name, WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return true;
}

}  // namespace dkm::supervise
