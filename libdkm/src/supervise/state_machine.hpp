#pragma once
// The supervisor's logic: every service's lifecycle, in supervisord's states and words,
// and the orders that span services (start and stop by priority, reload, shutdown).
//
//   STOPPED --start--> STARTING --probe answers / startsecs--> RUNNING
//   STARTING --exits or cannot spawn--> BACKOFF --1, 2, 4 ... 60 s--> STARTING
//   BACKOFF ... --more than startretries failures--> FATAL (until the next start)
//   RUNNING --exits--> EXITED (--autorestart--> STARTING)
//   STARTING/RUNNING --stop--> STOPPING --process and group gone--> STOPPED
//   STOPPING --stopwaitsecs--> SIGKILL to the group, then again every second until gone
//   BACKOFF --stop--> STOPPED
//
// It makes no system call: processes, the clock, probes and the log are the interfaces
// of seams.hpp. The event loop (supervisor.cpp) feeds it events (process_exited,
// probe_finished, timers) and calls settle() after each round of them.
// Implementation: state_machine.cpp (one service's transitions), batches.cpp (priority
// order), reload.cpp (supervisorctl's reread, update, add, remove and reload; removal).

#include "seams.hpp"

#include <dkm/supervise/services_file.hpp>

#include "control_protocol.hpp"
#include "service_state.hpp"

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dkm::supervise {

/// Longest wait between two start attempts.
inline constexpr int kMaxBackoffSeconds = 60;
/// The first probe of a service that has just been spawned.
inline constexpr auto kFirstProbeDelay = std::chrono::milliseconds(10);

/// One service as the machine knows it.
struct Service {
  ProgramConfig cfg;
  ServiceState state = ServiceState::kStopped;
  pid_t pid = 0;                  ///< the live main process, 0 when none
  pid_t pgid = 0;                 ///< the group of the last spawn (outlives the main process while members remain)
  Clock::time_point started{};    ///< when the main process was spawned
  std::int64_t since = 0;         ///< wall clock of the last state change; 0: never started
  std::string detail;             ///< why it last exited, or the spawn error
  int backoff = 0;                ///< failed starts in a row
  TimerId timer = 0;              ///< startsecs, backoff delay or stop deadline
  bool group_pending = false;     ///< STOPPING: main process gone, group members remain
  bool kill_sent = false;         ///< STOPPING: the stop deadline passed, SIGKILL was sent
  TimerId probe_timer = 0;        ///< the next readiness attempt
  int probe_attempts = 0;         ///< attempts since the spawn
  bool start_after_stop = false;  ///< restart: start once stopped
  bool remove_after_stop = false; ///< reload removed it: drop once stopped
  bool removed = false;           ///< dropped at the next settle()
  bool queued = false;            ///< in a batch, waiting for its group's turn to start or stop
  std::optional<ProgramConfig> next_config;  ///< reload changed it: the definition after the stop
};

/// What a new services file changes, by group (reread), or what an update applied.
struct ReloadResult {
  std::vector<std::string> added, changed, removed, warnings;
};

/// "added a; changed none; removed b, c" for the log.
std::string reload_summary(const ReloadResult& r);

/// Every service of one supervisor and the orders in flight.
class StateMachine {
 public:
  /// The machine drives `processes`, `timers`, `probes` and `log`, which outlive it.
  /// Probes report back through probe_finished().
  StateMachine(Processes& processes, Timers& timers, Probes& probes, EventLog& log);
  StateMachine(const StateMachine&) = delete;
  StateMachine& operator=(const StateMachine&) = delete;

  /// Adds a service, STOPPED (the services file read at start-up).
  void add(const ProgramConfig& cfg);

  // ---- orders -------------------------------------------------------------------------

  /// The services `names` asks for, in that order and each once (none: every service, by
  /// priority); a name is supervisorctl's: NAME, GROUP:PROCESS, or GROUP:* for a whole
  /// group. The names that match nothing go to `unknown`.
  std::vector<std::string> select(const std::vector<std::string>& names, std::vector<std::string>& unknown) const;
  /// Every service as supervisorctl lists them: by group, then process name.
  std::vector<std::string> listing() const;
  /// The services one supervisorctl name means (NAME, GROUP:PROCESS, GROUP:*), as listed.
  std::vector<std::string> matching(const std::string& spec) const;
  /// Starts `names` (restart: stops the running ones first) group by group of equal
  /// priority (ProgramConfig::rank()), lowest first; a group goes once the one before it
  /// is RUNNING, failing (BACKOFF) or given up.
  void start_by_priority(const std::vector<std::string>& names, bool restart);
  /// Stops `names` group by group of equal priority, highest first; returns the longest
  /// the whole stop may take (the sum of each group's longest stopwaitsecs).
  std::chrono::seconds stop_by_priority(const std::vector<std::string>& names);
  /// Starts every service with autostart=true, by priority.
  void start_autostart();
  /// What `file` changes compared with the services in use, by group (supervisord's
  /// diff_to_active): groups only in the file, groups that differ, groups no longer in it.
  ReloadResult diff(const ServicesFile& file) const;
  /// Applies `file` to its groups `groups` (none: every group): removed groups are
  /// stopped and dropped, changed ones take their new definition (restarted when they
  /// ran, started when autostart), added ones are added (started when autostart).
  ReloadResult update(const ServicesFile& file, const std::vector<std::string>& groups = {});
  /// Adds group `group` of `file` (started when autostart): kSuccess, kAlreadyAdded
  /// when it is in use, kBadName when the file has no such group.
  Fault add_group(const ServicesFile& file, const std::string& group);
  /// Drops group `group`: kSuccess, kStillRunning when one of its services is not
  /// stopped, kBadName when no such group is in use.
  Fault remove_group(const std::string& group);
  /// supervisorctl's reload: stops every service by priority; once all are stopped,
  /// takes `file` whole and starts by priority its autostart services and those that ran.
  void restart_all(const ServicesFile& file);
  /// True from restart_all() until the services start again.
  bool restarting() const { return restart_.has_value(); }
  /// Stops every service by priority; nothing starts again.
  void shutdown();

  // ---- events -------------------------------------------------------------------------

  /// A child was reaped with wait status `status`; false when it was no service's main process.
  bool process_exited(pid_t pid, int status);
  /// A readiness attempt of `name` ended: the service answered, or not yet.
  void probe_finished(const std::string& name, bool ready);
  /// After reaping: a STOPPING service whose main process is gone and whose group has
  /// emptied is STOPPED.
  void check_groups();
  /// After every round of events: removed services are dropped and batches move on.
  void settle();

  // ---- questions ----------------------------------------------------------------------

  /// The service `name`, or nullptr.
  const Service* find(const std::string& name) const;
  /// True when `name` will not reach RUNNING without a new order.
  bool start_settled(const std::string& name) const;
  /// True when the services after `name` in a start by priority may go: it is settled, or
  /// failing (BACKOFF): a program that keeps failing does not hold the others back.
  bool start_turn_over(const std::string& name) const;
  /// True when `name` is stopped, process group included, and not waiting to stop.
  bool stop_settled(const std::string& name) const;
  /// True when `name` is STOPPING, or stopped but not yet dropped by a reload.
  bool reload_pending(const std::string& name) const;
  /// True when every service is stopped, groups included.
  bool all_stopped() const;
  /// True when a service of group `group` is in use (not dropped).
  bool group_in_use(const std::string& group) const;
  /// True once shutdown() was called.
  bool shutting_down() const { return shutting_down_; }
  /// The names of every service, in name order.
  std::vector<std::string> names() const;
  /// A service as `dkm status` reports it (without its log's last lines).
  ServiceStatus status(const Service& s) const;

 private:
  /// Services started or stopped together, in groups of equal priority.
  struct Batch {
    bool stopping = false;
    std::vector<std::vector<std::string>> groups;
    std::size_t next = 1;  ///< the first group not gone yet
  };

  // state_machine.cpp: one service's transitions.
  void set_state(Service& s, ServiceState state);
  void spawn(Service& s);
  void became_running(Service& s, const std::string& why);
  void start_failed(Service& s);
  void kill_leftover_group(Service& s);
  void exited(Service& s, int status);
  void exited_while_running(Service& s, const std::string& how, bool expected);
  void start(Service& s);
  void stop(Service& s);
  void kill_now(Service& s);
  void recheck_group(Service& s);
  void finish_stop(Service& s);
  void follow_up(Service& s);
  void schedule_probe(Service& s, Clock::duration delay);
  void probe_again(Service& s);
  void probe_once(Service& s);
  void stop_probe(Service& s);

  // batches.cpp: priority order.
  std::vector<std::vector<std::string>> priority_groups(const std::vector<std::string>& names,
                                                        bool highest_first) const;
  void advance_batches();

  // reload.cpp: removal and reload.
  void erase_removed();
  void finish_restart();

  Processes& processes_;
  Timers& timers_;
  Probes& probes_;
  EventLog& log_;
  std::map<std::string, std::unique_ptr<Service>> services_;
  std::map<pid_t, Service*> leaders_;  ///< main process pid -> service
  std::list<Batch> batches_;
  bool shutting_down_ = false;
  /// A reload waiting for every service to stop: the file it takes, the services that ran.
  struct Restart {
    ServicesFile file;
    std::vector<std::string> were_running;
  };
  std::optional<Restart> restart_;
};

}  // namespace dkm::supervise
