#pragma once
// What a child does between fork and exec, as one Boost.Process on_exec_setup step.
//
// Boost.Process (1.74) gives the fork, the exec, the exec-error pipe and this extension
// point; what it cannot do is done here, and why:
//   - standard streams: the target is chosen at run time (a pipe, a file opened for
//     append, /dev/null, the parent's), while each of Boost's std_out/std_err
//     initializers is a distinct type; so the descriptors are prepared by the parent and
//     put in place here with dup2;
//   - the working directory: Boost's start_dir ignores a chdir that fails, and a service
//     started in the wrong directory must be refused, so chdir is done and checked here;
//   - a detached child (Grouping::kDetached) forks once more here, so that its parent is
//     init: Boost knows one fork only;
//   - process group or session, signal dispositions and mask, umask and resource limits
//     have no Boost initializer on POSIX.
// A step that fails reports through Boost's error pipe (exec.set_error) and exits; the
// step is encoded above the errno so the parent can say which one it was.
// Only async-signal-safe calls run in the child: every value is prepared beforehand.

#include <dkm/core/process.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

namespace dkm {

/// The child's side of a spawn.
struct ChildSetup {
  /// Which part of the setup failed, sent to the parent with the errno.
  enum Failure { kExecute = 0, kEnterDirectory = 1, kSetup = 2 };

  int stdin_fd = -1;               ///< dup2'ed onto 0 unless -1 (inherited)
  int stdout_fd = -1;              ///< onto 1 unless -1
  int stderr_fd = -1;              ///< onto 2 unless -1
  bool stderr_to_stdout = false;   ///< 2 becomes a copy of 1
  Grouping grouping = Grouping::kInherit;
  std::optional<mode_t> umask;
  std::vector<std::pair<int, rlim_t>> limits;
  std::vector<int> inherited_fds;  ///< their close-on-exec flag is cleared
  const char* cwd = nullptr;       ///< entered last; nullptr: stay

  /// The error code sent for `failure` with `err`.
  static int encode(Failure failure, int err) { return (static_cast<int>(failure) << 16) | (err & 0xffff); }
  /// The failure and errno of a code the child sent (Boost's own exec failure is kExecute).
  static std::pair<Failure, int> decode(int code) { return {static_cast<Failure>(code >> 16), code & 0xffff}; }

  /// Runs in the child, between fork and exec.
  template <typename Executor>
  void run_in_child(Executor& exec) const {
    if (grouping == Grouping::kOwnGroup) ::setpgid(0, 0);
    if (grouping == Grouping::kOwnSession || grouping == Grouping::kDetached) ::setsid();
    if (grouping == Grouping::kDetached) {
      pid_t grandchild = ::fork();
      if (grandchild < 0) fail(exec, kSetup);
      if (grandchild > 0) ::_exit(0);  // the grandchild goes on, with init as its parent
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig)
      if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
    if ((stdin_fd >= 0 && ::dup2(stdin_fd, 0) < 0) || (stdout_fd >= 0 && ::dup2(stdout_fd, 1) < 0) ||
        (stderr_to_stdout && ::dup2(1, 2) < 0) || (stderr_fd >= 0 && ::dup2(stderr_fd, 2) < 0))
      fail(exec, kSetup);
    for (int fd : inherited_fds) ::fcntl(fd, F_SETFD, 0);
    if (umask) ::umask(*umask);
    for (const auto& [resource, value] : limits) {
      rlimit limit{value, value};
      if (::setrlimit(resource, &limit) != 0) fail(exec, kSetup);
    }
    if (cwd && ::chdir(cwd) != 0) fail(exec, kEnterDirectory);
  }

 private:
  template <typename Executor>
  [[noreturn]] static void fail(Executor& exec, Failure failure) {
    exec.set_error(std::error_code(encode(failure, errno), std::system_category()), "child setup");
    ::_exit(127);
  }
};

}  // namespace dkm
