#pragma once
// One epoll loop with timers: file descriptors (signalfd, pipes, sockets) call a handler
// when ready, timers call theirs at a deadline. It sleeps in epoll_wait until the next
// event or the earliest timer; nothing is polled. It is the state machine's Timers.
// Implementation: libdkm/src/supervise/event_loop.cpp.

#include "seams.hpp"
#include "timer_queue.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

namespace dkm::supervise {

/// epoll plus a timer queue.
class EventLoop : public Timers {
 public:
  using FdHandler = std::function<void(std::uint32_t events)>;

  /// Creates the epoll instance.
  EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop() override;

  /// Calls `handler` with the epoll events whenever `fd` is ready for `events`.
  void watch(int fd, std::uint32_t events, FdHandler handler);
  /// Changes the events a watched `fd` waits for.
  void modify(int fd, std::uint32_t events);
  /// Stops watching `fd` (call before closing it).
  void unwatch(int fd);

  Clock::time_point now() const override { return Clock::now(); }
  std::int64_t wall_clock() const override;
  TimerId after(Clock::duration delay, std::function<void()> callback) override {
    return timers_.add(Clock::now() + delay, std::move(callback));
  }
  void cancel(TimerId id) override { timers_.cancel(id); }

  /// Sleeps until at least one descriptor is ready or a timer is due, then runs their handlers.
  void run_once();

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
  TimerQueue timers_;
};

}  // namespace dkm::supervise
