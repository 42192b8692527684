// runtime/event_loop: descriptors and timers in one epoll loop.
#include <catch2/catch.hpp>

#include <dkm/supervise/event_loop.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <vector>

using namespace dkm::supervise;
using namespace std::chrono_literals;

TEST_CASE("timers fire in deadline order and cancelled ones never", "[event_loop]") {
  EventLoop loop;
  std::vector<int> fired;
  loop.after(30ms, [&] { fired.push_back(3); });
  auto cancelled = loop.after(10ms, [&] { fired.push_back(99); });
  loop.after(20ms, [&] { fired.push_back(2); });
  loop.after(5ms, [&] { fired.push_back(1); });
  loop.cancel(cancelled);
  loop.cancel(0);
  auto start = Clock::now();
  while (loop.timer_count() > 0) loop.run_once();
  CHECK(fired == std::vector<int>{1, 2, 3});
  CHECK(Clock::now() - start >= 30ms);
}

TEST_CASE("a readable descriptor calls its handler and an unwatched one does not", "[event_loop]") {
  EventLoop loop;
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
  std::string got;
  loop.watch(p[0], EPOLLIN, [&](std::uint32_t) {
    char buf[16];
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
  });
  REQUIRE(::write(p[1], "hi", 2) == 2);
  loop.after(1s, [] {});  // a bound on the wait, should the handler not run
  loop.run_once();
  CHECK(got == "hi");
  loop.unwatch(p[0]);
  REQUIRE(::write(p[1], "again", 5) == 5);
  auto t = loop.after(20ms, [] {});
  (void)t;
  loop.run_once();
  CHECK(got == "hi");
  ::close(p[0]);
  ::close(p[1]);
}
