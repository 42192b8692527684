// supervise/event_loop: descriptors and timers in one epoll loop (the timers' order is
// timer_queue_test.cpp's, on a fake clock).
#include <catch2/catch.hpp>

#include "supervise/event_loop.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <vector>

using namespace dkm::supervise;
using namespace std::chrono_literals;

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
