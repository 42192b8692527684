// Leftovers of a killed supervisor: read from /proc and run/dkm.procs, stopped through pidfds.
#include "leftovers.hpp"

#include "run_dir.hpp"

#include <dkm/core/pidfd.hpp>
#include <dkm/core/proc_info.hpp>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <thread>

namespace dkm::supervise {

namespace {

using namespace std::chrono;

/// The name commands give the service of a marked process: PROCESS, or GROUP:PROCESS
/// when they differ (SUPERVISOR_PROCESS_NAME and SUPERVISOR_GROUP_NAME).
std::string service_name_of(pid_t pid) {
  std::string process = environ_value(pid, "SUPERVISOR_PROCESS_NAME").value_or("");
  std::string group = environ_value(pid, "SUPERVISOR_GROUP_NAME").value_or(process);
  return group == process || process.empty() ? process : group + ":" + process;
}

/// The facts select_leftovers() needs about every live process; the environment is read
/// only for the owner's (the marker of another account's process proves nothing).
std::vector<ProcessFacts> process_facts(const std::string& marker, uid_t owner) {
  std::vector<ProcessFacts> out;
  for (pid_t pid : list_pids()) {
    auto st = read_proc_stat(pid);
    auto ids = read_proc_uids(pid);
    if (!st || !ids || st->state == 'Z' || st->state == 'X') continue;
    ProcessFacts f{pid, st->ppid, st->starttime, ids->real, ids->effective, false, {}};
    if (f.real_uid == owner && f.effective_uid == owner && environ_contains(pid, marker)) {
      f.marked = true;
      f.service = service_name_of(pid);
    }
    out.push_back(std::move(f));
  }
  return out;
}

/// One leftover held by its pidfd, with the signal and patience of its service.
struct Held {
  Leftover process;
  PidFd handle;
  int stopsignal = SIGTERM;
  int stopwaitsecs = 10;
};

/// Holds `leftovers` not held yet (those gone or whose pid was reused are dropped).
void hold(const std::vector<Leftover>& leftovers, const std::map<std::string, ProgramConfig>& configs,
          std::vector<Held>& held) {
  for (const auto& l : leftovers) {
    if (std::any_of(held.begin(), held.end(), [&](const Held& h) { return h.process.pid == l.pid; })) continue;
    Held h{l, PidFd(l.pid, l.starttime)};
    if (!h.handle.held()) continue;
    if (auto cfg = configs.find(l.service); cfg != configs.end()) {
      h.stopsignal = cfg->second.stopsignal;
      h.stopwaitsecs = cfg->second.stopwaitsecs;
    }
    held.push_back(std::move(h));
  }
}

/// Stops every held process (SIGSTOP) and adds their descendants of `owner` until none is
/// born any more: a stopped process does not fork, so the set is complete when it returns.
void freeze_with_descendants(std::vector<Held>& held, const std::map<std::string, ProgramConfig>& configs, uid_t owner,
                             const std::set<pid_t>& exclude) {
  for (int round = 0; round < 20; ++round) {
    for (const auto& h : held) h.handle.signal(SIGSTOP);
    std::vector<Leftover> born;
    for (pid_t pid : list_pids()) {
      auto st = read_proc_stat(pid);
      auto ids = read_proc_uids(pid);
      if (!st || !ids || exclude.count(pid) || ids->real != owner || ids->effective != owner) continue;
      auto parent = std::find_if(held.begin(), held.end(), [&](const Held& h) { return h.process.pid == st->ppid; });
      bool known = std::any_of(held.begin(), held.end(), [&](const Held& h) { return h.process.pid == pid; });
      if (parent != held.end() && !known) born.push_back({pid, st->starttime, parent->process.service});
    }
    if (born.empty()) return;
    hold(born, configs, held);
  }
}

/// Waits until every held process has exited, at most `limit`.
void wait_all_exited(const std::vector<Held>& held, milliseconds limit) {
  auto deadline = steady_clock::now() + limit;
  for (;;) {
    std::vector<pollfd> fds;
    bool all_gone = true;
    for (const auto& h : held) {
      if (h.handle.exited()) continue;
      all_gone = false;
      if (h.handle.fd() >= 0) fds.push_back({h.handle.fd(), POLLIN, 0});
    }
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    if (all_gone || left.count() <= 0) return;
    if (fds.empty()) std::this_thread::sleep_for(std::min(left, milliseconds(20)));  // no pidfds: an old kernel
    else ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left.count(), 100)));
  }
}

/// Sends `signal` to every held process still running (SIGCONT after it, so that a
/// stopped one handles it); the longest stopwaitsecs among them.
int signal_running(const std::vector<Held>& held, bool kill) {
  int wait_secs = 1;
  for (const auto& h : held) {
    if (h.handle.exited()) continue;
    h.handle.signal(kill ? SIGKILL : h.stopsignal);
    if (!kill) h.handle.signal(SIGCONT);
    wait_secs = std::max(wait_secs, h.stopwaitsecs);
  }
  return wait_secs;
}

/// Keeps in run/dkm.procs only the records of processes that still run.
void prune_procs_file(const DirHandle& run) {
  auto text = run.read_file(kProcsFile);
  if (!text) return;
  std::vector<TrackedProcess> alive;
  for (const auto& r : parse_procs_file(*text))
    if (auto st = read_proc_stat(r.pid); st && st->starttime == r.starttime && process_alive(r.pid)) alive.push_back(r);
  if (alive.empty()) run.remove(kProcsFile);
  else run.write_file_atomic(kProcsFile, render_procs_file(alive), 0644, DirHandle::Sync::kNo);
}

}  // namespace

std::vector<Leftover> find_leftovers(const InstallLayout& layout, const DirHandle& run) {
  const uid_t owner = ::geteuid();
  auto recorded = parse_procs_file(run.read_file(kProcsFile).value_or(""));
  return select_leftovers(process_facts(service_marker(layout), owner), recorded, owner, self_and_ancestors());
}

void stop_leftovers(const DirHandle& run, const std::vector<Leftover>& leftovers,
                    const std::map<std::string, ProgramConfig>& configs,
                    const std::function<void(const std::string&)>& log) {
  std::vector<Held> held;
  hold(leftovers, configs, held);
  if (!held.empty()) {
    freeze_with_descendants(held, configs, ::geteuid(), self_and_ancestors());
    for (const auto& h : held)
      log("found " + (h.process.service.empty() ? std::string("a process") : "'" + h.process.service + "'") +
          " with pid " + std::to_string(h.process.pid) + " left by a supervisor that died; stopping it");
    int wait_secs = signal_running(held, false);
    wait_all_exited(held, seconds(wait_secs));
    for (const auto& h : held)
      if (!h.handle.exited())
        log("pid " + std::to_string(h.process.pid) + " still running after " + std::to_string(wait_secs) +
            " s; killing it");
    freeze_with_descendants(held, configs, ::geteuid(), self_and_ancestors());
    signal_running(held, true);
    wait_all_exited(held, seconds(5));
  }
  prune_procs_file(run);
}

void remove_pid_files(const DirHandle& run, const std::vector<std::string>& services) {
  for (const auto& file : service_pid_file_names(run)) {
    std::string service = file.substr(0, file.size() - 4);
    if (services.empty() || std::find(services.begin(), services.end(), service) != services.end()) run.remove(file);
  }
}

}  // namespace dkm::supervise
