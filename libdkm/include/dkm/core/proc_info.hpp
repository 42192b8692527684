#pragma once
// What /proc says about a process: state, parent, group, start time, CPU used,
// environment. Used to recognise the processes a killed supervisor left behind, and
// by tests and the benchmark to look at real processes.

#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <optional>
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
inline std::string read_proc_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

/// /proc/PID/stat, or nothing when the process does not exist.
inline std::optional<ProcStat> read_proc_stat(pid_t pid) {
  std::string text = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  ProcStat st;
  st.pid = pid;
  st.comm = text.substr(open + 1, close - open - 1);
  std::vector<std::string> fields;
  for (auto& f : split(std::string_view(text).substr(close + 2), ' ')) fields.push_back(f);
  // fields[0] is field 3 (state) of proc(5).
  if (fields.size() < 20 || fields[0].empty()) return std::nullopt;
  auto num = [&](size_t field) { return std::strtoull(fields[field - 3].c_str(), nullptr, 10); };
  st.state = fields[0][0];
  st.ppid = static_cast<pid_t>(num(4));
  st.pgrp = static_cast<pid_t>(num(5));
  st.session = static_cast<pid_t>(num(6));
  st.utime = num(14);
  st.stime = num(15);
  st.starttime = num(22);
  return st;
}

/// True when `pid` exists and is not a zombie (exited, waiting to be reaped).
inline bool process_alive(pid_t pid) {
  auto st = read_proc_stat(pid);
  return st && st->state != 'Z' && st->state != 'X';
}

/// Waits until process `pid` (not necessarily a child) has exited, at most `limit`:
/// a pidfd when the kernel has them (no polling), else a short sleep loop.
inline void wait_for_exit(pid_t pid, std::chrono::milliseconds limit) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, static_cast<int>(limit.count())) < 0 && errno == EINTR) {}
    ::close(fd);
    return;
  }
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (process_alive(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

/// The pids in /proc.
inline std::vector<pid_t> list_pids() {
  std::vector<pid_t> pids;
  DIR* dir = ::opendir("/proc");
  if (!dir) return pids;
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end && *end == '\0' && pid > 0) pids.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(dir);
  return pids;
}

/// True when the initial environment of `pid` holds the entry `key=value` exactly.
inline bool environ_contains(pid_t pid, std::string_view entry) {
  std::string env = read_proc_file("/proc/" + std::to_string(pid) + "/environ");
  size_t start = 0;
  while (start < env.size()) {
    size_t end = env.find('\0', start);
    if (end == std::string::npos) end = env.size();
    if (std::string_view(env).substr(start, end - start) == entry) return true;
    start = end + 1;
  }
  return false;
}

/// The value of `key` in the initial environment of `pid`, if set.
inline std::optional<std::string> environ_value(pid_t pid, std::string_view key) {
  std::string env = read_proc_file("/proc/" + std::to_string(pid) + "/environ");
  size_t start = 0;
  while (start < env.size()) {
    size_t end = env.find('\0', start);
    if (end == std::string::npos) end = env.size();
    std::string_view item = std::string_view(env).substr(start, end - start);
    if (item.size() > key.size() && item.substr(0, key.size()) == key && item[key.size()] == '=')
      return std::string(item.substr(key.size() + 1));
    start = end + 1;
  }
  return std::nullopt;
}

/// The wall-clock time (epoch seconds) at which a process with `starttime` ticks began.
inline double process_start_epoch(std::uint64_t starttime) {
  static const double boot = [] {
    std::string stat = read_proc_file("/proc/stat");
    size_t pos = stat.find("\nbtime ");
    return pos == std::string::npos ? 0.0 : std::strtod(stat.c_str() + pos + 7, nullptr);
  }();
  return boot + static_cast<double>(starttime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// True while any process (zombies included) is in process group `pgid`.
inline bool group_alive(pid_t pgid) { return pgid > 0 && (::kill(-pgid, 0) == 0 || errno == EPERM); }

/// The resident set size of `pid` in KiB (VmRSS), 0 when unknown.
inline long resident_kib(pid_t pid) {
  std::string status = read_proc_file("/proc/" + std::to_string(pid) + "/status");
  size_t pos = status.find("\nVmRSS:");
  return pos == std::string::npos ? 0 : std::strtol(status.c_str() + pos + 7, nullptr, 10);
}

/// A counter of /proc/PID/status such as "voluntary_ctxt_switches"; -1 when absent.
inline long proc_status_counter(pid_t pid, std::string_view name) {
  std::string status = read_proc_file("/proc/" + std::to_string(pid) + "/status");
  std::string key = "\n" + std::string(name) + ":";
  size_t pos = status.find(key);
  return pos == std::string::npos ? -1 : std::strtol(status.c_str() + pos + key.size(), nullptr, 10);
}

}  // namespace dkm
