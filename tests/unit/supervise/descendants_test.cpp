// supervise/descendants: whose each process under the supervisor is, from a /proc
// snapshot made up by the test, and the dkm.procs record of it.
#include <catch2/catch.hpp>

#include "supervise/descendants.hpp"

using namespace dkm::supervise;

namespace {

constexpr pid_t kSupervisor = 10;

/// The service each pid is given to ("-" when the process is not in the answer).
std::map<pid_t, std::string> services_of(const std::vector<TrackedProcess>& tracked) {
  std::map<pid_t, std::string> out;
  for (const auto& t : tracked) out[t.pid] = t.service;
  return out;
}

}  // namespace

TEST_CASE("a daemon in a session of its own, two levels down, belongs to the service it came from",
          "[descendants]") {
  // svc's main 100 (group 100) started 101, which made a session of its own (101) and 102 in it;
  // other's main 200 runs alone; 300 is a probe command (a child of the supervisor, no service).
  std::vector<ProcNode> tree{{100, kSupervisor, 100, 5}, {101, 100, 101, 6}, {102, 101, 101, 7},
                             {200, kSupervisor, 200, 8}, {300, kSupervisor, 300, 9}};
  auto tracked = attribute_descendants(tree, {{100, "svc"}, {200, "other"}}, {});
  CHECK(services_of(tracked) == std::map<pid_t, std::string>{{100, "svc"}, {101, "svc"}, {102, "svc"},
                                                              {200, "other"}, {300, ""}});
  for (const auto& t : tracked)
    if (t.service == "svc") CHECK(t.run == 100);
}

TEST_CASE("an orphan handed to the supervisor stays its service's, by pid and start time", "[descendants]") {
  std::vector<ProcNode> before{{100, kSupervisor, 100, 5}, {101, 100, 101, 6}, {102, 101, 101, 7}};
  auto known = attribute_descendants(before, {{100, "svc"}}, {});
  // The main process and 101 died; 102 was reparented to the supervisor (its subreaper).
  std::vector<ProcNode> after{{102, kSupervisor, 101, 7}};
  auto tracked = attribute_descendants(after, {}, known);
  REQUIRE(tracked.size() == 1);
  CHECK(tracked[0] == TrackedProcess{102, 7, "svc", 100});

  // The same pid with another start time is another process: nobody's.
  auto reused = attribute_descendants({{102, kSupervisor, 102, 99}}, {}, known);
  REQUIRE(reused.size() == 1);
  CHECK(reused[0] == TrackedProcess{102, 99, "", 0});
}

TEST_CASE("a process in a service's process group is that service's, whatever its parent", "[descendants]") {
  auto tracked = attribute_descendants({{150, kSupervisor, 100, 5}}, {{100, "svc"}}, {});
  REQUIRE(tracked.size() == 1);
  CHECK(tracked[0].service == "svc");
  CHECK(tracked[0].run == 100);
}

TEST_CASE("a new run of a service does not take the processes of the old one", "[descendants]") {
  auto known = attribute_descendants({{100, kSupervisor, 100, 5}, {101, 100, 101, 6}}, {{100, "svc"}}, {});
  // The service was restarted: main 120 is the new run; 101 (reparented) is still the old run's.
  auto tracked = attribute_descendants({{101, kSupervisor, 101, 6}, {120, kSupervisor, 120, 9}},
                                       {{100, "svc"}, {120, "svc"}}, known);
  REQUIRE(tracked.size() == 2);
  CHECK(tracked[0] == TrackedProcess{101, 6, "svc", 100});
  CHECK(tracked[1] == TrackedProcess{120, 9, "svc", 120});
}

TEST_CASE("subtree_of keeps the descendants of a process and nothing else", "[descendants]") {
  std::vector<ProcNode> all{{1, 0, 1, 1}, {10, 1, 10, 2}, {11, 10, 11, 3}, {12, 11, 12, 4}, {20, 1, 20, 5}};
  std::vector<pid_t> pids;
  for (const auto& p : subtree_of(all, 10)) pids.push_back(p.pid);
  std::sort(pids.begin(), pids.end());
  CHECK(pids == std::vector<pid_t>{11, 12});
  CHECK(subtree_of(all, 20).empty());
}

TEST_CASE("dkm.procs round-trips and skips what does not parse", "[descendants]") {
  std::vector<TrackedProcess> list{{100, 5, "svc", 100}, {101, 6, "", 0}};
  auto back = parse_procs_file(render_procs_file(list));
  REQUIRE(back.size() == 2);
  CHECK(back[0] == TrackedProcess{100, 5, "svc", 0});  // runs are not kept
  CHECK(back[1] == TrackedProcess{101, 6, "", 0});
  CHECK(parse_procs_file("# comment\n12x 5 a\n1 5 init\n-3 4 a\n7\n 8 9 a\n42 43 b c\n").empty());
  CHECK(parse_procs_file("42 43 b").size() == 1);
}
