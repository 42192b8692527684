#pragma once
// A program a test runs in the background, started like every process of the project
// (core's spawn_process): by default in a process group of its own, so that nothing it
// starts outlives the test, its output appended to a file or discarded. Stopped with
// `stop_signal` (SIGKILL unless told) and reaped when it goes out of scope.

#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <map>
#include <string>
#include <vector>

namespace dkm::test {

/// How to run a background process.
struct BackgroundOptions {
  /// Output to `output_` (empty: discarded); `program_` runs in place of argv[0]'s file.
  BackgroundOptions(fs::path output_ = {}, fs::path program_ = {}, std::map<std::string, std::string> env_ = {},
                    std::vector<std::string> unset_env_ = {}, bool own_group_ = true, int stop_signal_ = SIGKILL)
      : output(std::move(output_)),
        program(std::move(program_)),
        env(std::move(env_)),
        unset_env(std::move(unset_env_)),
        own_group(own_group_),
        stop_signal(stop_signal_) {}

  fs::path output;                          ///< stdout and stderr appended here; empty: /dev/null
  fs::path program;                         ///< the file to run when argv[0] is a name it should see instead
  std::map<std::string, std::string> env;   ///< set in its environment
  std::vector<std::string> unset_env;       ///< removed from its environment
  bool own_group = true;                    ///< leads a process group: signals reach its children too
  int stop_signal = SIGKILL;                ///< what going out of scope sends
};

/// One background process owned by the test.
class BackgroundProcess {
 public:
  using Options = BackgroundOptions;



  /// Starts `argv`; throws Error when it cannot start.
  explicit BackgroundProcess(std::vector<std::string> argv, Options options = {}) : options_(std::move(options)) {
    SpawnOptions spawn;
    spawn.argv = std::move(argv);
    spawn.program = options_.program;
    auto vars = current_environment();
    for (const auto& name : options_.unset_env) vars.erase(name);
    for (const auto& [k, v] : options_.env) vars[k] = v;
    spawn.env = environment_strings(vars);
    spawn.out = options_.output.empty() ? Output::kNull : Output::kAppend;
    spawn.err = Output::kSameAsStdout;
    spawn.log_file = options_.output;
    spawn.grouping = options_.own_group ? Grouping::kOwnGroup : Grouping::kInherit;
    pid_ = spawn_process(spawn).pid;
  }
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  ~BackgroundProcess() { stop(options_.stop_signal); }

  /// Its pid.
  pid_t pid() const { return pid_; }

  /// Sends `signal` (to its group when it leads one), waits for it, then kills what is
  /// left of the group; its wait status.
  int stop(int signal = SIGTERM) {
    if (pid_ <= 0) return status_;
    signal_process(pid_, signal, options_.own_group);
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {}
    if (options_.own_group) ::kill(-pid_, SIGKILL);
    pid_ = -1;
    return status_;
  }

  /// Waits for it to end on its own; its wait status.
  int wait() {
    if (pid_ > 0)
      while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {}
    pid_ = -1;
    return status_;
  }

  /// Forgets it: the caller has stopped and reaped it.
  void release() { pid_ = -1; }

  /// What it wrote so far.
  std::string output() const { return read_file(options_.output); }

 private:
  Options options_;
  pid_t pid_ = -1;
  int status_ = 0;
};

}  // namespace dkm::test
