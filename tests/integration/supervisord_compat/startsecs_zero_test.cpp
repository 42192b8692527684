// Issue 17's bug, pinned on dkm alone: a program with `startsecs = 0` that exits soon
// after starting was respawned every second forever (an exit within a second of the
// spawn counted as a failed start, and the retry counter was reset on every respawn).
// supervisord shows it EXITED after one run (scenarios/startsecs_zero.scenario compares
// the two); so does dkm now (tests/unit/supervise/state_machine_test.cpp pins the rule).
#include "compat.hpp"

using namespace dkm;
using namespace dkm::compat;

namespace {

const char* const kPrograms = R"(# startsecs = 0, pinned
=== main
[program:zero]
command = @CHILD@ zero sleep 200 exit 0
startsecs = 0

[program:zerofalse]
command = @CHILD@ zerofalse sleep 200 exit 3
startsecs = 0
autorestart = false

[program:zerotrue]
command = @CHILD@ zerotrue sleep 200 exit 0
startsecs = 0
autorestart = true
=== script
boot
)";

}  // namespace

TEST_CASE("startsecs = 0: a program that exits soon after starting runs once, unless autorestart = true",
          "[supervisord_compat][startsecs]") {
  Scenario scenario = parse_scenario(kPrograms, "startsecs_zero_pinned");
  TempDir tmp("compat-startsecs-");
  DkmSide dkm(scenario, tmp.path());
  RunResult boot = dkm.boot();
  INFO(boot.output);
  REQUIRE(boot.exit_code == 0);

  // Expected exit (0, autorestart = unexpected) and any exit with autorestart = false: EXITED.
  for (const std::string name : {"zero", "zerofalse"}) {
    INFO(name);
    std::string state;
    CHECK(test::wait_until([&] { return (state = detail::state_of(dkm, name)) == "EXITED"; }, 5s, 100ms));
    CHECK(state == "EXITED");
  }
  // And it stays so: no respawn.
  std::this_thread::sleep_for(3s);
  CHECK(detail::starts_of(dkm, "zero").size() == 1);
  CHECK(detail::starts_of(dkm, "zerofalse").size() == 1);
  CHECK(detail::state_of(dkm, "zero") == "EXITED");
  CHECK(detail::state_of(dkm, "zerofalse") == "EXITED");
  // autorestart = true: restarted after each exit, never FATAL.
  CHECK(detail::starts_of(dkm, "zerotrue").size() >= 4);
  CHECK(detail::state_of(dkm, "zerotrue") != "FATAL");
}
