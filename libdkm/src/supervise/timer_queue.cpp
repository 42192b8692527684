// Deadlines in order.
#include "timer_queue.hpp"

namespace dkm::supervise {

TimerId TimerQueue::add(Clock::time_point deadline, std::function<void()> callback) {
  TimerId id = ++next_id_;
  timers_.emplace(std::make_pair(deadline, id), std::move(callback));
  deadlines_[id] = deadline;
  return id;
}

void TimerQueue::cancel(TimerId id) {
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return;
  timers_.erase(std::make_pair(it->second, id));
  deadlines_.erase(it);
}

std::optional<Clock::time_point> TimerQueue::next_deadline() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first.first;
}

bool TimerQueue::run_next(Clock::time_point now) {
  if (timers_.empty() || timers_.begin()->first.first > now) return false;
  auto node = timers_.extract(timers_.begin());
  deadlines_.erase(node.key().second);
  node.mapped()();
  return true;
}

std::size_t TimerQueue::run_due(Clock::time_point now) {
  std::size_t ran = 0;
  while (run_next(now)) ++ran;
  return ran;
}

}  // namespace dkm::supervise
