// Finding 2 (medium): what `dkm stop` and `dkm start` take for the leftovers of a killed
// supervisor. A pid file is written by whoever owns DIR/run: it names a pid, never proves
// that the process is the install's. Only the process itself can (its environment marker,
// read from /proc, and its owner).
#include "hardening_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// Writes DIR/run/NAME.pid naming `pid`, as the account would (its file, dated `when`).
void forge_pid_file(const ServicesInstall& inst, const TestAccount& account, const std::string& name, pid_t pid,
                    double when) {
  fs::path file = inst.layout().run() / (name + ".pid");
  write_file_atomic(file, std::to_string(pid) + "\n");
  REQUIRE(::lchown(file.c_str(), account.uid(), primary_gid(account)) == 0);
  set_mtime(file, when);
}

}  // namespace

TEST_CASE("DKM_ALLOW_ROOT=1 dkm stop does not kill a root process named by a forged pid file of the install's owner",
          "[hardening][dkm][leftovers]") {
  TestAccount account;
  const std::string token = unique_token();
  KillAtEnd cleanup{{token}};
  ServicesInstall inst(shell_service("real", "exec sleep " + token), &account);
  RunResult started = inst.as_owner({"start"});
  INFO(started.output);
  REQUIRE(started.ok());
  inst.kill_supervisor();  // its service is left behind: a real leftover
  REQUIRE(processes_with_arg(token).size() == 1);

  Victim victim;  // a root process that has nothing to do with the install
  forge_pid_file(inst, account, "victim", victim.pid(), victim.start_epoch());

  RunResult stop = inst.as_root({"stop"});
  INFO("root's dkm stop: " << stop.output);
  CHECK(victim.alive());
  CHECK(stop.exit_code == 2);  // refused: the install is the owner's (the privilege rule)
  CHECK_THAT(stop.output, Catch::Contains("sudo -u " + account.name() + " "));

  // The owner's stop (after root's, whatever root did) ends the real leftover.
  RunResult own = inst.as_owner({"stop"});
  INFO("the owner's dkm stop: " << own.output);
  CHECK(own.ok());
  CHECK(wait_until([&] { return processes_with_arg(token).empty(); }, 5s));
  CHECK(victim.alive());
}

TEST_CASE("a pid file alone is no proof: dkm stop leaves the owner's unrelated process named by it alone",
          "[hardening][dkm][leftovers]") {
  TestAccount account;
  const std::string token = unique_token();
  KillAtEnd cleanup{{token}};
  ServicesInstall inst(shell_service("real", "exec sleep " + token), &account);
  REQUIRE(inst.as_owner({"start"}).ok());
  inst.kill_supervisor();

  Victim unrelated(account.uid(), primary_gid(account));  // the owner's, but no service of this install
  forge_pid_file(inst, account, "real2", unrelated.pid(), unrelated.start_epoch());

  RunResult own = inst.as_owner({"stop"});
  INFO(own.output);
  CHECK(own.ok());
  CHECK(unrelated.alive());
  CHECK(wait_until([&] { return processes_with_arg(token).empty(); }, 5s));  // the real leftover is gone
}
