// Finding 3 (medium): when `dkm stop` returns, no process started by the install runs,
// whatever its services did: daemons in sessions of their own, two levels down, with an
// empty environment, an install named through a link, one service stopped by name.
// (Run as root, as the dkm group's tests are: the point is what escapes, not who runs it.)
#include "hardening_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// Requires `dkm start` (of `names`) to succeed.
void start(const ServicesInstall& inst, std::vector<std::string> names = {}, const fs::path& via = {}) {
  names.insert(names.begin(), "start");
  RunResult r = inst.as_root(names, via);
  INFO(r.output);
  REQUIRE(r.ok());
}

}  // namespace

// Today: the supervisor, as subreaper, kills the session leader it inherited when the
// service's group is gone, then exits; the leader's child is handed to PID 1 and lives on.
TEST_CASE("dkm stop leaves no daemon that a service started in a session of its own, two levels down",
          "[hardening][dkm][stop][!mayfail][hardening-todo]") {
  const std::string daemon = unique_token(), main = unique_token();
  KillAtEnd cleanup{{daemon, main}};
  ServicesInstall inst(shell_service("svc", "setsid /bin/sh -c 'sleep " + daemon + " && :' & exec sleep " + main));
  start(inst);
  REQUIRE(wait_until([&] { return processes_with_arg(daemon).size() == 1; }));

  RunResult stop = inst.as_root({"stop"});
  INFO(stop.output);
  CHECK(stop.ok());
  CHECK(processes_with_arg(main).empty());
  CHECK(processes_with_arg(daemon).empty());
}

// Today: the daemon carries no marker and its pid is in no file, so the next supervisor
// does not know it: after the restart two copies run, and after stop one still does.
TEST_CASE("a daemon that execs with an empty environment does not run twice after a killed supervisor and dkm start",
          "[hardening][dkm][stop][!mayfail][hardening-todo]") {
  const std::string daemon = unique_token(), main = unique_token();
  KillAtEnd cleanup{{daemon, main}};
  ServicesInstall inst(shell_service("svc", "setsid env -i /bin/sleep " + daemon + " & exec sleep " + main));
  start(inst);
  REQUIRE(wait_until([&] { return processes_with_arg(daemon).size() == 1; }));
  inst.kill_supervisor();

  start(inst);
  CHECK(wait_until([&] { return processes_with_arg(main).size() == 1; }));
  std::this_thread::sleep_for(500ms);  // the new service's daemon has had time to appear
  CHECK(processes_with_arg(daemon).size() == 1);

  CHECK(inst.as_root({"stop"}).ok());
  CHECK(processes_with_arg(daemon).empty());
  CHECK(processes_with_arg(main).empty());
}

// Today: the marker holds the path dkm was given (ALIAS/run); the killed supervisor's
// daemon is looked for under DIR/run, not found, and left running.
TEST_CASE("an install reached through a link is the same install: dkm stop through its real path stops it all",
          "[hardening][dkm][stop][!mayfail][hardening-todo]") {
  const std::string daemon = unique_token(), main = unique_token();
  KillAtEnd cleanup{{daemon, main}};
  ServicesInstall inst(shell_service("svc", "setsid sleep " + daemon + " & exec sleep " + main));
  fs::path alias = inst.scratch() / "alias";
  fs::create_directory_symlink(inst.layout().root(), alias);
  start(inst, {}, alias);
  REQUIRE(wait_until([&] { return processes_with_arg(daemon).size() == 1; }));
  CHECK(inst.as_root({"status"}).exit_code == 0);  // the same supervisor, whichever path names it
  inst.kill_supervisor();

  RunResult stop = inst.as_root({"stop"});
  INFO(stop.output);
  CHECK(stop.ok());
  CHECK(processes_with_arg(main).empty());
  CHECK(processes_with_arg(daemon).empty());
}

// Today: the supervisor kills the service's process group only; the daemon in its own
// session is reparented to the supervisor and lives until the supervisor shuts down.
TEST_CASE("dkm stop NAME leaves no daemon of that service, and the others run on",
          "[hardening][dkm][stop][!mayfail][hardening-todo]") {
  const std::string daemon = unique_token(), main = unique_token(), other = unique_token();
  KillAtEnd cleanup{{daemon, main, other}};
  ServicesInstall inst(shell_service("svc", "setsid sleep " + daemon + " & exec sleep " + main) +
                       shell_service("other", "exec sleep " + other));
  start(inst);
  REQUIRE(wait_until([&] { return processes_with_arg(daemon).size() == 1; }));

  RunResult stop = inst.as_root({"stop", "svc"});
  INFO(stop.output);
  CHECK(stop.ok());
  CHECK(processes_with_arg(main).empty());
  CHECK(processes_with_arg(daemon).empty());
  CHECK(processes_with_arg(other).size() == 1);
  CHECK(inst.supervisor_pid() > 0);
  CHECK(dkm::process_alive(inst.supervisor_pid()));

  start(inst, {"svc"});
  CHECK(wait_until([&] { return processes_with_arg(daemon).size() == 1; }));
  std::this_thread::sleep_for(300ms);
  CHECK(processes_with_arg(daemon).size() == 1);
  CHECK(inst.as_root({"stop"}).ok());
  CHECK(processes_with_arg(daemon).empty());
}
