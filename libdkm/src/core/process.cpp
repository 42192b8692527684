// Starting programs on Boost.Process: its executor forks, execs and reports a failed exec
// through its own close-on-exec pipe; everything a child needs between fork and exec is
// one on_exec_setup step (child_setup.hpp).
#include <dkm/core/process.hpp>

#include <dkm/core/strings.hpp>

#include "child_setup.hpp"

#include <boost/process/child.hpp>
#include <boost/process/error.hpp>
#include <boost/process/extend.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace dkm {

namespace bp = boost::process;

namespace {

/// PATH for a child whose environment has none (execvp's default, less the cwd).
constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

/// The PATH a child will see.
std::string child_path(const SpawnOptions& options) {
  if (!options.env) {
    const char* path = std::getenv("PATH");
    return path ? path : kDefaultPath;
  }
  for (const auto& kv : *options.env)
    if (kv.rfind("PATH=", 0) == 0) return kv.substr(5);
  return kDefaultPath;
}

/// Descriptors opened for one spawn, closed when it leaves (the parent's ends handed back are released).
struct Descriptors {
  std::vector<int> fds;
  ~Descriptors() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  int keep(int fd) {
    fds.push_back(fd);
    return fd;
  }
  void release(int fd) {
    for (int& f : fds)
      if (f == fd) f = -1;
  }
};

[[noreturn]] void system_failure(const std::string& what, int err) {
  throw SpawnError(SpawnError::Step::kSystem, what, err, what + ": " + errno_text(err));
}

int open_null(int flags, Descriptors& owned) {
  int fd = ::open("/dev/null", flags | O_CLOEXEC);
  if (fd < 0) system_failure("/dev/null", errno);
  return owned.keep(fd);
}

/// A close-on-exec pipe, both ends owned for now.
std::pair<int, int> make_pipe(Descriptors& owned) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) system_failure("pipe", errno);
  return {owned.keep(p[0]), owned.keep(p[1])};
}

/// The child's end of one output stream; `parent_end` gets the read end of a pipe.
int output_target(Output output, const SpawnOptions& options, Descriptors& owned, int& parent_end) {
  switch (output) {
    case Output::kNull:
      return open_null(O_WRONLY, owned);
    case Output::kPipe: {
      auto [read_end, write_end] = make_pipe(owned);
      parent_end = read_end;
      return write_end;
    }
    case Output::kAppend: {
      int fd = ::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0) {
        int err = errno;
        throw SpawnError(SpawnError::Step::kSystem, options.log_file.string(), err,
                         options.log_file.string() + ": cannot open log: " + errno_text(err));
      }
      return owned.keep(fd);
    }
    case Output::kInherit:
    case Output::kSameAsStdout:
      break;
  }
  return -1;
}

/// The error a failed spawn reports, from the code the child sent back.
SpawnError failure(const std::error_code& ec, const fs::path& program, const SpawnOptions& options) {
  auto [step, err] = ChildSetup::decode(ec.value());
  if (step == ChildSetup::kEnterDirectory)
    return SpawnError(SpawnError::Step::kEnterDirectory, options.cwd.string(), err,
                      "cannot enter directory " + options.cwd.string() + ": " + errno_text(err));
  if (step == ChildSetup::kSetup)
    return SpawnError(SpawnError::Step::kSystem, program.string(), err,
                      "cannot prepare " + program.string() + ": " + errno_text(err));
  return SpawnError(SpawnError::Step::kExecute, program.string(), err,
                    "cannot run " + program.string() + ": " + errno_text(err));
}

}  // namespace

SpawnedProcess spawn_process(const SpawnOptions& options) {
  if (options.argv.empty()) throw SpawnError(SpawnError::Step::kFind, "", 0, "empty command");
  fs::path program = options.program;
  if (program.empty()) {
    // A relative path with a slash ("./configure") names a file in the child's directory.
    const std::string& name = options.argv[0];
    bool in_cwd = name.find('/') != std::string::npos && name.front() != '/' && !options.cwd.empty();
    program = resolve_program(in_cwd ? fs::absolute(options.cwd / name).string() : name, child_path(options));
  }
  std::vector<std::string> args = options.argv, env = options.env.value_or(std::vector<std::string>{});
  std::vector<char*> argp, envp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  Descriptors owned;
  SpawnedProcess out;
  ChildSetup setup;
  if (options.in == Input::kNull) setup.stdin_fd = open_null(O_RDONLY, owned);
  if (options.in == Input::kPipe) {
    auto [read_end, write_end] = make_pipe(owned);
    setup.stdin_fd = read_end;
    out.stdin_fd = write_end;
  }
  setup.stdout_fd = output_target(options.out, options, owned, out.stdout_fd);
  setup.stderr_fd = output_target(options.err, options, owned, out.stderr_fd);
  setup.stderr_to_stdout = options.err == Output::kSameAsStdout;
  setup.grouping = options.grouping;
  setup.umask = options.umask;
  setup.limits = options.limits;
  setup.inherited_fds = options.inherited_fds;
  setup.cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();

  std::error_code ec;
  pid_t failed = -1;
  bp::child child(
      bp::extend::on_setup =
          [&](auto& exec) {
            exec.exe = program.c_str();
            exec.cmd_line = argp.data();
            if (options.env) exec.env = envp.data();
          },
      bp::extend::on_exec_setup = [&](auto& exec) { setup.run_in_child(exec); },
      bp::extend::on_error = [&](auto& exec, const std::error_code&) { failed = exec.pid; },
      bp::error = ec);
  if (ec) {
    if (failed <= 0) system_failure("fork", ec.value());  // no child was made
    while (::waitpid(failed, nullptr, 0) < 0 && errno == EINTR) {}
    throw failure(ec, program, options);
  }
  child.detach();  // the caller reaps it; a bp::child would end it when destroyed
  out.pid = child.id();
  if (options.grouping == Grouping::kOwnGroup) ::setpgid(out.pid, out.pid);  // no window where the group is missing
  if (options.grouping == Grouping::kDetached)
    while (::waitpid(out.pid, nullptr, 0) < 0 && errno == EINTR) {}  // the intermediate child, gone at once
  for (int fd : {out.stdin_fd, out.stdout_fd, out.stderr_fd}) owned.release(fd);
  return out;
}

namespace {

/// Writes `input` to `fd` and closes it; a child that stops reading is not an error.
void feed_input(int fd, const std::string& input) {
  auto old = ::signal(SIGPIPE, SIG_IGN);
  size_t off = 0;
  while (off < input.size()) {
    ssize_t n = ::write(fd, input.data() + off, input.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  ::signal(SIGPIPE, old);
}

/// Reads `fd` to its end into `result` (or `on_output`), then closes it.
void drain_output(int fd, const RunOptions& options, RunResult& result) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (options.on_output) options.on_output(std::string_view(buf, static_cast<size_t>(n)));
    else result.output.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
}

SpawnOptions run_spawn_options(const std::vector<std::string>& argv, const RunOptions& options) {
  SpawnOptions s;
  s.argv = argv;
  s.cwd = options.cwd;
  auto vars = current_environment();
  for (const auto& name : options.unset_env) vars.erase(name);
  for (const auto& [k, v] : options.env) vars[k] = v;
  s.env = environment_strings(vars);
  s.in = options.input ? Input::kPipe : Input::kNull;
  s.err = Output::kSameAsStdout;
  if (options.inherit_output) {
    s.out = s.err = Output::kInherit;
  } else if (options.log_file) {
    s.out = Output::kAppend;
    s.log_file = *options.log_file;
  } else {
    s.out = options.capture ? Output::kPipe : Output::kNull;
  }
  return s;
}

}  // namespace

std::string RunResult::describe() const {
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit status " + std::to_string(exit_code);
}

RunResult run_process(const std::vector<std::string>& argv, const RunOptions& options) {
  if (argv.empty()) throw Error("run_process: empty command");
  SpawnedProcess child;
  try {
    child = spawn_process(run_spawn_options(argv, options));
  } catch (const SpawnError& e) {
    if (e.step() == SpawnError::Step::kEnterDirectory)
      throw Error(options.cwd.string() + ": cannot enter directory: " + errno_text(e.error_number()));
    if (e.step() == SpawnError::Step::kSystem) throw;
    throw Error(argv[0] + ": cannot run: " + errno_text(e.error_number() ? e.error_number() : ENOENT));
  }
  RunResult result;
  if (child.stdin_fd >= 0) feed_input(child.stdin_fd, *options.input);
  if (child.stdout_fd >= 0) drain_output(child.stdout_fd, options, result);
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) vars[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  return vars;
}

std::vector<std::string> environment_strings(const std::map<std::string, std::string>& vars) {
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

fs::path search_path(const std::string& name, std::string_view path_var) {
  // Boost.Process's search_path applies this same test (a regular file this process may
  // execute), but on Boost.Filesystem, whose static initialisers would then run in every
  // front end (about 0.4 MB more resident for `dkm status` and the supervisor).
  for (const auto& dir : split(path_var, ':')) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

fs::path find_in_path(const std::string& name) {
  const char* path_var = std::getenv("PATH");
  return search_path(name, path_var ? path_var : "/usr/bin:/bin");
}

fs::path resolve_program(const std::string& name, std::string_view path_var) {
  if (name.find('/') == std::string::npos) {
    fs::path found = search_path(name, path_var);
    if (found.empty()) throw SpawnError(SpawnError::Step::kFind, name, 0, "can't find command '" + name + "' in PATH");
    return found;
  }
  if (::access(name.c_str(), F_OK) != 0)
    throw SpawnError(SpawnError::Step::kFind, name, ENOENT, "no such file: " + name);
  std::error_code ec;
  if (fs::is_directory(name, ec) || ::access(name.c_str(), X_OK) != 0)
    throw SpawnError(SpawnError::Step::kFind, name, EACCES, "file is not executable: " + name);
  return name;
}

void signal_process(pid_t pid, int signal, bool as_group) {
  if (pid <= 0) return;
  if (as_group) ::kill(-pid, signal);
  else ::kill(pid, signal);
}

}  // namespace dkm
