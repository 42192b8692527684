// supervise/timer_queue: deadlines in order, on a clock the test moves.
#include <catch2/catch.hpp>

#include "supervise/timer_queue.hpp"

#include <vector>

using namespace dkm::supervise;
using namespace std::chrono_literals;

TEST_CASE("timers fire in deadline order and cancelled ones never", "[timer_queue]") {
  TimerQueue timers;
  const Clock::time_point t0{};
  std::vector<int> fired;
  timers.add(t0 + 30ms, [&] { fired.push_back(3); });
  auto cancelled = timers.add(t0 + 10ms, [&] { fired.push_back(99); });
  timers.add(t0 + 20ms, [&] { fired.push_back(2); });
  timers.add(t0 + 5ms, [&] { fired.push_back(1); });
  timers.cancel(cancelled);
  timers.cancel(0);
  CHECK(timers.next_deadline() == t0 + 5ms);
  CHECK(timers.run_due(t0 + 4ms) == 0);
  CHECK(timers.run_due(t0 + 20ms) == 2);
  CHECK(fired == std::vector<int>{1, 2});
  CHECK(timers.run_due(t0 + 30ms) == 1);
  CHECK(fired == std::vector<int>{1, 2, 3});
  CHECK(timers.size() == 0);
  CHECK_FALSE(timers.next_deadline());
}

TEST_CASE("a timer added by a callback runs in the same round when it is due", "[timer_queue]") {
  TimerQueue timers;
  const Clock::time_point t0{};
  std::vector<int> fired;
  timers.add(t0 + 10ms, [&] {
    fired.push_back(1);
    timers.add(t0 + 10ms, [&] { fired.push_back(2); });  // due now
    timers.add(t0 + 50ms, [&] { fired.push_back(3); });  // later
  });
  CHECK(timers.run_due(t0 + 10ms) == 2);
  CHECK(fired == std::vector<int>{1, 2});
  CHECK(timers.next_deadline() == t0 + 50ms);
}

TEST_CASE("timers with one deadline fire in the order they were added", "[timer_queue]") {
  TimerQueue timers;
  const Clock::time_point t0{};
  std::vector<int> fired;
  for (int i = 0; i < 5; ++i) timers.add(t0 + 1s, [&, i] { fired.push_back(i); });
  timers.run_due(t0 + 1s);
  CHECK(fired == std::vector<int>{0, 1, 2, 3, 4});
}
