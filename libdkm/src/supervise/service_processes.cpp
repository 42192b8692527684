// Services' processes: spawned in their own groups, their output into their logs.
#include "service_processes.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/proc_info.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dkm::supervise {

namespace {

/// Python's repr() of a string, as supervisord's messages quote paths: 'x', or "x" when
/// it holds a single quote and no double one.
std::string py_repr(const std::string& text) {
  char quote = text.find('\'') != std::string::npos && text.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, quote);
  for (char c : text) {
    if (c == '\\' || c == quote) out += '\\';
    out += c;
  }
  return out + quote;
}

/// The directories supervisord looks a command up in: the program's PATH, else the
/// supervisor's, else its default.
std::vector<std::string> search_dirs(const ProgramConfig& cfg, const std::map<std::string, std::string>& base_env) {
  std::string path = "/bin:/usr/bin:/usr/local/bin";
  if (auto it = cfg.environment.find("PATH"); it != cfg.environment.end()) path = it->second;
  else if (auto base = base_env.find("PATH"); base != base_env.end() && !base->second.empty()) path = base->second;
  std::vector<std::string> dirs;
  for (const auto& d : split(path, ':')) dirs.push_back(d);
  return dirs;
}

}  // namespace

ServiceProcesses::ServiceProcesses(EventLoop& loop, EventLog& log, InstallLayout layout, const DirHandle& run,
                                   std::map<std::string, std::string> base_env)
    : loop_(loop),
      log_(log),
      layout_(std::move(layout)),
      run_(run),
      tracker_(loop, log, run),
      base_env_(std::move(base_env)) {}

std::vector<std::string> ServiceProcesses::environment(const ProgramConfig& cfg) const {
  auto env = base_env_;
  env["SUPERVISOR_ENABLED"] = "1";
  env["SUPERVISOR_PROCESS_NAME"] = cfg.process_name;
  env["SUPERVISOR_GROUP_NAME"] = cfg.group;
  env["SUPERVISOR_SERVER_URL"] = cfg.serverurl.empty() ? "unix://" + layout_.control_socket().string() : cfg.serverurl;
  env[kServiceMarker] = layout_.run().string();
  for (const auto& [k, v] : cfg.environment) env[k] = v;
  return environment_strings(env);
}

ServiceProcesses::OutputSinks ServiceProcesses::sinks_for(const ProgramConfig& cfg, const LogTarget& target) {
  OutputSinks sinks;
  if (!target.path.empty()) {
    auto& slot = logs_[target.path];
    if (!slot) slot = std::make_shared<RotatingLog>(target, &run_);
    sinks.file = slot;
  }
  if (target.syslog) sinks.syslog = std::make_shared<SyslogLines>(cfg.process_name);
  return sinks;
}

void ServiceProcesses::watch_output(int fd, OutputSinks sinks) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  loop_.watch(fd, EPOLLIN, [this, fd, sinks](std::uint32_t) {
    char buf[65536];
    // A bounded number of reads per wakeup: a chatty service cannot starve the others.
    for (int i = 0; i < 16; ++i) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        std::string_view chunk(buf, static_cast<std::size_t>(n));
        if (sinks.file) sinks.file->write(chunk);
        if (sinks.syslog) sinks.syslog->write(chunk);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      loop_.unwatch(fd);  // end of output: every writer (grandchildren too) has closed it
      ::close(fd);
      return;
    }
  });
}

pid_t ServiceProcesses::spawn(const ProgramConfig& cfg) {
  if (auto problem = command_problem(cfg)) throw Error(problem->message);  // supervisord's words
  auto& [out_log, err_log] = service_logs_[cfg.name];
  out_log = sinks_for(cfg, cfg.stdout_log);
  err_log = cfg.redirect_stderr ? out_log : sinks_for(cfg, cfg.stderr_log);
  SpawnOptions options;
  options.argv = cfg.command;
  options.cwd = cfg.directory;
  options.env = environment(cfg);
  options.grouping = Grouping::kOwnGroup;
  options.umask = cfg.umask;
  options.in = Input::kPipe;
  options.out = out_log.any() ? Output::kPipe : Output::kNull;
  options.err = cfg.redirect_stderr ? Output::kSameAsStdout : err_log.any() ? Output::kPipe : Output::kNull;
  SpawnedProcess p = spawn_process(options);
  if (p.stdout_fd >= 0) watch_output(p.stdout_fd, out_log);
  if (p.stderr_fd >= 0) watch_output(p.stderr_fd, err_log);
  close_stdin(cfg.name);
  ::fcntl(p.stdin_fd, F_SETFL, ::fcntl(p.stdin_fd, F_GETFL) | O_NONBLOCK);
  stdin_[cfg.name].fd = p.stdin_fd;
  tracker_.spawned(cfg.name, p.pid);
  try {
    // For people and scripts only: a pid file proves nothing (leftovers.hpp).
    run_.write_file_atomic(pid_file(cfg), std::to_string(p.pid) + "\n");
  } catch (const Error& e) {
    log_.warn(e.what());
  }
  return p.pid;
}

void ServiceProcesses::reaped(const ProgramConfig& cfg) {
  run_.remove(pid_file(cfg));
  close_stdin(cfg.name);
}

void ServiceProcesses::forget(const std::string& name) {
  service_logs_.erase(name);
  close_stdin(name);
}

void ServiceProcesses::signal(pid_t pid, int signal, bool group) {
  if (!group) {
    signal_process(pid, signal, false);
    return;
  }
  tracker_.scan();  // what was born since the last look gets the signal too
  signal_process(pid, signal, true);
  tracker_.signal_escaped(pid, signal);
}

bool ServiceProcesses::group_alive(pid_t pgid) { return dkm::group_alive(pgid) || tracker_.run_alive(pgid); }

std::optional<CommandProblem> ServiceProcesses::command_problem(const ProgramConfig& cfg) {
  // supervisord's get_execv_args: the first PATH entry that exists is the one checked.
  const std::string& program = cfg.command.front();
  std::string file = program;
  struct stat st {};
  bool found = false;
  if (program.find('/') != std::string::npos) {
    fs::path p = fs::path(program).is_absolute() ? fs::path(program) : cfg.directory / program;
    found = ::stat(p.c_str(), &st) == 0;
    if (found) file = p.string();
  } else {
    for (const auto& dir : search_dirs(cfg, base_env_)) {
      std::string candidate = (dir.empty() ? fs::path(".") : fs::path(dir)) / program;
      if (::stat(candidate.c_str(), &st) == 0) {
        file = candidate;
        found = true;
        break;
      }
    }
  }
  if (!found) return CommandProblem{Fault::kNoFile, "can't find command " + py_repr(program)};
  if (program.find('/') != std::string::npos) file = program;  // supervisord names it as written
  if (S_ISDIR(st.st_mode)) return CommandProblem{Fault::kNotExecutable, "command at " + py_repr(file) + " is a directory"};
  if (!(st.st_mode & 0111)) return CommandProblem{Fault::kNotExecutable, "command at " + py_repr(file) + " is not executable"};
  if (::access(file.c_str(), X_OK) != 0 && ::access((cfg.directory / file).c_str(), X_OK) != 0)
    return CommandProblem{Fault::kNotExecutable, "no permission to run command " + py_repr(file)};
  return std::nullopt;
}

bool ServiceProcesses::clear_logs(const ProgramConfig& cfg) {
  bool ok = true;
  for (const LogTarget* target : {&cfg.stdout_log, &cfg.stderr_log}) {
    if (target->path.empty()) continue;
    try {
      auto it = logs_.find(target->path);
      if (it != logs_.end()) it->second->clear();
      else if (::truncate(target->path.c_str(), 0) != 0 && errno != ENOENT) throw Error(target->path.string() + ": " + errno_text());
    } catch (const Error& e) {
      log_.error(std::string("clear: ") + e.what());
      ok = false;
    }
  }
  return ok;
}

bool ServiceProcesses::write_stdin(const std::string& name, std::string_view data) {
  auto it = stdin_.find(name);
  if (it == stdin_.end() || it->second.fd < 0) return false;
  if (it->second.pending.size() + data.size() > kMaxStdinBacklog) return false;
  bool idle = it->second.pending.empty();
  it->second.pending.append(data);
  if (idle) flush_stdin(name);
  return stdin_.count(name) > 0;
}

void ServiceProcesses::flush_stdin(const std::string& name) {
  Stdin& in = stdin_.at(name);
  while (!in.pending.empty()) {
    ssize_t n = ::write(in.fd, in.pending.data(), in.pending.size());
    if (n > 0) {
      in.pending.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      // The program reads slowly: the rest goes once its pipe has room.
      if (!in.watched) loop_.watch(in.fd, EPOLLOUT, [this, name](std::uint32_t) { flush_stdin(name); });
      in.watched = true;
      return;
    }
    close_stdin(name);  // it closed its input (EPIPE)
    return;
  }
  if (in.watched) loop_.unwatch(in.fd);
  in.watched = false;
}

void ServiceProcesses::close_stdin(const std::string& name) {
  auto it = stdin_.find(name);
  if (it == stdin_.end()) return;
  if (it->second.watched) loop_.unwatch(it->second.fd);
  ::close(it->second.fd);
  stdin_.erase(it);
}

void ServiceProcesses::reopen_logs() {
  for (auto& [path, sink] : logs_) {
    try {
      sink->reopen();
    } catch (const Error& e) {
      log_.error(e.what());
    }
  }
}

void ServiceProcesses::close_unused_logs() {
  for (auto it = logs_.begin(); it != logs_.end();) it = it->second.use_count() == 1 ? logs_.erase(it) : std::next(it);
}

}  // namespace dkm::supervise
