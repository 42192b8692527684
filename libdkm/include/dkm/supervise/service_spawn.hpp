#pragma once
// Starting one supervised process: fork, a process group of its own, output into
// pipes the supervisor reads, default signal handling, exec. An exec failure comes
// back through a close-on-exec pipe, so the caller knows at once ("can't find command").

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <vector>

namespace dkm::supervise {

/// What to start and where its output goes.
struct SpawnRequest {
  std::vector<std::string> argv;
  fs::path directory;                ///< empty: the supervisor's
  std::vector<std::string> env;      ///< the whole environment, KEY=VALUE
  bool capture_stdout = true;        ///< false: /dev/null
  bool capture_stderr = true;        ///< false: /dev/null (ignored with redirect_stderr)
  bool redirect_stderr = false;      ///< stderr into the stdout pipe
};

/// A started process and the read ends of its output pipes (-1 when not captured).
struct SpawnedProcess {
  pid_t pid = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

/// Finds `program` in `path_var` (a PATH value) unless it holds a slash.
/// Throws Error with supervisord's wording when it cannot be run.
inline std::string resolve_program(const std::string& program, const std::string& path_var) {
  auto check = [](const std::string& candidate) {
    if (::access(candidate.c_str(), F_OK) != 0) throw Error("no such file: " + candidate);
    std::error_code ec;
    if (fs::is_directory(candidate, ec) || ::access(candidate.c_str(), X_OK) != 0)
      throw Error("file is not executable: " + candidate);
    return candidate;
  };
  if (program.find('/') != std::string::npos) return check(program);
  for (const auto& dir : split(path_var, ':')) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
    std::error_code ec;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate, ec)) return candidate.string();
  }
  throw Error("can't find command '" + program + "' in PATH");
}

/// Starts `req` as the leader of a new process group. Throws Error when it cannot start.
inline SpawnedProcess spawn_in_own_group(const SpawnRequest& req) {
  if (req.argv.empty()) throw Error("empty command");
  std::string path_var = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& kv : req.env)
    if (kv.rfind("PATH=", 0) == 0) path_var = kv.substr(5);
  std::string program = resolve_program(req.argv[0], path_var);

  std::vector<std::string> args = req.argv, env = req.env;
  std::vector<char*> argp, envp;
  for (auto& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);

  int out[2] = {-1, -1}, err[2] = {-1, -1}, status_pipe[2] = {-1, -1};
  auto close_all = [&] {
    for (int fd : {out[0], out[1], err[0], err[1], status_pipe[0], status_pipe[1]})
      if (fd >= 0) ::close(fd);
  };
  bool want_err_pipe = req.capture_stderr && !req.redirect_stderr;
  if ((req.capture_stdout && ::pipe2(out, O_CLOEXEC) != 0) || (want_err_pipe && ::pipe2(err, O_CLOEXEC) != 0) ||
      ::pipe2(status_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    close_all();
    throw Error("pipe: " + errno_text(e));
  }
  int devnull_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int devnull_out = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  const char* dir = req.directory.empty() ? nullptr : req.directory.c_str();

  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    close_all();
    ::close(devnull_in);
    ::close(devnull_out);
    throw Error("fork: " + errno_text(e));
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only, up to exec.
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig)
      if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
    int stdout_target = out[1] >= 0 ? out[1] : devnull_out;
    int stderr_target = req.redirect_stderr ? stdout_target : err[1] >= 0 ? err[1] : devnull_out;
    ::dup2(devnull_in, 0);
    ::dup2(stdout_target, 1);
    ::dup2(stderr_target, 2);
    int stage = 0;
    if (dir && ::chdir(dir) != 0) {
      stage = 1;
    } else {
      ::execve(program.c_str(), argp.data(), envp.data());
      stage = 2;
    }
    int report[2] = {stage, errno};
    (void)!::write(status_pipe[1], report, sizeof report);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // both sides set it: no window where a signal to the group misses it
  ::close(devnull_in);
  ::close(devnull_out);
  ::close(status_pipe[1]);
  status_pipe[1] = -1;
  if (out[1] >= 0) ::close(out[1]);
  if (err[1] >= 0) ::close(err[1]);
  out[1] = err[1] = -1;

  int report[2] = {0, 0};
  ssize_t got;
  do got = ::read(status_pipe[0], report, sizeof report);
  while (got < 0 && errno == EINTR);
  ::close(status_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof report)) {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (out[0] >= 0) ::close(out[0]);
    if (err[0] >= 0) ::close(err[0]);
    if (report[0] == 1) throw Error("cannot enter directory " + req.directory.string() + ": " + errno_text(report[1]));
    throw Error("cannot run " + program + ": " + errno_text(report[1]));
  }
  SpawnedProcess p;
  p.pid = pid;
  p.stdout_fd = out[0];
  p.stderr_fd = err[0];
  for (int fd : {p.stdout_fd, p.stderr_fd})
    if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return p;
}

/// Sends `signal` to the process group `pid` leads (as_group) or to `pid` alone.
inline void signal_process(pid_t pid, int signal, bool as_group) {
  if (pid <= 0) return;
  if (as_group) ::kill(-pid, signal);
  else ::kill(pid, signal);
}

}  // namespace dkm::supervise
