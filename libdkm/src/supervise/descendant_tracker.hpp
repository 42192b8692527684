#pragma once
// The supervisor's watch over every process under it. The supervisor is the child
// subreaper of what it starts (PR_SET_CHILD_SUBREAPER), so a daemon that leaves its
// service's process group (setsid, two levels down, an empty environment) stays in the
// supervisor's subtree until it dies. The tracker looks at that subtree (after a spawn,
// each reap, before a stop, then now and then while anything runs), gives each process to
// the run of the service it came from (descendants.hpp), holds it by a pidfd (its exit is
// an event of the loop), and keeps DIR/run/dkm.procs up to date so that what a killed
// supervisor left can still be found and stopped (leftovers.hpp).
// Implementation: libdkm/src/supervise/descendant_tracker.cpp.

#include "descendants.hpp"
#include "event_loop.hpp"
#include "seams.hpp"

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/pidfd.hpp>

#include <functional>
#include <map>
#include <string>

namespace dkm::supervise {

/// Every process under the supervisor, by service run.
class DescendantTracker {
 public:
  /// Records into `run` (DIR/run, the supervisor's handle, which outlives the tracker).
  DescendantTracker(EventLoop& loop, EventLog& log, const DirHandle& run);
  ~DescendantTracker();
  DescendantTracker(const DescendantTracker&) = delete;
  DescendantTracker& operator=(const DescendantTracker&) = delete;

  /// Calls `callback` after a process it holds has exited.
  void set_on_exit(std::function<void()> callback) { on_exit_ = std::move(callback); }
  /// The main process `pid` of `service` was spawned, leading process group `pid`.
  void spawned(const std::string& service, pid_t pid);
  /// Looks at the subtree now: new processes are held, gone ones dropped, dkm.procs rewritten if that changed.
  void scan();
  /// True while a process of the run of process group `pgid` lives (inside the group or not).
  bool run_alive(pid_t pgid) const;
  /// Sends `signal` to the processes of the run of `pgid` that left that process group
  /// (a kill(-pgid) reaches the others).
  void signal_escaped(pid_t pgid, int signal);
  /// Kills (SIGKILL) and reaps every process under the supervisor, until none is left;
  /// then removes dkm.procs. For the end of a shutdown.
  void kill_everything();

 private:
  struct Entry {
    TrackedProcess process;
    PidFd handle;
  };
  void hold(const TrackedProcess& process);
  void release(pid_t pid);
  void exited(pid_t pid);
  void record_soon();
  void record();
  void schedule(bool changed);

  EventLoop& loop_;
  EventLog& log_;
  const DirHandle& run_;
  std::map<pid_t, std::string> runs_;  ///< process group of a service's main process -> service
  std::map<pid_t, Entry> entries_;
  std::function<void()> on_exit_;
  TimerId timer_ = 0;         ///< the next look
  TimerId record_timer_ = 0;  ///< the next write of dkm.procs
  Clock::duration interval_{};
  std::string recorded_;  ///< what dkm.procs holds
  bool record_failed_ = false;
};

}  // namespace dkm::supervise
