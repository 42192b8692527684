#pragma once
// The supervisor: one event loop (runit/s6 style) around the state machine. It owns the
// services of one install and answers the control socket:
//   - signals through a signalfd: SIGCHLD (reap), SIGTERM/SIGINT/SIGQUIT (shut down),
//     SIGHUP (reload the services file), SIGUSR2 (reopen logs);
//   - every service in its own process group, output read from pipes into its log
//     (service_processes.cpp), readiness probes (probes.cpp);
//   - deadlines (startsecs, backoff, stopwaitsecs, probes, replies) as loop timers;
//   - a child subreaper: every process a service starts stays under the supervisor until
//     it dies, however it detaches (setsid, double fork, an empty environment); the
//     DescendantTracker gives each to its service, so a stop reaches it, and records them
//     in run/dkm.procs for the next supervisor if this one is killed;
//   - requests from the control socket (control_server.cpp) turned into orders to the
//     state machine (orders.cpp), answered now or once what they wait for has happened
//     (requests.cpp; the configuration's: config_requests.cpp).
// Implementation: supervisor.cpp, requests.cpp and config_requests.cpp.

#include "control_server.hpp"
#include "event_loop.hpp"
#include "orders.hpp"
#include "probes.hpp"
#include "service_processes.hpp"
#include "state_machine.hpp"
#include "supervisor_log.hpp"

#include <dkm/core/install_layout.hpp>
#include <dkm/supervise/services_file.hpp>

#include "control_protocol.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dkm::supervise {

/// One install's supervisor.
class Supervisor {
 public:
  /// Takes the listening control socket `listen_fd` (owned from now on) and the parsed
  /// services file; its files in DIR/run go through `run` (which outlives it). Blocks the
  /// signals it handles and becomes a child subreaper. `version` is what `dkm version` reports.
  Supervisor(InstallLayout layout, const DirHandle& run, SupervisorLog& log, ServicesFile services,
             std::map<std::string, std::string> startup_env, int listen_fd, std::string version);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  /// Starts every service with autostart=true by priority, a group once the one before it is up.
  void start_autostart() { machine_.start_autostart(); }
  /// Runs the event loop until a shutdown (request or signal) has stopped every service.
  void run();

 private:
  /// A request answered once `done` holds (or at its deadline).
  struct Waiter {
    ConnectionId conn = 0;
    TimerId timer = 0;
    std::function<bool()> done;
    std::function<std::string(bool timed_out)> reply;
  };

  /// The services file and environment as read from disk.
  struct Config {
    ServicesFile file;
    std::map<std::string, std::string> env;
  };

  // supervisor.cpp: signals, children, shutdown.
  void on_signal();
  void reap();
  void reopen_logs();
  void begin_shutdown();
  void after_events();

  // requests.cpp: what a request on programs means.
  void handle(ConnectionId id, const std::string& line);
  void dispatch(ConnectionId id, const Request& req);
  void handle_status(ConnectionId id, const Request& req);
  void handle_start(ConnectionId id, const Request& req);
  void handle_stop(ConnectionId id, const Request& req);
  void handle_shutdown(ConnectionId id);
  std::string services_reply(const std::vector<std::string>& names, const std::vector<Outcome>& unknown) const;
  std::string outcomes_reply(const std::vector<Outcome>& outcomes) const;
  std::vector<Outcome> with_log_tails(std::vector<Outcome> outcomes) const;
  void add_waiter(ConnectionId conn, Clock::duration timeout, std::function<bool()> done,
                  std::function<std::string(bool)> reply);
  void check_waiters();
  void fail_waiters(const std::string& message);

  // config_requests.cpp: reread, avail, add, remove, update, reload.
  Config read_config() const;
  ReloadResult update(const std::vector<std::string>& groups);
  void handle_reread(ConnectionId id);
  void handle_avail(ConnectionId id);
  void handle_add_remove(ConnectionId id, const Request& req);
  void handle_update(ConnectionId id, const Request& req);
  void handle_reload(ConnectionId id);
  void take_config(Config config);

  InstallLayout layout_;
  const DirHandle& run_;
  SupervisorLog& log_;
  std::map<std::string, std::string> startup_env_;
  fs::path services_path_;
  std::string version_;
  Config config_;  ///< the last one read (start-up, reread, update, reload): what add and avail use
  EventLoop loop_;
  ServiceProcesses processes_;
  ReadinessProbes probes_;
  StateMachine machine_;
  ControlServer server_;
  int signal_fd_ = -1;
  std::map<std::uint64_t, Waiter> waiters_;
  std::uint64_t next_waiter_ = 0;
  bool finished_ = false;
};

}  // namespace dkm::supervise
