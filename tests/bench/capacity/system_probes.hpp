#pragma once
// What the benchmark reads from the system: the whisper tree's files and bytes, a
// process's CPU time and resident memory, and the load average (the machine is shared:
// every figure is printed next to it).

#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/core/proc_info.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace dkm::capacity {

/// Whisper files under a directory and the space they take.
struct DiskUsage {
  uint64_t files = 0;             ///< *.wsp files
  uint64_t apparent_bytes = 0;    ///< their sizes (what a full, non-sparse file takes)
  uint64_t allocated_bytes = 0;   ///< blocks allocated on disk (less for sparse files)
};

/// Walks `root` (absent: all zero).
inline DiskUsage whisper_usage(const fs::path& root) {
  DiskUsage usage;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() != ".wsp") continue;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    ++usage.files;
    usage.apparent_bytes += static_cast<uint64_t>(st.st_size);
    usage.allocated_bytes += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return usage;
}

/// CPU seconds (user + system) a process has used so far; -1 when it is gone.
inline double cpu_seconds(pid_t pid) {
  auto st = read_proc_stat(pid);
  if (!st) return -1;
  return static_cast<double>(st->utime + st->stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// The 1-minute load average.
inline double load_average() {
  std::string text = read_proc_file("/proc/loadavg");
  return std::strtod(text.c_str(), nullptr);
}

/// The pid a dkm service's pid file (DIR/run/NAME.pid) names; 0 when none.
inline pid_t service_pid(const fs::path& install, const std::string& service) {
  std::error_code ec;
  fs::path file = install / "run" / (service + ".pid");
  if (!fs::exists(file, ec)) return 0;
  return static_cast<pid_t>(std::atol(read_file(file).c_str()));
}

}  // namespace dkm::capacity
