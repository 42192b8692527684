#pragma once
// Which service each process under the supervisor belongs to. A service's processes are
// not only its process group: a daemon may start a session of its own (setsid), two
// levels down, with an empty environment (no marker). The supervisor is the child
// subreaper of all of them, so every one stays in its subtree until it dies; it looks at
// that subtree now and then (descendant_tracker.hpp) and this logic, which makes no system
// call, says whose each process is. What it finds is kept in DIR/run/dkm.procs, so that
// after a supervisor was killed the next one (or `dkm stop`) still knows them.
// Implementation: libdkm/src/supervise/descendants.cpp.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::supervise {

/// One process of a /proc snapshot.
struct ProcNode {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgid = 0;
  std::uint64_t starttime = 0;  ///< ticks after boot: with the pid, who the process is
};

/// The record dkm.procs keeps in DIR/run.
inline constexpr const char* kProcsFile = "dkm.procs";

/// A process of the install: a service's main process or one of its descendants.
struct TrackedProcess {
  pid_t pid = 0;
  std::uint64_t starttime = 0;
  std::string service;  ///< "" when no service can be told (still the install's)
  pid_t run = 0;        ///< the process group of the service's main process it descends from; 0: unknown

  /// Equal when both name the same process of the same run of the same service.
  bool operator==(const TrackedProcess&) const = default;
};

/// The processes of `all` under `root` (its descendants, not itself), by parent pid.
std::vector<ProcNode> subtree_of(const std::vector<ProcNode>& all, pid_t root);

/// Whose each process of `subtree` (every descendant of the supervisor) is, in pid order.
/// `runs` maps the process group each service's main process leads to the service. A
/// process belongs to the run of group G when it is in G, when `known` (the previous
/// answer) gave it to G, or when its parent belongs to G; else to no run (service "").
std::vector<TrackedProcess> attribute_descendants(const std::vector<ProcNode>& subtree,
                                                  const std::map<pid_t, std::string>& runs,
                                                  const std::vector<TrackedProcess>& known);

/// DIR/run/dkm.procs: one "PID STARTTIME SERVICE" line per process (runs are not kept).
std::string render_procs_file(const std::vector<TrackedProcess>& processes);

/// Reads dkm.procs; a line that does not parse is skipped: the file only says which
/// processes to look at, each is checked against /proc before anything is done to it.
std::vector<TrackedProcess> parse_procs_file(std::string_view text);

}  // namespace dkm::supervise
