#pragma once
// What every client command of dkm shares: writing to the terminal, asking the
// supervisor, reading its answers, and the message when no supervisor runs.
// Implementation: libdkm/src/supervise/client_support.cpp.

#include <dkm/core/install_layout.hpp>
#include "control_protocol.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace dkm::supervise {

/// Writes text to stdout in one go (no iostreams on the hot path of `dkm status`).
void out(const std::string& text);
/// Writes a line to stderr, after what stdout holds.
void err(const std::string& text);

/// Closes a descriptor when leaving a scope.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

/// "all" anywhere means every program: the protocol's empty list.
std::vector<std::string> request_names(const std::vector<std::string>& names);

/// True when `spec` names one process (NAME, GROUP:NAME), not a group (GROUP:*, GROUP:):
/// what pid, tail and fg take, as supervisord's getProcessInfo.
inline bool names_one_process(const std::string& spec) {
  return !spec.empty() && spec.back() != ':' && spec.find(":*") == std::string::npos;
}

/// Sends a request and returns the response; an error response becomes an Error.
nlohmann::json ask(int fd, const Request& req, std::chrono::milliseconds timeout);

/// The services of a response.
std::vector<ServiceStatus> statuses_of(const nlohmann::json& resp);
/// The outcomes of a response.
std::vector<Outcome> outcomes_of(const nlohmann::json& resp);

/// supervisorctl's tail -f and fg start with the log's last 1024 bytes (supervisord's logtail).
inline constexpr std::size_t kFollowHead = 1024;

/// SIGINT read from a descriptor while it lives, so that Ctrl-C ends a follow cleanly
/// (supervisorctl catches it and exits 0).
class InterruptWatch {
 public:
  /// Blocks SIGINT and opens the descriptor; throws Error when it cannot.
  InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;
  /// Consumes a pending SIGINT and restores the signal mask.
  ~InterruptWatch();
  /// Readable once SIGINT came.
  int fd() const { return fd_; }

 private:
  sigset_t old_;
  int fd_ = -1;
};

/// "dkm: the supervisor is not running (DIR)" and a newline.
std::string not_running_message(const InstallLayout& layout);

}  // namespace dkm::supervise
