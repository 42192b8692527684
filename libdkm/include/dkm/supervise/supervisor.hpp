#pragma once
// The supervisor: one event loop (runit/s6 style) around fork, exec, wait and signals.
// It owns the services of one install and answers the control socket:
//   - signals through a signalfd: SIGCHLD (reap), SIGTERM/SIGINT/SIGQUIT (shut down),
//     SIGHUP (reload the services file), SIGUSR2 (reopen logs);
//   - every service in its own process group, output read from pipes into its log;
//   - deadlines (startsecs, backoff, stopwaitsecs, probes, replies) as loop timers;
//   - a child subreaper: grandchildren whose parent died are reaped here, never lost.
// Implementation: libdkm/src/supervise/supervisor.cpp.

#include <dkm/core/install_layout.hpp>
#include <dkm/supervise/service_environment.hpp>
#include <dkm/supervise/services_file.hpp>
#include <dkm/supervise/supervisor_log.hpp>

#include <map>
#include <memory>
#include <string>

namespace dkm::supervise {

/// One install's supervisor.
class Supervisor {
 public:
  /// Takes the listening control socket `listen_fd` (owned from now on) and the parsed
  /// services file; blocks the signals it handles and becomes a child subreaper.
  Supervisor(InstallLayout layout, SupervisorLog& log, ServicesFile services,
             std::map<std::string, std::string> startup_env, int listen_fd);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  /// Starts every service with autostart=true by priority, a group once the one before it is up.
  void start_autostart();
  /// Runs the event loop until a shutdown (request or signal) has stopped every service.
  void run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dkm::supervise
