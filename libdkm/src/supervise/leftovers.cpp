// Processes a killed supervisor left behind: found by pid file and marker, and stopped.
#include "leftovers.hpp"

#include <dkm/core/files.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/core/proc_info.hpp>
#include <dkm/supervise/services_file.hpp>

#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <chrono>
#include <cmath>
#include <csignal>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace dkm::supervise {

std::map<std::string, fs::path> service_pid_files(const InstallLayout& layout) {
  std::map<std::string, fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(layout.run(), ec)) {
    const fs::path& p = entry.path();
    if (p.extension() == ".pid" && p.filename() != layout.supervisor_pid_file().filename()) files[p.stem().string()] = p;
  }
  return files;
}

std::vector<Leftover> find_leftovers(const InstallLayout& layout) {
  const std::string marker = service_marker(layout);
  const std::set<pid_t> exclude = self_and_ancestors();
  std::map<pid_t, std::string> found;
  for (const auto& [name, path] : service_pid_files(layout)) {
    std::string text;
    try {
      text = read_file(path);
    } catch (const Error&) {
      continue;
    }
    pid_t pid = static_cast<pid_t>(std::strtol(text.c_str(), nullptr, 10));
    if (pid <= 1 || exclude.count(pid) || !process_alive(pid)) continue;
    auto st = read_proc_stat(pid);
    struct stat file_stat {};
    bool same_time = st && ::stat(path.c_str(), &file_stat) == 0 &&
                     std::fabs(process_start_epoch(st->starttime) - static_cast<double>(file_stat.st_mtime)) < 5;
    // The pid file is written right after the fork: a process that started then is ours.
    if (same_time || environ_contains(pid, marker)) found[pid] = name;
  }
  for (pid_t pid : list_pids()) {
    if (found.count(pid) || exclude.count(pid) || !environ_contains(pid, marker) || !process_alive(pid)) continue;
    // Its name as the services file gives it: PROCESS, or GROUP:PROCESS when they differ.
    std::string process = environ_value(pid, "SUPERVISOR_PROCESS_NAME").value_or("");
    std::string group = environ_value(pid, "SUPERVISOR_GROUP_NAME").value_or(process);
    found[pid] = group == process || process.empty() ? process : group + ":" + process;
  }
  std::vector<Leftover> out;
  for (const auto& [pid, name] : found) out.push_back({pid, name});
  return out;
}

void stop_leftovers(const InstallLayout& layout, const std::vector<Leftover>& leftovers,
                           const std::map<std::string, ProgramConfig>& configs,
                           const std::function<void(const std::string&)>& log) {
  using namespace std::chrono;
  int wait_secs = 1;
  auto send = [&](const Leftover& l, bool kill) {
    auto cfg = configs.find(l.service);
    int sig = kill ? SIGKILL : cfg != configs.end() ? cfg->second.stopsignal : SIGTERM;
    if (!kill && cfg != configs.end()) wait_secs = std::max(wait_secs, cfg->second.stopwaitsecs);
    if (!kill && cfg == configs.end()) wait_secs = std::max(wait_secs, 10);
    auto st = read_proc_stat(l.pid);
    if (st && st->pgrp == l.pid) ::kill(-l.pid, sig);
    ::kill(l.pid, sig);
  };
  auto wait_gone = [&](seconds limit) {
    auto deadline = steady_clock::now() + limit;
    std::vector<pollfd> fds;
    for (const auto& l : leftovers) {
      int fd = static_cast<int>(::syscall(SYS_pidfd_open, l.pid, 0));
      if (fd >= 0) fds.push_back({fd, POLLIN, 0});
    }
    while (true) {
      bool all_gone = true;
      for (const auto& l : leftovers) all_gone = all_gone && !process_alive(l.pid);
      if (all_gone || steady_clock::now() >= deadline) break;
      int left_ms = static_cast<int>(duration_cast<milliseconds>(deadline - steady_clock::now()).count()) + 1;
      if (fds.empty()) {
        std::this_thread::sleep_for(milliseconds(std::min(left_ms, 20)));  // no pidfd support: old kernel
        continue;
      }
      if (::poll(fds.data(), fds.size(), left_ms) > 0) {
        // Exited ones stay readable: stop watching them.
        for (auto it = fds.begin(); it != fds.end();) {
          if (it->revents) {
            ::close(it->fd);
            it = fds.erase(it);
          } else {
            ++it;
          }
        }
      }
    }
    for (auto& p : fds) ::close(p.fd);
  };
  for (const auto& l : leftovers) {
    log("found " + (l.service.empty() ? std::string("a process") : "'" + l.service + "'") + " with pid " +
        std::to_string(l.pid) + " left by a supervisor that died; stopping it");
    send(l, false);
  }
  if (!leftovers.empty()) wait_gone(seconds(wait_secs));
  for (const auto& l : leftovers) {
    if (process_alive(l.pid)) {
      log("pid " + std::to_string(l.pid) + " still running after " + std::to_string(wait_secs) + " s; killing it");
      send(l, true);
    }
  }
  if (!leftovers.empty()) wait_gone(seconds(5));
  for (const auto& [name, path] : service_pid_files(layout)) ::unlink(path.c_str());
}

}  // namespace dkm::supervise
