// The machine an install is sized for: cores and memory, narrowed by the control group.
#include <dkm/install/machine.hpp>

#include <dkm/core/proc_info.hpp>
#include <dkm/core/strings.hpp>

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace dkm::install {

namespace {

/// The unsigned number `text` is, whole; nothing otherwise.
std::optional<std::uint64_t> to_number(std::string_view text) {
  text = trim(text);
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return n;
}

/// Limits at or above this are cgroup v1's way of writing "no limit" (LONG_MAX rounded
/// down to a page); no machine has 2^60 bytes.
constexpr std::uint64_t kNoLimit = std::uint64_t{1} << 60;

/// The smaller of two optional limits.
template <class T>
std::optional<T> smaller(std::optional<T> a, std::optional<T> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

/// The CPUs this process may run on (what Go's runtime.NumCPU counts), else the online ones.
unsigned affinity_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return static_cast<unsigned>(CPU_COUNT(&set));
  long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<unsigned>(online) : 1;
}

}  // namespace

std::optional<std::uint64_t> meminfo_total_bytes(std::string_view meminfo) {
  for (const auto& line : split(meminfo, '\n')) {
    std::string_view l = line;
    if (l.rfind("MemTotal:", 0) != 0) continue;
    l.remove_prefix(9);
    l = trim(l);
    size_t unit = l.find(' ');
    auto kib = to_number(l.substr(0, unit));
    if (!kib) return std::nullopt;
    return *kib * 1024;  // the kernel writes "kB" and means KiB
  }
  return std::nullopt;
}

std::optional<std::uint64_t> cgroup_memory_limit(std::string_view text) {
  auto bytes = to_number(text);
  if (!bytes || *bytes == 0 || *bytes >= kNoLimit) return std::nullopt;
  return bytes;
}

std::optional<unsigned> cgroup_cpu_quota_cores(std::string_view text) {
  std::vector<std::string> words;
  for (const auto& w : split(trim(text), ' '))
    if (!w.empty()) words.push_back(w);
  if (words.size() != 2) return std::nullopt;
  auto quota = to_number(words[0]);  // "max" and v1's "-1" are no number: no quota
  auto period = to_number(words[1]);
  if (!quota || !period || *quota == 0 || *period == 0) return std::nullopt;
  return static_cast<unsigned>((*quota + *period - 1) / *period);
}

std::vector<std::string> cgroup_directories(std::string_view proc_self_cgroup, std::string_view controller) {
  std::vector<std::string> out;
  auto add_with_ancestors = [&](const std::string& mount, std::string path) {
    while (true) {
      out.push_back(path == "/" || path.empty() ? mount : mount + path);
      if (path == "/" || path.empty()) break;
      path = path.substr(0, path.rfind('/'));
    }
  };
  for (const auto& line : split(proc_self_cgroup, '\n')) {
    size_t first = line.find(':');
    size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (line.substr(0, first) == "0" && controllers.empty()) {
      add_with_ancestors("/sys/fs/cgroup", path);
      continue;
    }
    for (const auto& c : split(controllers, ','))
      if (c == controller) add_with_ancestors("/sys/fs/cgroup/" + controllers, path);
  }
  return out;
}

Machine read_machine() {
  Machine m;
  std::string cgroups = read_proc_file("/proc/self/cgroup");
  std::optional<unsigned> quota;
  for (const auto& dir : cgroup_directories(cgroups, "cpu")) {
    quota = smaller(quota, cgroup_cpu_quota_cores(read_proc_file(dir + "/cpu.max")));
    std::string v1 = std::string(trim(read_proc_file(dir + "/cpu.cfs_quota_us"))) + " " +
                     std::string(trim(read_proc_file(dir + "/cpu.cfs_period_us")));
    quota = smaller(quota, cgroup_cpu_quota_cores(v1));
  }
  m.cores = std::max(1u, std::min(affinity_cores(), quota.value_or(~0u)));
  std::optional<std::uint64_t> memory = meminfo_total_bytes(read_proc_file("/proc/meminfo"));
  for (const auto& dir : cgroup_directories(cgroups, "memory")) {
    memory = smaller(memory, cgroup_memory_limit(read_proc_file(dir + "/memory.max")));
    memory = smaller(memory, cgroup_memory_limit(read_proc_file(dir + "/memory.limit_in_bytes")));
  }
  m.memory_bytes = memory.value_or(0);
  return m;
}

std::string describe_machine(const Machine& machine) {
  char memory[32];
  std::snprintf(memory, sizeof memory, "%.1f GiB", static_cast<double>(machine.memory_bytes) / (1024.0 * 1024 * 1024));
  return std::to_string(machine.cores) + (machine.cores == 1 ? " core, " : " cores, ") + memory;
}

}  // namespace dkm::install
