// The other commands: restart, run, tail, supervise in the foreground.
#include "dkm_harness.hpp"

using namespace dkm;
using namespace dkm::test;

TEST_CASE("restart gives a RUNNING service a new process", "[dkm][commands]") {
  DkmInstall inst("[program:s]\ncommand = " + fixture_program("sleeper") + "\nautostart = false\nstartsecs = 0\n");
  REQUIRE(inst.dkm({"start", "s"}).exit_code == 0);
  long before = inst.status()["s"].pid;
  RunResult r = inst.dkm({"restart", "s"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output == "s: stopped\ns: started\n");
  StatusLine after = inst.status()["s"];
  CHECK(after.state == "RUNNING");
  CHECK(after.pid != before);
  CHECK_FALSE(dkm::process_alive(static_cast<pid_t>(before)));
}

TEST_CASE("run NAME runs a service in the foreground and is refused while the supervisor runs it", "[dkm][commands]") {
  DkmInstall inst("[program:quick]\ncommand = " + fixture_program("exits_at_once") +
                  " 5\nautostart = false\nenvironment = FROM_FILE=\"yes\"\n\n[program:s]\ncommand = " +
                  fixture_program("sleeper") + "\nautostart = false\nstartsecs = 0\n");
  RunResult run = inst.dkm({"run", "quick"});
  INFO(run.output);
  CHECK(run.exit_code == 5);
  CHECK(run.output.find("exits_at_once: giving up with code 5") != std::string::npos);
  CHECK_FALSE(fs::exists(inst.layout().run() / "quick.log"));  // the terminal, not the log

  REQUIRE(inst.dkm({"start", "s"}).exit_code == 0);
  RunResult refused = inst.dkm({"run", "s"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("s is running under the supervisor") != std::string::npos);
  CHECK(inst.dkm({"run", "nosuch"}).exit_code == 1);
}

TEST_CASE("tail names unknown services and services without a log", "[dkm][commands]") {
  DkmInstall inst("[program:quiet]\ncommand = " + fixture_program("sleeper") +
                  "\nautostart = false\nstdout_logfile = NONE\n");
  RunResult unknown = inst.dkm({"tail", "nosuch"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.output == "nosuch: ERROR (no such process name)\n");
  RunResult none = inst.dkm({"tail", "quiet"});
  CHECK(none.exit_code == 1);
  CHECK(none.output == "quiet: ERROR (no log file)\n");
  CHECK(inst.dkm({"tail", "quiet", "sideways"}).exit_code == 2);
}

TEST_CASE("supervise runs the supervisor in the foreground and SIGTERM stops everything", "[dkm][commands]") {
  DkmInstall inst("[program:auto]\ncommand = " + fixture_program("forks_grandchild") +
                  " %(ENV_DKM_HOME)s/grandchild.pid\nstartsecs = 0\n\n[program:manual]\ncommand = " +
                  fixture_program("sleeper") + "\nautostart = false\n");
  BackgroundProcess supervisor =
      background_dkm({tool("dkm").string(), "-d", inst.root(), "supervise"}, inst.scratch("supervise.out"));
  REQUIRE(inst.wait_for_state("auto", "RUNNING").pid > 0);
  CHECK(inst.status()["manual"].state == "STOPPED");
  CHECK(inst.supervisor_pid() == supervisor.pid());
  REQUIRE(wait_until([&] { return fs::exists(inst.layout().root() / "grandchild.pid"); }));

  ::kill(supervisor.pid(), SIGTERM);
  int status = supervisor.wait();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(inst.processes().empty());
  // It logged to stderr as well as to run/dkm.log.
  CHECK(supervisor.output().find("spawned: 'auto'") != std::string::npos);
  CHECK(read_file(inst.layout().supervisor_log()).find("received SIGTERM; shutting down") != std::string::npos);
}
