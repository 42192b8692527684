// core/pidfd: a process held by its pidfd is signalled only if it is still the process
// that started at the given time.
#include <catch2/catch.hpp>

#include <dkm/core/pidfd.hpp>
#include <dkm/core/proc_info.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

using namespace dkm;

TEST_CASE("a pidfd holds the process that started at the given time, and only that one", "[core][pidfd]") {
  pid_t child = ::fork();
  if (child == 0) {
    ::execl("/bin/sleep", "sleep", "60", nullptr);  // not Catch's signal handlers: a plain process
    ::_exit(127);
  }
  REQUIRE(child > 0);
  auto st = read_proc_stat(child);
  REQUIRE(st);

  PidFd wrong_time(child, st->starttime + 1);  // what a pid reused since would look like
  CHECK_FALSE(wrong_time.held());
  CHECK_FALSE(wrong_time.signal(SIGKILL));

  PidFd held(child, st->starttime);
  REQUIRE(held.held());
  CHECK(held.pid() == child);
  CHECK_FALSE(held.exited());
  CHECK(held.signal(SIGTERM));
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(held.exited());
  CHECK_FALSE(held.signal(SIGTERM));  // gone: nothing else receives it

  PidFd moved = std::move(held);
  CHECK(moved.pid() == child);
  CHECK_FALSE(held.held());
}

TEST_CASE("read_proc_uids and read_proc_children describe this process", "[core][proc_info]") {
  auto ids = read_proc_uids(::getpid());
  REQUIRE(ids);
  CHECK(ids->real == ::getuid());
  CHECK(ids->effective == ::geteuid());
  pid_t child = ::fork();
  if (child == 0) {
    ::execl("/bin/sleep", "sleep", "60", nullptr);  // not Catch's signal handlers: a plain process
    ::_exit(127);
  }
  auto children = read_proc_children(::getpid());
  if (children) CHECK(std::find(children->begin(), children->end(), child) != children->end());
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
}
