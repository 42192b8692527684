#pragma once
// Deadlines in order: the timers of the event loop and of the tests' fake clock.
// Implementation: libdkm/src/supervise/timer_queue.cpp.

#include "seams.hpp"

#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

namespace dkm::supervise {

/// One-shot timers ordered by deadline (ties: the one added first).
class TimerQueue {
 public:
  /// Calls `callback` when run_due() reaches `deadline`; returns an id for cancel().
  TimerId add(Clock::time_point deadline, std::function<void()> callback);
  /// Cancels a timer; unknown or fired ids (and 0) are ignored.
  void cancel(TimerId id);
  /// The earliest deadline, if any timer is pending.
  std::optional<Clock::time_point> next_deadline() const;
  /// Runs, earliest first, every timer whose deadline is at or before `now` (one added by
  /// a callback runs too when it is due); returns how many ran.
  std::size_t run_due(Clock::time_point now);
  /// Runs the earliest timer if it is due at `now`; returns whether one ran.
  bool run_next(Clock::time_point now);
  /// Pending timers.
  std::size_t size() const { return timers_.size(); }

 private:
  TimerId next_id_ = 0;
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, Clock::time_point> deadlines_;
};

}  // namespace dkm::supervise
