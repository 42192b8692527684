// dkm start / status / stop with real fixture processes; a crashed service is restarted.
#include "dkm_harness.hpp"

#include <sys/stat.h>

using namespace dkm;
using namespace dkm::test;

namespace {

std::string lifecycle_services() {
  return "[program:alpha]\ncommand = " + fixture_program("sleeper") +
         "\nautostart = false\nstartsecs = 1\n\n"
         "[program:beta]\ncommand = " + fixture_program("sleeper") +
         "\nautostart = false\nstartsecs = 0\nstdout_logfile = %(ENV_DKM_HOME)s/run/%(program_name)s-out.log\n\n"
         "[program:gamma]\ncommand = " + fixture_program("forks_grandchild") + " %(ENV_DKM_HOME)s/grandchild.pid\n"
         "autostart = false\nstartsecs = 1\n";
}

}  // namespace

TEST_CASE("start, status and stop: every service RUNNING, then nothing of the install left", "[dkm][lifecycle]") {
  DkmInstall inst(lifecycle_services());

  RunResult start = inst.dkm({"start"});
  INFO(start.output);
  REQUIRE(start.exit_code == 0);
  CHECK(start.output.find("alpha: started") != std::string::npos);
  CHECK(start.output.find("gamma: started") != std::string::npos);

  // The supervisor is detached (its own session, no terminal) and wrote its pid file first.
  pid_t supervisor = inst.supervisor_pid();
  REQUIRE(supervisor > 0);
  auto sup = dkm::read_proc_stat(supervisor);
  REQUIRE(sup);
  CHECK(sup->session != dkm::read_proc_stat(::getpid())->session);
  struct stat st {};
  REQUIRE(::stat(inst.layout().control_socket().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  RunResult status = inst.dkm({"status"});
  INFO(status.output);
  CHECK(status.exit_code == 0);
  auto lines = inst.status();
  REQUIRE(lines.size() == 3);
  for (const auto& [name, line] : lines) {
    INFO(name << ": " << line.text);
    CHECK(line.state == "RUNNING");
    CHECK(line.text.find("uptime 0:00:0") != std::string::npos);
    CHECK(dkm::process_alive(static_cast<pid_t>(line.pid)));
    // Each service leads its own process group, and its pid file says so.
    CHECK(dkm::read_proc_stat(static_cast<pid_t>(line.pid))->pgrp == line.pid);
    CHECK(std::stol(read_file(inst.layout().run() / (name + ".pid"))) == line.pid);
  }
  CHECK(fs::exists(inst.layout().run() / "beta-out.log"));
  CHECK(read_file(inst.layout().run() / "alpha.log").find("sleeper " + std::to_string(lines["alpha"].pid)) != std::string::npos);
  REQUIRE(wait_until([&] { return fs::exists(inst.layout().root() / "grandchild.pid"); }));
  pid_t grandchild = std::stoi(read_file(inst.layout().root() / "grandchild.pid"));
  CHECK(dkm::process_alive(grandchild));

  CHECK(inst.dkm({"status", "alpha", "beta"}).exit_code == 0);
  RunResult pid = inst.dkm({"pid"});
  CHECK(std::stol(pid.output) == supervisor);
  CHECK(std::stol(inst.dkm({"pid", "alpha"}).output) == lines["alpha"].pid);

  RunResult stop = inst.dkm({"stop"});
  INFO(stop.output);
  REQUIRE(stop.exit_code == 0);
  // Checked at once: when `dkm stop` returns, nothing of the install runs.
  CHECK(inst.processes().empty());
  CHECK_FALSE(dkm::process_alive(supervisor));
  CHECK_FALSE(dkm::process_alive(grandchild));
  CHECK_FALSE(fs::exists(inst.layout().supervisor_pid_file()));
  CHECK_FALSE(fs::exists(inst.layout().run() / "alpha.pid"));

  RunResult after = inst.dkm({"status"});
  CHECK(after.exit_code == 3);
  CHECK(after.output.find("not running") != std::string::npos);
}

TEST_CASE("status names unknown services with exit 4 and stopped ones with exit 3", "[dkm][lifecycle]") {
  DkmInstall inst(lifecycle_services());
  REQUIRE(inst.dkm({"start", "alpha"}).exit_code == 0);
  RunResult unknown = inst.dkm({"status", "alpha", "nosuch"});
  CHECK(unknown.exit_code == 4);
  CHECK(unknown.output.find("nosuch: ERROR (no such process)") != std::string::npos);
  RunResult stopped = inst.dkm({"status"});
  CHECK(stopped.exit_code == 3);
  CHECK(stopped.output.find("Not started") != std::string::npos);
  CHECK(inst.dkm({"status", "alpha"}).exit_code == 0);
  CHECK(inst.dkm({"start", "nosuch"}).exit_code == 1);
  CHECK(inst.dkm({"pid", "beta"}).exit_code == 7);

  // `stop NAME` keeps the supervisor; `stop all` too.
  REQUIRE(inst.dkm({"stop", "alpha"}).exit_code == 0);
  CHECK(inst.status()["alpha"].state == "STOPPED");
  CHECK(dkm::process_alive(inst.supervisor_pid()));
}

TEST_CASE("a service killed with SIGKILL is restarted and status shows the new pid", "[dkm][lifecycle]") {
  DkmInstall inst(lifecycle_services());
  REQUIRE(inst.dkm({"start", "alpha"}).exit_code == 0);
  long old_pid = inst.status()["alpha"].pid;
  REQUIRE(old_pid > 0);
  REQUIRE(::kill(static_cast<pid_t>(old_pid), SIGKILL) == 0);

  StatusLine now;
  REQUIRE(wait_until([&] {
    now = inst.status()["alpha"];
    return now.pid != 0 && now.pid != old_pid;
  }));
  CHECK(dkm::process_alive(static_cast<pid_t>(now.pid)));
  CHECK_FALSE(dkm::process_alive(static_cast<pid_t>(old_pid)));
  CHECK(inst.wait_for_state("alpha", "RUNNING").pid == now.pid);
  CHECK(inst.service_processes("alpha").size() == 1);
  std::string log = read_file(inst.layout().supervisor_log());
  CHECK(log.find("exited: 'alpha' (terminated by SIGKILL; not expected)") != std::string::npos);
}

TEST_CASE("dkm refuses to run as root unless DKM_ALLOW_ROOT=1", "[dkm][lifecycle]") {
  if (::geteuid() != 0) return;  // the refusal only exists for root
  DkmInstall inst(lifecycle_services());
  RunOptions o;
  o.unset_env = {"DKM_ALLOW_ROOT"};
  RunResult r = run_process({tool("dkm").string(), "-d", inst.root(), "status"}, o);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("refusing to run as root") != std::string::npos);
  CHECK(run_process({tool("dkm").string(), "--version"}, o).exit_code == 0);
}
