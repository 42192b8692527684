#pragma once
// Running the two supervisors' commands for the comparison: a command with stdin and an
// interrupt after a while (as a user's Ctrl-C ends `tail -f`), a supervisor in the
// background, and the end of every process a run left behind (found by a marker in
// their environment, as dkm finds its own leftovers).

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/proc_info.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dkm::compat {

using namespace std::chrono_literals;

/// How to run one command of a scenario.
struct CommandOptions {
  RunOptions run;                                    ///< cwd, environment changes, stdin (`input`)
  std::optional<std::chrono::milliseconds> interrupt;  ///< SIGINT after this long (then SIGKILL 5 s later)
  std::chrono::milliseconds limit = 120s;            ///< SIGKILL after this long in any case
};

namespace detail {

/// argv and envp arrays pointing into `strings`.
inline std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// This process's environment with `options`' changes, as execve takes it.
inline std::vector<std::string> child_environment(const RunOptions& options) {
  std::map<std::string, std::string> vars = current_environment();
  for (const auto& name : options.unset_env) vars.erase(name);
  for (const auto& [k, v] : options.env) vars[k] = v;
  return environment_strings(vars);
}

/// Reads what is available on `fd` into `out`; false at end of file.
inline bool drain(int fd, std::string& out) {
  char buf[8192];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) out.append(buf, static_cast<size_t>(n));
  return n > 0 || (n < 0 && errno == EINTR);
}

}  // namespace detail

/// The wait status of child `pid` if it has ended (it is reaped), without waiting.
inline std::optional<int> reap(pid_t pid) {
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == pid) return status;
  return std::nullopt;
}

/// Runs argv (a path, no PATH lookup) to its end with stdout and stderr together;
/// interrupts it (SIGINT) when options.interrupt says so.
inline RunResult run_command(std::vector<std::string> argv, const CommandOptions& options) {
  std::vector<std::string> env = detail::child_environment(options.run);
  int out[2], in[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) throw Error("pipe: " + errno_text());
  pid_t pid = ::fork();
  if (pid < 0) throw Error("fork: " + errno_text());
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    if (!options.run.cwd.empty() && ::chdir(options.run.cwd.c_str()) != 0) ::_exit(127);
    auto args = detail::c_strings(argv);
    auto envp = detail::c_strings(env);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(in[0]);
  if (options.run.input) (void)!::write(in[1], options.run.input->data(), options.run.input->size());
  ::close(in[1]);
  RunResult result;
  auto start = std::chrono::steady_clock::now();
  bool interrupted = false, killed = false;
  std::optional<int> status;
  for (bool open = true; open;) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (options.interrupt && !interrupted && elapsed >= *options.interrupt) {
      ::kill(pid, SIGINT);
      interrupted = true;
    }
    bool overdue = elapsed >= options.limit || (interrupted && elapsed >= *options.interrupt + 5s);
    if (overdue && !killed) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    // Once it has ended, what is left in the pipe is read; a descendant that kept the
    // pipe open (a daemon it started) does not hold the command up.
    bool ended = status.has_value() || (status = reap(pid)).has_value();
    pollfd p{out[0], POLLIN, 0};
    int ready = ::poll(&p, 1, ended ? 100 : 50);
    if (ready > 0) open = detail::drain(out[0], result.output);
    else if (ended) open = false;
  }
  ::close(out[0]);
  if (!status) {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    status = st;
  }
  result.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  result.signal = WIFSIGNALED(*status) ? WTERMSIG(*status) : 0;
  return result;
}

/// Starts argv in its own session, output appended to `output`, and returns its pid
/// (the caller reaps it with reap()).
inline pid_t start_in_background(std::vector<std::string> argv, const RunOptions& options, const fs::path& output) {
  std::vector<std::string> env = detail::child_environment(options);
  int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(output.string() + ": " + errno_text());
  pid_t pid = ::fork();
  if (pid < 0) throw Error("fork: " + errno_text());
  if (pid == 0) {
    ::setsid();
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ::_exit(127);
    auto args = detail::c_strings(argv);
    auto envp = detail::c_strings(env);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

/// Live processes whose initial environment holds `marker` (KEY=VALUE), this one aside.
inline std::vector<pid_t> marked_processes(const std::string& marker) {
  std::vector<pid_t> out;
  for (pid_t pid : dkm::list_pids())
    if (pid != ::getpid() && dkm::process_alive(pid) && dkm::environ_contains(pid, marker)) out.push_back(pid);
  return out;
}

/// SIGKILLs every process marked with `marker` until none is left (at most 10 s).
inline void kill_marked(const std::string& marker) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    auto pids = marked_processes(marker);
    if (pids.empty() || std::chrono::steady_clock::now() > deadline) return;
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace dkm::compat
