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

TEST_CASE("dkm stop leaves no daemon that a service started in a session of its own, two levels down",
          "[hardening][dkm][stop]") {
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

TEST_CASE("a daemon that execs with an empty environment does not run twice after a killed supervisor and dkm start",
          "[hardening][dkm][stop]") {
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

TEST_CASE("an install reached through a link is the same install: dkm stop through its real path stops it all",
          "[hardening][dkm][stop]") {
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

TEST_CASE("dkm stop NAME leaves no daemon of that service, and the others run on",
          "[hardening][dkm][stop]") {
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

// The daemon is orphaned at once (its parent exits) and has no marker: only the
// supervisor's record of the processes under it (run/dkm.procs, pid and start time) ties
// it to the install once the supervisor is gone.
TEST_CASE("a double-forked daemon with an empty environment is stopped after a killed supervisor",
          "[hardening][dkm][stop]") {
  const std::string daemon = unique_token(), main = unique_token();
  KillAtEnd cleanup{{daemon, main}};
  ServicesInstall inst(shell_service("svc", "setsid /bin/sh -c 'env -i /bin/sleep " + daemon +
                                                " > /dev/null 2>&1 &' & exec sleep " + main));
  start(inst);
  REQUIRE(wait_until([&] { return processes_with_arg(daemon).size() == 1; }));
  pid_t orphan = processes_with_arg(daemon).front();
  CHECK(dkm::read_proc_stat(orphan)->ppid == inst.supervisor_pid());  // handed to the subreaper
  fs::path record = inst.layout().run() / "dkm.procs";
  CHECK(wait_until([&] {
    std::error_code ec;
    return fs::exists(record, ec) && read_file(record).find("\n" + std::to_string(orphan) + " ") != std::string::npos;
  }));
  inst.kill_supervisor();
  REQUIRE(processes_with_arg(daemon) == std::vector<pid_t>{orphan});

  RunResult stop = inst.as_root({"stop"});
  INFO(stop.output);
  CHECK(stop.ok());
  CHECK(processes_with_arg(daemon).empty());
  CHECK(processes_with_arg(main).empty());
}
