// One epoll loop with timers.
#include "event_loop.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <sys/epoll.h>
#include <unistd.h>

#include <ctime>

namespace dkm::supervise {

EventLoop::EventLoop() : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_fd_ < 0) throw Error("epoll_create1: " + errno_text());
}

EventLoop::~EventLoop() { ::close(epoll_fd_); }

void EventLoop::watch(int fd, std::uint32_t events, FdHandler handler) {
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

void EventLoop::modify(int fd, std::uint32_t events) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = (it->second.generation << 32) | static_cast<std::uint32_t>(fd);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::unwatch(int fd) {
  if (fds_.erase(fd)) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

std::int64_t EventLoop::wall_clock() const { return static_cast<std::int64_t>(std::time(nullptr)); }

void EventLoop::run_once() {
  int timeout_ms = -1;
  if (auto next = timers_.next_deadline()) {
    // Round up: waking a little early would only mean a second, empty wait.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now()).count();
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
  // Timers due now run; those their callbacks add for later wait for the next round.
  const auto now = Clock::now();
  timers_.run_due(now);
}

}  // namespace dkm::supervise
