// Services' processes: spawned in their own groups, their output into their logs.
#include "service_processes.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/proc_info.hpp>
#include <dkm/core/process.hpp>

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

namespace dkm::supervise {

ServiceProcesses::ServiceProcesses(EventLoop& loop, EventLog& log, InstallLayout layout,
                                   std::map<std::string, std::string> base_env)
    : loop_(loop), log_(log), layout_(std::move(layout)), base_env_(std::move(base_env)) {}

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
    if (!slot) slot = std::make_shared<RotatingLog>(target);
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
  auto& [out_log, err_log] = service_logs_[cfg.name];
  out_log = sinks_for(cfg, cfg.stdout_log);
  err_log = cfg.redirect_stderr ? out_log : sinks_for(cfg, cfg.stderr_log);
  SpawnOptions options;
  options.argv = cfg.command;
  options.cwd = cfg.directory;
  options.env = environment(cfg);
  options.grouping = Grouping::kOwnGroup;
  options.umask = cfg.umask;
  options.out = out_log.any() ? Output::kPipe : Output::kNull;
  options.err = cfg.redirect_stderr ? Output::kSameAsStdout : err_log.any() ? Output::kPipe : Output::kNull;
  SpawnedProcess p = spawn_process(options);
  if (p.stdout_fd >= 0) watch_output(p.stdout_fd, out_log);
  if (p.stderr_fd >= 0) watch_output(p.stderr_fd, err_log);
  try {
    write_file_atomic(pid_file(cfg), std::to_string(p.pid) + "\n");
  } catch (const Error& e) {
    log_.warn(e.what());
  }
  return p.pid;
}

void ServiceProcesses::reaped(const ProgramConfig& cfg) { ::unlink(pid_file(cfg).c_str()); }

void ServiceProcesses::forget(const std::string& name) { service_logs_.erase(name); }

void ServiceProcesses::signal(pid_t pid, int signal, bool group) { signal_process(pid, signal, group); }

bool ServiceProcesses::group_alive(pid_t pgid) { return dkm::group_alive(pgid); }

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
