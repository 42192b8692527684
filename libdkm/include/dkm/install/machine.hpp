#pragma once
// The machine an install is sized for: how many cores its processes may use and how much
// memory. Read from the kernel (sched_getaffinity, /proc/meminfo) and narrowed by the
// limits of this process's control group (cgroup v2 cpu.max and memory.max, or v1's CFS
// quota and memory.limit_in_bytes), as a container or a systemd slice would limit the
// services dkm starts from here. The parsers are pure, for the unit tests; read_machine()
// is the one function that looks at the system.
// Implementation: libdkm/src/install/machine.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::install {

/// Cores and memory, as the sizing sees them.
struct Machine {
  unsigned cores = 1;              ///< CPUs this process may run on, a CPU quota rounded up
  std::uint64_t memory_bytes = 0;  ///< RAM, or a lower memory limit of the control group
};

/// MemTotal of a /proc/meminfo text, in bytes; nothing when absent.
std::optional<std::uint64_t> meminfo_total_bytes(std::string_view meminfo);

/// A control group's memory limit: cgroup v2's memory.max ("max": none) or v1's
/// memory.limit_in_bytes (v1 writes "no limit" as a number near 2^63); nothing when there
/// is none or the text is not a number.
std::optional<std::uint64_t> cgroup_memory_limit(std::string_view text);

/// Whole cores a CPU quota allows, rounded up: cgroup v2's cpu.max ("QUOTA PERIOD", "max
/// PERIOD": none) or v1's "QUOTA PERIOD" made of cpu.cfs_quota_us and cpu.cfs_period_us
/// (-1: none); nothing when there is none or the text is not one.
std::optional<unsigned> cgroup_cpu_quota_cores(std::string_view text);

/// The control group directories of this process, from a /proc/self/cgroup text:
/// "/sys/fs/cgroup/PATH" for cgroup v2 ("0::PATH"), "/sys/fs/cgroup/CONTROLLER/PATH" for
/// the v1 memory and cpu controllers; each with its ancestors up to the mount, nearest first.
std::vector<std::string> cgroup_directories(std::string_view proc_self_cgroup, std::string_view controller);

/// This machine: the cores of this process's CPU affinity and MemTotal, narrowed by the
/// control groups' quotas and limits (the smallest along the path to the root).
Machine read_machine();

/// "2 cores, 23.5 GiB": a machine as the summary and the configs' comments name it.
std::string describe_machine(const Machine& machine);

}  // namespace dkm::install
