// A supervisor killed with SIGKILL: the next `dkm start` never runs a second copy.
#include "dkm_harness.hpp"

#include <future>

using namespace dkm;
using namespace dkm::test;

namespace {

std::string recovery_services() {
  return "[program:one]\ncommand = " + fixture_program("sleeper") + "\nautostart = false\n\n[program:two]\ncommand = " +
         fixture_program("forks_grandchild") + " %(ENV_DKM_HOME)s/grandchild.pid\nautostart = false\n";
}

}  // namespace

TEST_CASE("after the supervisor is killed with SIGKILL, dkm start runs exactly one copy of each service",
          "[dkm][recovery]") {
  DkmInstall inst(recovery_services());
  REQUIRE(inst.dkm({"start"}).exit_code == 0);
  auto before = inst.status();
  pid_t supervisor = inst.supervisor_pid();
  REQUIRE(supervisor > 0);
  REQUIRE(inst.service_processes("two").size() == 2);  // the service and its grandchild

  REQUIRE(::kill(supervisor, SIGKILL) == 0);
  REQUIRE(wait_until([&] { return !dkm::process_alive(supervisor); }));
  // Its services live on without it, and its files stay behind.
  CHECK(dkm::process_alive(static_cast<pid_t>(before["one"].pid)));
  CHECK(fs::exists(inst.layout().run() / "one.pid"));
  CHECK(inst.dkm({"status"}).exit_code == 3);

  RunResult start = inst.dkm({"start"});
  INFO(start.output);
  REQUIRE(start.exit_code == 0);
  auto after = inst.status();
  for (const char* name : {"one", "two"}) {
    INFO(name);
    CHECK(after[name].state == "RUNNING");
    CHECK(after[name].pid != before[name].pid);
    CHECK_FALSE(dkm::process_alive(static_cast<pid_t>(before[name].pid)));
  }
  CHECK(inst.service_processes("one") == std::vector<pid_t>{static_cast<pid_t>(after["one"].pid)});
  CHECK(inst.service_processes("two").size() == 2);
  CHECK(inst.supervisor_pid() != supervisor);
  std::string log = read_file(inst.layout().supervisor_log());
  CHECK(log.find("left by a supervisor that died") != std::string::npos);
}

TEST_CASE("dkm stop without a supervisor stops what a killed one left behind", "[dkm][recovery]") {
  DkmInstall inst(recovery_services());
  REQUIRE(inst.dkm({"start"}).exit_code == 0);
  pid_t supervisor = inst.supervisor_pid();
  REQUIRE(::kill(supervisor, SIGKILL) == 0);
  REQUIRE(wait_until([&] { return !dkm::process_alive(supervisor); }));
  REQUIRE(inst.processes().size() == 3);

  RunResult stop = inst.dkm({"stop"});
  INFO(stop.output);
  CHECK(stop.exit_code == 0);
  CHECK(inst.processes().empty());
  CHECK_FALSE(fs::exists(inst.layout().run() / "one.pid"));
}

TEST_CASE("two dkm start at once share one supervisor and one copy of each service", "[dkm][recovery]") {
  DkmInstall inst(recovery_services());
  std::vector<std::future<RunResult>> starts;
  for (int i = 0; i < 3; ++i) starts.push_back(std::async(std::launch::async, [&] { return inst.dkm({"start"}); }));
  for (auto& f : starts) {
    RunResult r = f.get();
    INFO(r.output);
    CHECK(r.exit_code == 0);
  }
  int supervisors = 0;
  for (pid_t pid : inst.processes())
    if (!dkm::environ_contains(pid, dkm::supervise::service_marker(inst.layout()))) ++supervisors;
  CHECK(supervisors == 1);
  CHECK(inst.service_processes("one").size() == 1);
  CHECK(inst.service_processes("two").size() == 2);
}
