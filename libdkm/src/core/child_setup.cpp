// What a child does between fork and exec: see child_setup.hpp.
#include "child_setup.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <csignal>

namespace dkm {

std::optional<int> ChildSetup::apply() const noexcept {
  if (grouping == Grouping::kOwnGroup) ::setpgid(0, 0);
  if (grouping == Grouping::kOwnSession || grouping == Grouping::kDetached) ::setsid();
  if (grouping == Grouping::kDetached) {
    pid_t grandchild = ::fork();
    if (grandchild < 0) return encode(kSetup, errno);
    if (grandchild > 0) ::_exit(0);  // the grandchild goes on, with init as its parent
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  if ((stdin_fd >= 0 && ::dup2(stdin_fd, 0) < 0) || (stdout_fd >= 0 && ::dup2(stdout_fd, 1) < 0) ||
      (stderr_to_stdout && ::dup2(1, 2) < 0) || (stderr_fd >= 0 && ::dup2(stderr_fd, 2) < 0))
    return encode(kSetup, errno);
  for (int fd : inherited_fds) ::fcntl(fd, F_SETFD, 0);
  if (umask) ::umask(*umask);
  for (const auto& [resource, value] : limits) {
    rlimit limit{value, value};
    if (::setrlimit(resource, &limit) != 0) return encode(kSetup, errno);
  }
  if (cwd && ::chdir(cwd) != 0) return encode(kEnterDirectory, errno);
  return std::nullopt;
}

}  // namespace dkm
