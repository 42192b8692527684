#pragma once
// Running a program to completion: argv (no shell), optional working directory,
// extra environment, output captured or appended to a log file. For long-lived
// children under supervision, see runtime/ (the supervisor has its own event loop).

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace dkm {

/// How to run a child.
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
  std::string describe() const {
    if (signal != 0) return "killed by signal " + std::to_string(signal);
    return "exit status " + std::to_string(exit_code);
  }
};

/// The environment of this process with the options' changes applied, as KEY=VALUE strings.
inline std::vector<std::string> child_environment(const RunOptions& options) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    vars[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& name : options.unset_env) vars.erase(name);
  for (const auto& [k, v] : options.env) vars[k] = v;
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

/// Runs argv[0] (looked up in PATH when it has no slash) and waits for it.
/// Throws Error when the program cannot be started at all.
inline RunResult run_process(const std::vector<std::string>& argv, const RunOptions& options = {}) {
  if (argv.empty()) throw Error("run_process: empty command");
  std::vector<std::string> env_strings = child_environment(options);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);
  // PATH lookup happens in the parent with the child's PATH, so execve is enough.
  std::string program = argv[0];
  if (program.find('/') == std::string::npos) {
    std::string path_var = "/usr/local/bin:/usr/bin:/bin";
    for (const auto& s : env_strings)
      if (s.rfind("PATH=", 0) == 0) path_var = s.substr(5);
    for (const auto& dir : split(path_var, ':')) {
      fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
      if (::access(candidate.c_str(), X_OK) == 0) {
        program = candidate.string();
        break;
      }
    }
  }

  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, in_pipe[2] = {-1, -1};
  int log_fd = -1;
  if (options.inherit_output) {
    // stdout and stderr stay as they are in the child.
  } else if (options.log_file) {
    log_fd = ::open(options.log_file->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) throw Error(options.log_file->string() + ": cannot open log: " + errno_text());
  } else if (options.capture && ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw Error("pipe: " + errno_text());
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw Error("pipe: " + errno_text());
  if (options.input && ::pipe2(in_pipe, O_CLOEXEC) != 0) throw Error("pipe: " + errno_text());

  pid_t pid = ::fork();
  if (pid < 0) throw Error("fork: " + errno_text());
  if (pid == 0) {
    // Child: only async-signal-safe calls from here to exec.
    int sink = log_fd >= 0 ? log_fd : out_pipe[1];
    if (options.inherit_output) {
      // keep fds 1 and 2
    } else if (sink >= 0) {
      ::dup2(sink, 1);
      ::dup2(sink, 2);
    } else {
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
    }
    if (in_pipe[0] >= 0) ::dup2(in_pipe[0], 0);
    else {
      int devnull = ::open("/dev/null", O_RDONLY);
      ::dup2(devnull, 0);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) {
      int e = errno;
      (void)!::write(err_pipe[1], &e, sizeof e);
      ::_exit(127);
    }
    ::execve(program.c_str(), argp.data(), envp.data());
    int e = errno;
    (void)!::write(err_pipe[1], &e, sizeof e);
    ::_exit(127);
  }

  ::close(err_pipe[1]);
  if (out_pipe[1] >= 0) ::close(out_pipe[1]);
  if (in_pipe[0] >= 0) ::close(in_pipe[0]);
  if (log_fd >= 0) ::close(log_fd);

  if (in_pipe[1] >= 0) {
    // Inputs are small (a config, a password); a blocking write is fine.
    auto old = ::signal(SIGPIPE, SIG_IGN);
    const std::string& in = *options.input;
    size_t off = 0;
    while (off < in.size()) {
      ssize_t n = ::write(in_pipe[1], in.data() + off, in.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(in_pipe[1]);
    ::signal(SIGPIPE, old);
  }

  RunResult result;
  if (out_pipe[0] >= 0) {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (options.on_output) options.on_output(std::string_view(buf, static_cast<size_t>(n)));
      else result.output.append(buf, static_cast<size_t>(n));
    }
    ::close(out_pipe[0]);
  }
  int exec_errno = 0;
  ssize_t got;
  do got = ::read(err_pipe[0], &exec_errno, sizeof exec_errno);
  while (got < 0 && errno == EINTR);
  ::close(err_pipe[0]);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    if (!options.cwd.empty() && ::access(options.cwd.c_str(), F_OK) != 0)
      throw Error(options.cwd.string() + ": cannot enter directory: " + errno_text(exec_errno));
    throw Error(argv[0] + ": cannot run: " + errno_text(exec_errno));
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

/// Finds a program in PATH; empty when absent.
inline fs::path find_in_path(const std::string& name) {
  const char* path_var = ::getenv("PATH");
  for (const auto& dir : split(path_var ? path_var : "/usr/bin:/bin", ':')) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    std::error_code ec;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate, ec)) return candidate;
  }
  return {};
}

}  // namespace dkm
