#pragma once
// Processes a supervisor left behind when it was killed (SIGKILL, OOM): its services
// keep running without anyone reading their output. The next supervisor (or `dkm stop`)
// finds them and stops them, so a service never runs twice.
//
// What proves that a process is the install's is the process itself, never a file alone:
//   - the marker every service carries in its environment, DKM_SUPERVISOR_RUN=DIR/run
//     (DIR by its canonical path), read from /proc/PID/environ; or
//   - for what cleared its environment: DIR/run/dkm.procs, the supervisor's record of
//     every process under it, naming the process by pid AND start time;
// and in both cases the process runs as the install's owner (real and effective uid).
// Their descendants of the same owner go with them. A pid file (run/NAME.pid) proves
// nothing: the owner writes what it likes there. Each process is then held by a pidfd,
// so a signal never reaches another process that was given its pid meanwhile.
// Implementation: libdkm/src/supervise/leftovers.cpp (the choice, no system call) and
// leftovers_stop.cpp (reading /proc, signalling).

#include "descendants.hpp"

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/supervise/services_file.hpp>

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace dkm::supervise {

/// The environment variable every service of an install carries (its value: DIR/run).
inline constexpr const char* kServiceMarker = "DKM_SUPERVISOR_RUN";

/// The marker entry of an install, "DKM_SUPERVISOR_RUN=DIR/run".
inline std::string service_marker(const InstallLayout& layout) {
  return std::string(kServiceMarker) + "=" + layout.run().string();
}

/// What the search knows of one live process.
struct ProcessFacts {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::uint64_t starttime = 0;
  uid_t real_uid = 0;
  uid_t effective_uid = 0;
  bool marked = false;  ///< carries the install's marker
  std::string service;  ///< when marked: its name as commands give it (PROCESS, or GROUP:PROCESS when they differ)
};

/// A process of the install that no supervisor watches.
using Leftover = TrackedProcess;

/// The leftovers among `processes`: those of `owner` (real and effective uid) that are
/// marked or that `recorded` (dkm.procs) names with their start time, then their
/// descendants of `owner`; none of `exclude`. Each with its service when it can be told
/// (its record, its SUPERVISOR_PROCESS_NAME, else its ancestor's), in pid order.
std::vector<Leftover> select_leftovers(const std::vector<ProcessFacts>& processes,
                                       const std::vector<TrackedProcess>& recorded, uid_t owner,
                                       const std::set<pid_t>& exclude);

/// Finds the install's processes that no supervisor watches (select_leftovers() on /proc
/// and run/dkm.procs, owner: this process's effective uid; never this process or its
/// ancestors, as a service may run dkm). Call it only while holding
/// the supervisor lock (or knowing no supervisor runs).
std::vector<Leftover> find_leftovers(const InstallLayout& layout, const DirHandle& run);

/// Stops leftovers: each service's stopsignal, SIGKILL after its stopwaitsecs (10 s for
/// an unknown service); waits on pidfds. Then removes run/dkm.procs and the services'
/// pid files. `log` receives one line per action.
void stop_leftovers(const DirHandle& run, const std::vector<Leftover>& leftovers,
                    const std::map<std::string, ProgramConfig>& configs,
                    const std::function<void(const std::string&)>& log);

/// Removes the pid files (run/NAME.pid) of `services`; of every service when it is empty.
void remove_pid_files(const DirHandle& run, const std::vector<std::string>& services);

}  // namespace dkm::supervise
