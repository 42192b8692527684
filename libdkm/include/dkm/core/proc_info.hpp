#pragma once
// What /proc says about a process: state, parent, group, start time, CPU used,
// environment. Used to recognise the processes a killed supervisor left behind, and
// by tests and the benchmark to look at real processes.
// Implementation: libdkm/src/core/proc_info.cpp.

#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dkm {

/// Fields of /proc/PID/stat.
struct ProcStat {
  pid_t pid = 0;
  std::string comm;            ///< executable name (truncated to 15 characters by the kernel)
  char state = '?';            ///< R, S, D, Z, T, X ...
  pid_t ppid = 0;
  pid_t pgrp = 0;
  pid_t session = 0;
  std::uint64_t utime = 0;     ///< clock ticks in user mode
  std::uint64_t stime = 0;     ///< clock ticks in kernel mode
  std::uint64_t starttime = 0; ///< clock ticks after boot
};

/// Reads a small /proc file in one read (they are generated on open); empty when it cannot.
std::string read_proc_file(const std::string& path);

/// /proc/PID/stat, or nothing when the process does not exist.
std::optional<ProcStat> read_proc_stat(pid_t pid);

/// True when `pid` exists and is not a zombie (exited, waiting to be reaped).
inline bool process_alive(pid_t pid) {
  auto st = read_proc_stat(pid);
  return st && st->state != 'Z' && st->state != 'X';
}

/// Waits until process `pid` (not necessarily a child) has exited, at most `limit`:
/// a pidfd when the kernel has them (no polling), else a short sleep loop.
void wait_for_exit(pid_t pid, std::chrono::milliseconds limit);

/// The real and effective uid of a process (/proc/PID/status), or nothing when it is gone.
struct ProcUids {
  uid_t real = 0;
  uid_t effective = 0;
};
std::optional<ProcUids> read_proc_uids(pid_t pid);

/// The children of `pid` (every thread's, /proc/PID/task/TID/children); nothing when the
/// kernel does not have that file (CONFIG_PROC_CHILDREN) or the process is gone.
std::optional<std::vector<pid_t>> read_proc_children(pid_t pid);

/// The pids in /proc.
std::vector<pid_t> list_pids();

/// This process and its ancestors: never taken for leftovers or an old install's
/// processes (a service may run dkm, an installer may run under an old supervisor).
std::set<pid_t> self_and_ancestors();

/// True when the initial environment of `pid` holds the entry `key=value` exactly.
bool environ_contains(pid_t pid, std::string_view entry);

/// The value of `key` in the initial environment of `pid`, if set.
std::optional<std::string> environ_value(pid_t pid, std::string_view key);

/// The wall-clock time (epoch seconds) at which a process with `starttime` ticks began.
double process_start_epoch(std::uint64_t starttime);

/// True while any process (zombies included) is in process group `pgid`.
inline bool group_alive(pid_t pgid) { return pgid > 0 && (::kill(-pgid, 0) == 0 || errno == EPERM); }

/// The resident set size of `pid` in KiB (VmRSS), 0 when unknown.
long resident_kib(pid_t pid);

/// A counter of /proc/PID/status such as "voluntary_ctxt_switches"; -1 when absent.
long proc_status_counter(pid_t pid, std::string_view name);

}  // namespace dkm
