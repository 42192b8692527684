// supervise/leftovers: which processes a killed supervisor left, proven by the processes
// themselves (marker or recorded start time, and the owner's uid), never by a pid file.
#include <catch2/catch.hpp>

#include "supervise/leftovers.hpp"

using namespace dkm::supervise;

namespace {

constexpr uid_t kOwner = 1000;

/// A live process of `uid` (real and effective), marked or not.
ProcessFacts process(pid_t pid, pid_t ppid, std::uint64_t start, uid_t uid, bool marked, std::string service = "") {
  return ProcessFacts{pid, ppid, start, uid, uid, marked, std::move(service)};
}

std::vector<pid_t> pids_of(const std::vector<Leftover>& leftovers) {
  std::vector<pid_t> out;
  for (const auto& l : leftovers) out.push_back(l.pid);
  return out;
}

}  // namespace

TEST_CASE("a process carrying the marker and running as the owner is a leftover, with its descendants",
          "[leftovers]") {
  std::vector<ProcessFacts> procs{process(100, 1, 5, kOwner, true, "svc"), process(101, 100, 6, kOwner, false),
                                  process(102, 101, 7, kOwner, false), process(200, 1, 8, kOwner, false)};
  auto found = select_leftovers(procs, {}, kOwner, {});
  CHECK(pids_of(found) == std::vector<pid_t>{100, 101, 102});
  for (const auto& l : found) CHECK(l.service == "svc");
}

TEST_CASE("the marker proves nothing in another account's process", "[leftovers]") {
  // Anyone can put the marker in its environment; a setuid program keeps its caller's real uid.
  ProcessFacts setuid_like{300, 1, 9, kOwner, 0, true, "svc"};
  std::vector<ProcessFacts> procs{process(100, 1, 5, 0, true, "svc"), process(101, 1, 6, 2000, true, "svc"),
                                  setuid_like};
  CHECK(select_leftovers(procs, {}, kOwner, {}).empty());
  CHECK(select_leftovers({setuid_like}, {}, 0, {}).empty());
}

TEST_CASE("a recorded process is a leftover only with its recorded start time", "[leftovers]") {
  std::vector<ProcessFacts> procs{process(100, 1, 5, kOwner, false), process(101, 1, 6, kOwner, false)};
  // The record says 100 started at 5 (right) and 101 at 99 (its pid was reused since).
  std::vector<TrackedProcess> recorded{{100, 5, "daemon", 0}, {101, 99, "daemon", 0}};
  auto found = select_leftovers(procs, recorded, kOwner, {});
  REQUIRE(found.size() == 1);
  CHECK(found[0] == Leftover{100, 5, "daemon", 0});
  // A record of a process of another account proves nothing either.
  CHECK(select_leftovers({process(100, 1, 5, 0, false)}, recorded, kOwner, {}).empty());
}

TEST_CASE("without marker or record, the owner's process is nobody's leftover", "[leftovers]") {
  CHECK(select_leftovers({process(100, 1, 5, kOwner, false)}, {}, kOwner, {}).empty());
}

TEST_CASE("excluded processes (dkm itself and its ancestors) are never leftovers, nor their children through them",
          "[leftovers]") {
  std::vector<ProcessFacts> procs{process(100, 1, 5, kOwner, true, "svc"), process(101, 100, 6, kOwner, true, "svc")};
  CHECK(pids_of(select_leftovers(procs, {}, kOwner, {101})) == std::vector<pid_t>{100});
}

TEST_CASE("a descendant of another account does not go with a leftover", "[leftovers]") {
  std::vector<ProcessFacts> procs{process(100, 1, 5, kOwner, true, "svc"), process(101, 100, 6, 0, false)};
  CHECK(pids_of(select_leftovers(procs, {}, kOwner, {})) == std::vector<pid_t>{100});
}
