// The supervisor's watch over every process under it.
#include "descendant_tracker.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/proc_info.hpp>

#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

namespace dkm::supervise {

namespace {

using namespace std::chrono_literals;

/// First look after something changed; the pause doubles while nothing does, up to the longest.
constexpr Clock::duration kFirstLook = 50ms;
constexpr Clock::duration kLongestPause = 2s;
/// dkm.procs is written this long after a change, once for a burst of them: a rename in
/// run/ costs milliseconds on some file systems, and a crashed service's restart must not wait.
constexpr Clock::duration kRecordDelay = 20ms;

/// A live process as a ProcNode; nothing for a zombie or one that is gone.
std::optional<ProcNode> proc_node(pid_t pid) {
  auto st = read_proc_stat(pid);
  if (!st || st->state == 'Z' || st->state == 'X') return std::nullopt;
  return ProcNode{pid, st->ppid, st->pgrp, st->starttime};
}

/// The live processes under `root`: through /proc/PID/task/TID/children when the kernel
/// has it (only the subtree is read), else from every process's parent.
std::vector<ProcNode> read_subtree(pid_t root) {
  static const bool children_files = read_proc_children(::getpid()).has_value();
  std::vector<ProcNode> out;
  if (!children_files) {
    std::vector<ProcNode> all;
    for (pid_t pid : list_pids())
      if (auto node = proc_node(pid)) all.push_back(*node);
    return subtree_of(all, root);
  }
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    pid_t parent = todo.back();
    todo.pop_back();
    for (pid_t child : read_proc_children(parent).value_or(std::vector<pid_t>{})) {
      if (auto node = proc_node(child)) {
        out.push_back(*node);
        todo.push_back(child);
      }
    }
  }
  return out;
}

}  // namespace

DescendantTracker::DescendantTracker(EventLoop& loop, EventLog& log, const DirHandle& run)
    : loop_(loop), log_(log), run_(run) {}

DescendantTracker::~DescendantTracker() {
  loop_.cancel(timer_);
  loop_.cancel(record_timer_);
  while (!entries_.empty()) release(entries_.begin()->first);
}

void DescendantTracker::spawned(const std::string& service, pid_t pid) {
  runs_[pid] = service;
  scan();
}

void DescendantTracker::scan() {
  std::vector<TrackedProcess> known;
  for (const auto& [pid, e] : entries_) known.push_back(e.process);
  auto now = attribute_descendants(read_subtree(::getpid()), runs_, known);
  bool changed = now.size() != known.size();
  std::map<pid_t, const TrackedProcess*> seen;
  for (const auto& p : now) seen[p.pid] = &p;
  std::vector<pid_t> gone;
  for (const auto& [pid, e] : entries_) {
    auto s = seen.find(pid);
    if (s == seen.end() || s->second->starttime != e.process.starttime) gone.push_back(pid);
  }
  for (pid_t pid : gone) release(pid);
  changed = changed || !gone.empty();
  for (const auto& p : now) {
    auto e = entries_.find(p.pid);
    if (e == entries_.end()) {
      hold(p);
      changed = true;
    } else if (!(e->second.process == p)) {
      e->second.process = p;
      changed = true;
    }
  }
  // A run is forgotten once nothing of it is left.
  for (auto it = runs_.begin(); it != runs_.end();) {
    bool used = group_alive(it->first);
    for (const auto& [pid, e] : entries_) used = used || e.process.run == it->first;
    it = used ? std::next(it) : runs_.erase(it);
  }
  if (changed) record_soon();
  schedule(changed);
}

bool DescendantTracker::run_alive(pid_t pgid) const {
  for (const auto& [pid, e] : entries_)
    if (e.process.run == pgid && !e.handle.exited()) return true;
  return false;
}

void DescendantTracker::signal_escaped(pid_t pgid, int signal) {
  for (const auto& [pid, e] : entries_) {
    if (e.process.run != pgid) continue;
    auto st = read_proc_stat(pid);
    if (st && st->pgrp != pgid) e.handle.signal(signal);
  }
}

void DescendantTracker::kill_everything() {
  loop_.cancel(timer_);
  timer_ = 0;
  for (int round = 0; round < 500; ++round) {
    auto subtree = read_subtree(::getpid());
    if (subtree.empty()) break;
    for (const auto& node : subtree) {
      if (round == 0) log_.warn("killing stray process " + std::to_string(node.pid));
      PidFd(node.pid, node.starttime).signal(SIGKILL);
    }
    std::this_thread::sleep_for(10ms);  // the killed ones' children come to us; reap and look again
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
  }
  while (!entries_.empty()) release(entries_.begin()->first);
  runs_.clear();
  loop_.cancel(record_timer_);
  record_timer_ = 0;
  record();
}

void DescendantTracker::hold(const TrackedProcess& process) {
  Entry e{process, PidFd(process.pid, process.starttime)};
  if (!e.handle.held()) return;
  int fd = e.handle.fd();
  entries_.emplace(process.pid, std::move(e));
  if (fd >= 0) loop_.watch(fd, EPOLLIN, [this, pid = process.pid](std::uint32_t) { exited(pid); });
}

void DescendantTracker::release(pid_t pid) {
  auto it = entries_.find(pid);
  if (it == entries_.end()) return;
  if (it->second.handle.fd() >= 0) loop_.unwatch(it->second.handle.fd());
  entries_.erase(it);
}

void DescendantTracker::exited(pid_t pid) {
  release(pid);
  record_soon();
  schedule(true);  // its children were handed to the supervisor: look at them soon
  if (on_exit_) on_exit_();
}

void DescendantTracker::record_soon() {
  if (record_timer_ != 0) return;
  record_timer_ = loop_.after(kRecordDelay, [this] {
    record_timer_ = 0;
    record();
  });
}

void DescendantTracker::record() {
  std::vector<TrackedProcess> list;
  for (const auto& [pid, e] : entries_) list.push_back(e.process);
  std::string text = list.empty() ? std::string() : render_procs_file(list);
  if (text == recorded_) return;
  try {
    if (text.empty()) run_.remove(kProcsFile);
    else run_.write_file_atomic(kProcsFile, text, 0644, DirHandle::Sync::kNo);  // no process outlives a reboot
    recorded_ = text;
    record_failed_ = false;
  } catch (const Error& e) {
    if (!record_failed_) log_.warn(std::string("cannot record the services' processes: ") + e.what());
    record_failed_ = true;
  }
}

void DescendantTracker::schedule(bool changed) {
  loop_.cancel(timer_);
  timer_ = 0;
  if (entries_.empty()) return;  // nothing runs: the supervisor sleeps
  interval_ = changed || interval_ == Clock::duration{} ? kFirstLook : std::min(interval_ * 2, kLongestPause);
  timer_ = loop_.after(interval_, [this] {
    timer_ = 0;
    scan();
  });
}

}  // namespace dkm::supervise
