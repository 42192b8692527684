// What /proc says about a process.
#include <dkm/core/proc_info.hpp>

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

std::string read_proc_file(const std::string& path) {
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

std::optional<ProcStat> read_proc_stat(pid_t pid) {
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

void wait_for_exit(pid_t pid, std::chrono::milliseconds limit) {
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

std::set<pid_t> self_and_ancestors() {
  std::set<pid_t> out;
  for (pid_t pid = ::getpid(); pid > 1 && out.insert(pid).second;) {
    auto st = read_proc_stat(pid);
    if (!st) break;
    pid = st->ppid;
  }
  return out;
}

std::vector<pid_t> list_pids() {
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

std::optional<ProcUids> read_proc_uids(pid_t pid) {
  std::string status = read_proc_file("/proc/" + std::to_string(pid) + "/status");
  size_t pos = status.find("\nUid:");
  if (pos == std::string::npos) return std::nullopt;
  char* end = nullptr;
  ProcUids ids;
  ids.real = static_cast<uid_t>(std::strtoul(status.c_str() + pos + 5, &end, 10));
  ids.effective = static_cast<uid_t>(std::strtoul(end, nullptr, 10));
  return ids;
}

std::optional<std::vector<pid_t>> read_proc_children(pid_t pid) {
  std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(task_dir.c_str());
  if (!dir) return std::nullopt;
  std::vector<pid_t> children;
  bool have_file = false;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::string path = task_dir + "/" + e->d_name + "/children";
    if (::access(path.c_str(), R_OK) != 0) continue;
    have_file = true;
    for (const auto& word : split(read_proc_file(path), ' '))
      if (long child = std::strtol(word.c_str(), nullptr, 10); child > 0) children.push_back(static_cast<pid_t>(child));
  }
  ::closedir(dir);
  if (!have_file) return std::nullopt;
  return children;
}

bool environ_contains(pid_t pid, std::string_view entry) {
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

std::optional<std::string> environ_value(pid_t pid, std::string_view key) {
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

double process_start_epoch(std::uint64_t starttime) {
  static const double boot = [] {
    std::string stat = read_proc_file("/proc/stat");
    size_t pos = stat.find("\nbtime ");
    return pos == std::string::npos ? 0.0 : std::strtod(stat.c_str() + pos + 7, nullptr);
  }();
  return boot + static_cast<double>(starttime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

long resident_kib(pid_t pid) {
  std::string status = read_proc_file("/proc/" + std::to_string(pid) + "/status");
  size_t pos = status.find("\nVmRSS:");
  return pos == std::string::npos ? 0 : std::strtol(status.c_str() + pos + 7, nullptr, 10);
}

long proc_status_counter(pid_t pid, std::string_view name) {
  std::string status = read_proc_file("/proc/" + std::to_string(pid) + "/status");
  std::string key = "\n" + std::string(name) + ":";
  size_t pos = status.find(key);
  return pos == std::string::npos ? -1 : std::strtol(status.c_str() + pos + key.size(), nullptr, 10);
}

}  // namespace dkm
