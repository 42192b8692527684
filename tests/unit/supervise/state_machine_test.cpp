// supervise/state_machine: one service's lifecycle (supervisord's states), on fakes and a
// fake clock: every transition, the backoff timing, readiness, exits, stop and its
// escalation to SIGKILL. The real binary is tests/integration/dkm's.
#include <catch2/catch.hpp>

#include "fake_supervisor_world.hpp"

using namespace dkm;
using namespace dkm::supervise;
using namespace dkm::test;
using namespace std::chrono_literals;
using Signal = FakeProcesses::Signal;

namespace {

/// Adds `cfg`, starts it and lets it run five seconds (RUNNING since four); its pid.
pid_t run_for_a_while(SupervisorWorld& w, const ProgramConfig& cfg) {
  w.add({cfg});
  w.start({cfg.name});
  w.advance(5s);
  REQUIRE(w.state(cfg.name) == ServiceState::kRunning);
  return w.pid(cfg.name);
}

}  // namespace

TEST_CASE("a service without a probe is STARTING until it stayed up startsecs, then RUNNING", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");
  web.startsecs = 2;
  w.add({web});
  CHECK(w.state("web") == ServiceState::kStopped);
  w.start();
  CHECK(w.state("web") == ServiceState::kStarting);
  CHECK(w.processes.spawns("web") == 1);
  CHECK(w.log.has("spawned: 'web' with pid 100"));
  w.advance(1999ms);
  CHECK(w.state("web") == ServiceState::kStarting);
  w.advance(1ms);
  CHECK(w.state("web") == ServiceState::kRunning);
  CHECK(w.log.has("success: 'web' is RUNNING, process has stayed up for > than 2 seconds (startsecs)"));
  CHECK(w.machine.status(*w.machine.find("web")).uptime == Approx(2.0));
}

TEST_CASE("startsecs = 0 is RUNNING at once, and starting a running service does nothing", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");
  web.startsecs = 0;
  w.add({web});
  w.start();
  CHECK(w.state("web") == ServiceState::kRunning);
  w.start();
  CHECK(w.processes.spawns("web") == 1);
}

TEST_CASE("a port probe is tried after 10 ms, then every 20 and 40 ms until it answers", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");
  web.ready = tcp_probe(8080);
  w.add({web});
  w.start();
  w.advance(9ms);
  CHECK(w.probes.attempts_of("web") == 0);
  w.advance(1ms);
  CHECK(w.probes.attempts_of("web") == 1);
  w.probe("web", false);
  w.advance(19ms);
  CHECK(w.probes.attempts_of("web") == 1);
  w.advance(1ms);
  CHECK(w.probes.attempts_of("web") == 2);
  w.probe("web", false);
  w.advance(40ms);
  CHECK(w.probes.attempts_of("web") == 3);
  w.probe("web", false);
  w.advance(40ms);
  CHECK(w.probes.attempts_of("web") == 4);
  CHECK(w.state("web") == ServiceState::kStarting);
  CHECK(w.machine.status(*w.machine.find("web")).detail == "waiting for tcp:127.0.0.1:8080");
  w.advance(10s);  // startsecs does not apply to a probed service
  CHECK(w.state("web") == ServiceState::kStarting);
  w.probe("web", true);
  CHECK(w.state("web") == ServiceState::kRunning);
  CHECK(w.log.has("success: 'web' is RUNNING, ready: tcp:127.0.0.1:8080 answers"));
}

TEST_CASE("a probe command is tried every 200, 400, 800 ms, then every second", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");
  web.ready.kind = ReadyProbe::Kind::kCommand;
  web.ready.argv = {"/bin/true"};
  web.ready.text = "command /bin/true";
  w.add({web});
  w.start();
  w.advance(10ms);
  for (auto delay : {200ms, 400ms, 800ms, 1000ms, 1000ms}) {
    long before = w.probes.attempts_of("web");
    w.probe("web", false);
    w.advance(delay - 1ms);
    CHECK(w.probes.attempts_of("web") == before);
    w.advance(1ms);
    CHECK(w.probes.attempts_of("web") == before + 1);
  }
  w.probe("web", true);
  CHECK(w.log.has("ready: command /bin/true succeeded"));
}

TEST_CASE("a process that exits while STARTING is retried after 1, 2, 4 s, then FATAL", "[state_machine]") {
  SupervisorWorld w;
  w.add({program("web")});  // startretries 3
  w.start();
  for (auto delay : {1s, 2s, 4s}) {
    long spawns = w.processes.spawns("web");
    w.exit("web", exited_with(1));
    CHECK(w.state("web") == ServiceState::kBackoff);
    CHECK(w.machine.status(*w.machine.find("web")).detail == "Exited too quickly (process log may have details)");
    w.advance(delay - 1ms);
    CHECK(w.processes.spawns("web") == spawns);
    w.advance(1ms);
    CHECK(w.processes.spawns("web") == spawns + 1);
    CHECK(w.state("web") == ServiceState::kStarting);
  }
  w.exit("web", exited_with(1));
  CHECK(w.state("web") == ServiceState::kFatal);
  CHECK(w.log.has("gave up: 'web' entered FATAL state, too many start retries too quickly"));
  w.advance(1h);
  CHECK(w.processes.spawns("web") == 4);
  w.start();  // FATAL stays until the next start, which begins anew
  CHECK(w.state("web") == ServiceState::kStarting);
  w.exit("web", exited_with(1));
  w.advance(1s);
  CHECK(w.processes.spawns("web") == 6);
}

TEST_CASE("the wait between attempts doubles up to 60 s", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");
  web.startretries = 20;
  w.add({web});
  w.start();
  for (auto delay : {1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s}) {
    w.exit("web", exited_with(1));
    w.advance(delay - 1ms);
    CHECK(w.state("web") == ServiceState::kBackoff);
    w.advance(1ms);
    CHECK(w.state("web") == ServiceState::kStarting);
  }
}

TEST_CASE("a service that cannot be spawned backs off like one that exits", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");
  web.startretries = 1;
  w.add({web});
  w.processes.unstartable.insert("web");
  w.start();
  CHECK(w.state("web") == ServiceState::kBackoff);
  CHECK_THAT(w.machine.status(*w.machine.find("web")).detail, Catch::StartsWith("can't find command"));
  CHECK(w.log.has("ERRO spawn error: 'web': can't find command"));
  w.advance(1s);
  CHECK(w.state("web") == ServiceState::kFatal);
  CHECK(w.processes.spawned.empty());
}

TEST_CASE("a RUNNING service that exits unexpectedly is restarted, one that exits as expected stays EXITED", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");  // autorestart unexpected, exitcodes 0
  w.add({web});
  w.start();
  w.advance(5s);
  w.exit("web", exited_with(3));
  CHECK(w.log.has("'web' entered EXITED state"));
  CHECK(w.log.has("exited: 'web' (exit status 3; not expected)"));
  CHECK(w.state("web") == ServiceState::kStarting);
  CHECK(w.processes.spawns("web") == 2);
  w.advance(5s);
  w.exit("web", exited_with(0));
  CHECK(w.state("web") == ServiceState::kExited);
  CHECK(w.machine.status(*w.machine.find("web")).detail == "exit status 0");
  CHECK(w.processes.spawns("web") == 2);
  CHECK(w.machine.start_settled("web"));
}

TEST_CASE("autorestart true restarts any exit, false none, and a signal is never expected", "[state_machine]") {
  SupervisorWorld w;
  auto always = program("always"), never = program("never");
  always.autorestart = AutoRestart::kTrue;
  never.autorestart = AutoRestart::kFalse;
  w.add({always, never});
  w.start();
  w.advance(5s);
  w.exit("always", exited_with(0));
  w.exit("never", killed_by(SIGSEGV));
  CHECK(w.state("always") == ServiceState::kStarting);
  CHECK(w.state("never") == ServiceState::kExited);
  CHECK(w.machine.status(*w.machine.find("never")).detail == "terminated by SIG11");
}

TEST_CASE("startsecs = 0: an exit soon after the start is an exit, run once unless autorestart says so", "[state_machine]") {
  // Issue 17's bug: such an exit counted as a failed start, respawned every second forever.
  SupervisorWorld w;
  auto zero = program("zero"), zerofalse = program("zerofalse"), zerotrue = program("zerotrue");
  for (auto* p : {&zero, &zerofalse, &zerotrue}) p->startsecs = 0;
  zerofalse.autorestart = AutoRestart::kFalse;
  zerotrue.autorestart = AutoRestart::kTrue;
  w.add({zero, zerofalse, zerotrue});
  w.start();
  w.advance(200ms);
  w.exit("zero", exited_with(0));
  w.exit("zerofalse", exited_with(3));
  w.exit("zerotrue", exited_with(0));
  CHECK(w.state("zero") == ServiceState::kExited);
  CHECK(w.state("zerofalse") == ServiceState::kExited);
  CHECK(w.machine.status(*w.machine.find("zerofalse")).detail == "exit status 3");
  CHECK(w.state("zerotrue") == ServiceState::kRunning);  // restarted at once
  w.advance(10s);
  CHECK(w.processes.spawns("zero") == 1);
  CHECK(w.processes.spawns("zerofalse") == 1);
  CHECK(w.processes.spawns("zerotrue") == 2);
  CHECK(w.machine.start_settled("zero"));
}

TEST_CASE("a RUNNING service that exits unexpectedly soon after startsecs is restarted at once, not backed off",
          "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");  // startsecs 1
  w.add({web});
  w.start();
  w.advance(1s);
  REQUIRE(w.state("web") == ServiceState::kRunning);
  w.advance(100ms);
  w.exit("web", exited_with(1));
  CHECK(w.log.has("'web' entered EXITED state"));
  CHECK(w.state("web") == ServiceState::kStarting);
  CHECK(w.processes.spawns("web") == 2);
  CHECK(w.machine.find("web")->backoff == 0);
}

TEST_CASE("what is left of an exited service's process group is killed", "[state_machine]") {
  SupervisorWorld w;
  w.add({program("web")});
  w.start();
  w.advance(5s);
  pid_t pgid = w.machine.find("web")->pgid;
  w.exit("web", exited_with(1), /*group_stays=*/true);
  CHECK(w.log.has("killing what is left of 'web' (process group 100)"));
  CHECK(std::count(w.processes.signals.begin(), w.processes.signals.end(), Signal{pgid, SIGKILL, true}) == 1);
}

TEST_CASE("stop sends stopsignal and SIGCONT to the group, and the exit makes it STOPPED", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");
  web.stopsignal = SIGINT;
  pid_t pid = run_for_a_while(w, web);
  w.stop({"web"});
  CHECK(w.state("web") == ServiceState::kStopping);
  CHECK(w.processes.signals == std::vector<Signal>{{pid, SIGINT, true}, {pid, SIGCONT, true}});
  CHECK(w.log.has("waiting for 'web' to stop (SIGINT)"));
  CHECK_FALSE(w.machine.stop_settled("web"));
  w.exit("web", killed_by(SIGINT));
  CHECK(w.state("web") == ServiceState::kStopped);
  CHECK(w.machine.stop_settled("web"));
  CHECK(w.processes.reaped_names == std::vector<std::string>{"web"});
  w.advance(1h);
  CHECK(w.processes.signals.size() == 2);  // the stop deadline went with the stop
}

TEST_CASE("stopsignal KILL is sent alone, without SIGCONT", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");
  web.stopsignal = SIGKILL;
  pid_t pid = run_for_a_while(w, web);
  w.stop({"web"});
  CHECK(w.processes.signals == std::vector<Signal>{{pid, SIGKILL, true}});
}

TEST_CASE("stop escalates to SIGKILL after stopwaitsecs, then every second until the group is gone", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");
  web.stopwaitsecs = 10;
  pid_t pid = run_for_a_while(w, web);
  w.stop({"web"});
  w.advance(9999ms);
  CHECK(w.processes.signals.size() == 2);  // stopsignal and SIGCONT
  w.advance(1ms);
  CHECK(w.log.has("killing 'web' (pid " + std::to_string(pid) + ") with SIGKILL after 10 s"));
  CHECK(w.processes.signals.back() == Signal{pid, SIGKILL, true});
  w.exit("web", killed_by(SIGKILL), /*group_stays=*/true);  // a grandchild holds on
  CHECK(w.state("web") == ServiceState::kStopping);
  auto sent = w.processes.signals.size();
  w.advance(1s);
  CHECK(w.processes.signals.size() == sent + 1);
  CHECK(w.processes.signals.back() == Signal{pid, SIGKILL, true});
  w.advance(1s);
  CHECK(w.processes.signals.size() == sent + 2);
  w.processes.live_groups.erase(pid);
  w.advance(1s);
  CHECK(w.state("web") == ServiceState::kStopped);
  w.advance(1h);
  CHECK(w.processes.signals.size() == sent + 2);
}

TEST_CASE("a group left after the stop's exit is waited for until the deadline, then killed", "[state_machine]") {
  SupervisorWorld w;
  auto web = program("web");
  web.stopwaitsecs = 3;
  pid_t pgid = run_for_a_while(w, web);
  w.stop({"web"});
  w.exit("web", exited_with(0), /*group_stays=*/true);
  CHECK(w.state("web") == ServiceState::kStopping);
  CHECK_FALSE(w.machine.stop_settled("web"));
  w.advance(3s);
  CHECK(w.processes.signals.back() == Signal{pgid, SIGKILL, true});
  w.processes.live_groups.erase(pgid);
  w.machine.check_groups();  // a reap round finds the group gone
  CHECK(w.state("web") == ServiceState::kStopped);
}

TEST_CASE("a service in BACKOFF stops at once, and one started while STOPPING starts when stopped", "[state_machine]") {
  SupervisorWorld w;
  w.add({program("flaky"), program("web")});
  w.start();
  w.exit("flaky", exited_with(1));
  REQUIRE(w.state("flaky") == ServiceState::kBackoff);
  w.stop({"flaky"});
  CHECK(w.state("flaky") == ServiceState::kStopped);
  w.advance(1h);
  CHECK(w.processes.spawns("flaky") == 1);

  w.advance(5s);
  w.stop({"web"});
  w.start({"web"});
  CHECK(w.state("web") == ServiceState::kStopping);
  w.exit("web", exited_with(0));
  CHECK(w.state("web") == ServiceState::kStarting);
  CHECK(w.processes.spawns("web") == 2);
}

TEST_CASE("the state of a service that never ran says so, and STOPPED forgets why it last exited", "[state_machine]") {
  SupervisorWorld w;
  w.add({program("web")});
  CHECK(w.machine.status(*w.machine.find("web")).since == 0);
  w.start();
  w.exit("web", exited_with(1));
  CHECK_FALSE(w.machine.status(*w.machine.find("web")).detail.empty());
  w.stop({"web"});
  CHECK(w.machine.status(*w.machine.find("web")).detail.empty());
  CHECK(w.machine.status(*w.machine.find("web")).since != 0);
}
