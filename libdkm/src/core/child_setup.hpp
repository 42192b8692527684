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
// Implementation: libdkm/src/core/child_setup.cpp.

#include <dkm/core/process.hpp>

#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

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

  /// Does, in the child between fork and exec, what Boost.Process cannot (above). Returns
  /// nothing when all is done, else the code of the failure for the parent (encode()).
  /// Async-signal-safe: it allocates nothing.
  std::optional<int> apply() const noexcept;

  /// Runs in the child, between fork and exec: apply(), and on a failure tells the parent
  /// through Boost's error pipe and exits.
  template <typename Executor>
  void run_in_child(Executor& exec) const {
    if (std::optional<int> code = apply()) fail(exec, *code);
  }

 private:
  template <typename Executor>
  [[noreturn]] static void fail(Executor& exec, int code) {
    exec.set_error(std::error_code(code, std::system_category()), "child setup");
    ::_exit(127);
  }
};

}  // namespace dkm
