#pragma once
// One epoll loop with timers: file descriptors (signalfd, pipes, sockets) call a handler
// when ready, timers call theirs at a deadline. It sleeps in epoll_wait until the next
// event or the earliest timer; nothing is polled.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

namespace dkm::supervise {

/// The clock every deadline of the supervisor uses.
using Clock = std::chrono::steady_clock;

/// epoll plus a timer queue.
class EventLoop {
 public:
  using FdHandler = std::function<void(std::uint32_t events)>;
  using TimerId = std::uint64_t;

  /// Creates the epoll instance.
  EventLoop() : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_fd_ < 0) throw Error("epoll_create1: " + errno_text());
  }
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop() { ::close(epoll_fd_); }

  /// Calls `handler` with the epoll events whenever `fd` is ready for `events`.
  void watch(int fd, std::uint32_t events, FdHandler handler) {
    auto& entry = fds_[fd];
    entry.generation = ++generation_;
    entry.handler = std::make_shared<FdHandler>(std::move(handler));
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = (entry.generation << 32) | static_cast<std::uint32_t>(fd);
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      fds_.erase(fd);
      throw Error("epoll_ctl: " + errno_text());
    }
  }

  /// Changes the events a watched `fd` waits for.
  void modify(int fd, std::uint32_t events) {
    auto it = fds_.find(fd);
    if (it == fds_.end()) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = (it->second.generation << 32) | static_cast<std::uint32_t>(fd);
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  }

  /// Stops watching `fd` (call before closing it).
  void unwatch(int fd) {
    if (fds_.erase(fd)) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  }

  /// Calls `callback` once at `deadline`; returns an id for cancel().
  TimerId at(Clock::time_point deadline, std::function<void()> callback) {
    TimerId id = ++next_timer_;
    timers_.emplace(std::make_pair(deadline, id), std::move(callback));
    deadlines_[id] = deadline;
    return id;
  }

  /// Calls `callback` once after `delay`.
  TimerId after(Clock::duration delay, std::function<void()> callback) { return at(Clock::now() + delay, std::move(callback)); }

  /// Cancels a timer; unknown or fired ids (and 0) are ignored.
  void cancel(TimerId id) {
    auto it = deadlines_.find(id);
    if (it == deadlines_.end()) return;
    timers_.erase(std::make_pair(it->second, id));
    deadlines_.erase(it);
  }

  /// Sleeps until at least one descriptor is ready or a timer is due, then runs their handlers.
  void run_once() {
    int timeout_ms = -1;
    if (!timers_.empty()) {
      auto wait = timers_.begin()->first.first - Clock::now();
      // Round up: waking a little early would only mean a second, empty wait.
      auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
      timeout_ms = ms < 0 ? 0 : ms > 3'600'000 ? 3'600'000 : static_cast<int>(ms);
    }
    epoll_event events[32];
    int n = ::epoll_wait(epoll_fd_, events, 32, timeout_ms);
    if (n < 0 && errno != EINTR) throw Error("epoll_wait: " + errno_text());
    for (int i = 0; i < n; ++i) {
      int fd = static_cast<int>(events[i].data.u64 & 0xffffffffu);
      std::uint64_t generation = events[i].data.u64 >> 32;
      auto it = fds_.find(fd);
      // An earlier handler of this round may have closed the fd (or reused its number).
      if (it == fds_.end() || it->second.generation != generation) continue;
      auto handler = it->second.handler;  // keeps the handler alive if it unwatches itself
      (*handler)(events[i].events);
    }
    auto now = Clock::now();
    while (!timers_.empty() && timers_.begin()->first.first <= now) {
      auto node = timers_.extract(timers_.begin());
      deadlines_.erase(node.key().second);
      node.mapped()();
    }
  }

  /// Number of pending timers (for tests and checks).
  std::size_t timer_count() const { return timers_.size(); }

 private:
  struct Entry {
    std::uint64_t generation = 0;
    std::shared_ptr<FdHandler> handler;
  };
  int epoll_fd_;
  std::uint64_t generation_ = 0;
  std::unordered_map<int, Entry> fds_;
  TimerId next_timer_ = 0;
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, Clock::time_point> deadlines_;
};

}  // namespace dkm::supervise
