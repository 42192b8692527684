#pragma once
// Starting programs: the one way every module does it, on Boost.Process.
//
//   spawn_process()  starts a child as SpawnOptions say (argv without a shell, working
//                    directory, environment, where its standard streams go, its own process
//                    group or session, umask, resource limits) and returns at once;
//   run_process()    starts one and waits for it, its output captured, streamed or logged;
//   search_path()    the one PATH lookup.
//
// A child that cannot start (no such program, a directory it cannot enter) is reported
// by the call that started it, as a SpawnError: never as a child that exits 127.
// Implementation: libdkm/src/core/process.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <sys/resource.h>
#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dkm {

/// What a child's standard input reads.
enum class Input {
  kNull,     ///< /dev/null
  kInherit,  ///< this process's standard input
  kPipe,     ///< a pipe whose write end SpawnedProcess::stdin_fd hands back
};

/// Where a child's standard output or error goes.
enum class Output {
  kInherit,       ///< this process's
  kNull,          ///< /dev/null
  kPipe,          ///< a pipe whose read end SpawnedProcess hands back (close-on-exec)
  kAppend,        ///< appended to SpawnOptions::log_file
  kSameAsStdout,  ///< standard error only: wherever standard output goes
};

/// Which process group and session a child gets.
enum class Grouping {
  kInherit,      ///< this process's group and session
  kOwnGroup,     ///< a new process group it leads (signals to the group reach its children)
  kOwnSession,   ///< a new session it leads (no controlling terminal)
  kDetached,     ///< a new session, and not this process's child: its parent becomes init
};

/// How to start a child.
struct SpawnOptions {
  std::vector<std::string> argv;                ///< argv[0] is what the child sees as its name
  fs::path program;                             ///< the file to run; empty: argv[0], looked up in the child's PATH
  fs::path cwd;                                 ///< working directory; empty: this process's
  std::optional<std::vector<std::string>> env;  ///< the whole environment (KEY=VALUE); none: this process's
  Input in = Input::kNull;                      ///< standard input
  Output out = Output::kInherit;                ///< standard output
  Output err = Output::kInherit;                ///< standard error
  fs::path log_file;                            ///< with Output::kAppend
  Grouping grouping = Grouping::kInherit;       ///< process group and session
  std::optional<mode_t> umask;                  ///< the child's umask; none: this process's
  std::vector<std::pair<int, rlim_t>> limits;   ///< setrlimit(RESOURCE, VALUE) for each pair, soft and hard
  std::vector<int> inherited_fds;               ///< descriptors the child keeps (close-on-exec cleared there)
};

/// A started child and this process's ends of its pipes (-1 when not a pipe).
struct SpawnedProcess {
  pid_t pid = -1;      ///< with Grouping::kDetached, the short-lived intermediate child (already reaped)
  int stdin_fd = -1;   ///< write end of its standard input
  int stdout_fd = -1;  ///< read end of its standard output
  int stderr_fd = -1;  ///< read end of its standard error
};

/// A child that could not be started; says which step failed and why.
class SpawnError : public Error {
 public:
  /// What could not be done.
  enum class Step { kFind, kEnterDirectory, kExecute, kSystem };
  /// Builds the error; the message names `subject` (the program or the directory).
  SpawnError(Step step, std::string subject, int error_number, const std::string& message)
      : Error(message), step_(step), subject_(std::move(subject)), errno_(error_number) {}
  /// The step that failed.
  Step step() const { return step_; }
  /// The program or directory at fault.
  const std::string& subject() const { return subject_; }
  /// errno of the failed call, 0 for a program not found.
  int error_number() const { return errno_; }

 private:
  Step step_;
  std::string subject_;
  int errno_;
};

/// Starts a child and returns without waiting. The caller reaps it (waitpid) and closes
/// the descriptors it gets back. Throws SpawnError when the child cannot start.
SpawnedProcess spawn_process(const SpawnOptions& options);

/// How to run a child to completion.
struct RunOptions {
  fs::path cwd;                                ///< working directory; empty = inherit
  std::map<std::string, std::string> env;      ///< set (or override) in the child's environment
  std::vector<std::string> unset_env;          ///< removed from the child's environment
  std::optional<fs::path> log_file;            ///< stdout+stderr appended here instead of captured
  bool capture = true;                         ///< collect stdout+stderr into RunResult::output
  std::optional<std::string> input;            ///< written to the child's stdin, then closed
  std::function<void(std::string_view)> on_output;  ///< with capture: gets output as it comes (not kept in RunResult)
  bool inherit_output = false;                 ///< the child writes to this process's stdout and stderr
};

/// How a child ended.
struct RunResult {
  int exit_code = -1;   ///< exit status, or -1 when killed by a signal
  int signal = 0;       ///< the terminating signal, 0 when it exited
  std::string output;   ///< stdout and stderr interleaved (when captured)

  /// True when the child exited with status 0.
  bool ok() const { return exit_code == 0; }
  /// "exit status 3" or "killed by signal 9" for messages.
  std::string describe() const;
};

/// Runs argv[0] (looked up in PATH when it has no slash) and waits for it.
/// Throws Error when the program cannot be started at all.
RunResult run_process(const std::vector<std::string>& argv, const RunOptions& options = {});

/// This process's environment as a map.
std::map<std::string, std::string> current_environment();
/// KEY=VALUE strings of a map (the form exec takes).
std::vector<std::string> environment_strings(const std::map<std::string, std::string>& vars);

/// The first executable file (not a directory) called `name` in the directories of
/// `path_var` (a PATH value; an empty entry is the working directory); empty when none.
fs::path search_path(const std::string& name, std::string_view path_var);
/// search_path() in this process's PATH (/usr/bin:/bin when unset).
fs::path find_in_path(const std::string& name);
/// The file to execute for `name`: itself when it holds a slash (it must exist and be
/// executable), else found by search_path(). Throws SpawnError with supervisord's wording:
/// "no such file: X", "file is not executable: X", "can't find command 'X' in PATH".
fs::path resolve_program(const std::string& name, std::string_view path_var);

/// Sends `signal` to `pid`, or to the process group it leads when `as_group`.
void signal_process(pid_t pid, int signal, bool as_group);

}  // namespace dkm
