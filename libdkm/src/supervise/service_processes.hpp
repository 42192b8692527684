#pragma once
// The real Processes of the state machine: a service's main process started through
// core's spawn_process() in a process group of its own, with supervisord's SUPERVISOR_*
// variables and its umask, its output read from pipes by the event loop into its rotating
// logs and syslog, its pid in run/NAME.pid. Its standard input is a pipe the supervisor
// keeps, as supervisord's children's is (`dkm fg` writes to it). A service's "group" is its
// process group and every process that descends from it but left it (a daemon in a session
// of its own): the DescendantTracker knows those, signals reach them too, and the group is
// alive while any of them is.
// Implementation: libdkm/src/supervise/service_processes.cpp.

#include "descendant_tracker.hpp"
#include "event_loop.hpp"
#include "leftovers.hpp"
#include "rotating_log.hpp"
#include "seams.hpp"
#include "syslog_lines.hpp"

#include <dkm/core/install_layout.hpp>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dkm::supervise {

/// Most bytes waiting for a service's standard input (`dkm fg` typing faster than it reads).
inline constexpr std::size_t kMaxStdinBacklog = 1024 * 1024;

/// Services' processes and their logs.
class ServiceProcesses : public Processes {
 public:
  /// Services of `layout` start from `base_env` (service_base_environment()); their files
  /// in DIR/run go through `run` (which outlives this object).
  ServiceProcesses(EventLoop& loop, EventLog& log, InstallLayout layout, const DirHandle& run,
                   std::map<std::string, std::string> base_env);

  pid_t spawn(const ProgramConfig& cfg) override;
  void reaped(const ProgramConfig& cfg) override;
  void forget(const std::string& name) override;
  void signal(pid_t pid, int signal, bool group) override;
  bool group_alive(pid_t pgid) override;
  std::optional<CommandProblem> command_problem(const ProgramConfig& cfg) override;
  bool clear_logs(const ProgramConfig& cfg) override;
  bool write_stdin(const std::string& name, std::string_view data) override;

  /// The environment a process of `cfg` gets (a probe command's too).
  std::vector<std::string> environment(const ProgramConfig& cfg) const;
  /// Replaces the environment services start from (a reload re-read DIR/bin/env).
  void set_base_environment(std::map<std::string, std::string> env) { base_env_ = std::move(env); }
  /// Reopens every log (reopenlogs, SIGUSR2); a log that cannot be reopened is reported.
  void reopen_logs();
  /// Closes the logs no service and no pipe writes to any more.
  void close_unused_logs();
  /// Calls `callback` when a process of a service exits without a SIGCHLD here (not our child).
  void set_on_descendant_exit(std::function<void()> callback) { tracker_.set_on_exit(std::move(callback)); }
  /// Looks for the services' descendants now (after a reap: orphans came to the supervisor).
  void look_for_descendants() { tracker_.scan(); }
  /// Kills and reaps every process left under the supervisor (the end of a shutdown).
  void kill_everything() { tracker_.kill_everything(); }

 private:
  /// Where one output stream of a service goes: a file, syslog, both or neither.
  struct OutputSinks {
    std::shared_ptr<RotatingLog> file;
    std::shared_ptr<SyslogLines> syslog;
    bool any() const { return file || syslog; }
  };

  OutputSinks sinks_for(const ProgramConfig& cfg, const LogTarget& target);
  void watch_output(int fd, OutputSinks sinks);
  void close_stdin(const std::string& name);
  void flush_stdin(const std::string& name);
  static std::string pid_file(const ProgramConfig& cfg) { return cfg.name + ".pid"; }

  EventLoop& loop_;
  EventLog& log_;
  InstallLayout layout_;
  const DirHandle& run_;
  DescendantTracker tracker_;
  std::map<std::string, std::string> base_env_;
  std::map<fs::path, std::shared_ptr<RotatingLog>> logs_;
  /// Each service's stdout and stderr sinks, kept open between its runs.
  std::map<std::string, std::pair<OutputSinks, OutputSinks>> service_logs_;
  /// The write end of each live service's standard input, and what waits to be written.
  struct Stdin {
    int fd = -1;
    std::string pending;
    bool watched = false;  ///< waiting for room in the pipe
  };
  std::map<std::string, Stdin> stdin_;
};

}  // namespace dkm::supervise
