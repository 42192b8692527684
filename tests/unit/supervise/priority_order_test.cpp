// supervise/state_machine, orders that span services: which services a request names,
// and starting (lowest priority first) or stopping (highest first) a group of equal
// priority once the group before it has settled. On fakes and a fake clock.
#include <catch2/catch.hpp>

#include "fake_supervisor_world.hpp"

using namespace dkm;
using namespace dkm::supervise;
using namespace dkm::test;
using namespace std::chrono_literals;

namespace {

/// Adds go-carbon (100, a port probe), carbonapi and grafana (200), collectd (300).
void add_stack(SupervisorWorld& w) {
  auto carbon = program("go-carbon", 100), api = program("carbonapi", 200), grafana = program("grafana", 200),
       collectd = program("collectd", 300);
  carbon.ready = tcp_probe(2003);
  w.add({collectd, grafana, api, carbon});
}

/// Brings every service of stack() to RUNNING.
void bring_up(SupervisorWorld& w) {
  w.start();
  for (int round = 0; round < 5; ++round) {
    w.advance(10ms);
    if (w.state("go-carbon") == ServiceState::kStarting) w.probe("go-carbon", true);
    w.advance(1s);
  }
  for (const auto& name : w.machine.names()) REQUIRE(w.state(name) == ServiceState::kRunning);
}

}  // namespace

TEST_CASE("a request names services in its order, each once, or all by priority, and reports unknown ones", "[priority_order]") {
  SupervisorWorld w;
  add_stack(w);
  std::vector<std::string> unknown;
  CHECK(w.machine.select({}, unknown) == std::vector<std::string>{"go-carbon", "carbonapi", "grafana", "collectd"});
  CHECK(w.machine.select({"grafana", "typo", "collectd", "grafana"}, unknown) ==
        std::vector<std::string>{"grafana", "collectd"});
  CHECK(unknown == std::vector<std::string>{"typo"});
}

TEST_CASE("services started together start by priority, each group once the one before is RUNNING", "[priority_order]") {
  SupervisorWorld w;
  add_stack(w);
  w.start();
  CHECK(w.processes.spawned == std::vector<std::string>{"go-carbon"});
  CHECK(w.machine.status(*w.machine.find("collectd")).detail == "queued: starts once the services of lower priority are up");
  CHECK_FALSE(w.machine.start_settled("carbonapi"));
  w.advance(10ms);
  w.probe("go-carbon", true);
  CHECK(w.processes.spawned == std::vector<std::string>{"go-carbon", "carbonapi", "grafana"});
  w.advance(999ms);
  CHECK(w.processes.spawns("collectd") == 0);
  w.advance(1ms);  // carbonapi and grafana stayed up startsecs
  CHECK(w.processes.spawns("collectd") == 1);
}

TEST_CASE("a group that gave up (FATAL) lets the next group go", "[priority_order]") {
  SupervisorWorld w;
  auto base = program("base", 1), top = program("top", 2);
  base.startretries = 0;
  w.add({base, top});
  w.start();
  w.exit("base", exited_with(1));
  CHECK(w.state("base") == ServiceState::kFatal);
  CHECK(w.state("top") == ServiceState::kStarting);
}

TEST_CASE("a group that keeps failing (BACKOFF) lets the next group go, and `start` still waits for it", "[priority_order]") {
  SupervisorWorld w;
  auto failing = program("failing", 50), eager = program("eager", 60);
  failing.startretries = 2;
  w.add({failing, eager});
  w.start();
  w.exit("failing", exited_with(1));
  CHECK(w.state("failing") == ServiceState::kBackoff);
  CHECK(w.state("eager") == ServiceState::kStarting);
  CHECK_FALSE(w.machine.start_settled("failing"));
  w.advance(1s);
  CHECK(w.state("eager") == ServiceState::kRunning);
  CHECK(w.processes.spawns("eager") == 1);
}

TEST_CASE("names are supervisorctl's: NAME, GROUP:PROCESS, GROUP:* for a whole group", "[priority_order]") {
  SupervisorWorld w;
  w.add({program("solo"), member("web", "front"), member("web", "back"), member("worker", "worker_01"),
         member("worker", "worker_02")});
  std::vector<std::string> unknown;
  CHECK(w.machine.listing() == std::vector<std::string>{"solo", "web:back", "web:front", "worker:worker_01", "worker:worker_02"});
  CHECK(w.machine.select({"web:*"}, unknown) == std::vector<std::string>{"web:back", "web:front"});
  CHECK(w.machine.select({"web:"}, unknown) == std::vector<std::string>{"web:back", "web:front"});
  CHECK(w.machine.select({"web:front", "solo:solo", "solo:*", "web:*"}, unknown) ==
        std::vector<std::string>{"web:front", "solo", "web:back"});
  CHECK(unknown.empty());
  // A process of a group is not known by its name alone, nor a numbered group by its name.
  CHECK(w.machine.select({"front", "worker", "nosuch:*", "web:nosuch"}, unknown).empty());
  CHECK(unknown == std::vector<std::string>{"front", "worker", "nosuch:*", "web:nosuch"});
}

TEST_CASE("a group's priority orders its processes before their own priority", "[priority_order]") {
  SupervisorWorld w;
  auto front = member("web", "front", 999, 100), back = member("web", "back", 5, 100);
  w.add({program("solo", 200), front, back, program("first", 100)});
  std::vector<std::string> unknown;
  CHECK(w.machine.select({}, unknown) == std::vector<std::string>{"web:back", "first", "web:front", "solo"});
}

TEST_CASE("services stopped together stop highest priority first, each group once the one before is gone", "[priority_order]") {
  SupervisorWorld w;
  add_stack(w);
  bring_up(w);
  auto longest = w.stop();
  CHECK(longest == 30s);  // three groups of stopwaitsecs 10
  CHECK(w.state("collectd") == ServiceState::kStopping);
  CHECK(w.state("grafana") == ServiceState::kRunning);
  CHECK(w.state("go-carbon") == ServiceState::kRunning);
  w.exit("collectd", killed_by(SIGTERM));
  CHECK(w.state("grafana") == ServiceState::kStopping);
  CHECK(w.state("carbonapi") == ServiceState::kStopping);
  CHECK(w.state("go-carbon") == ServiceState::kRunning);
  w.exit("grafana", killed_by(SIGTERM));
  CHECK(w.state("go-carbon") == ServiceState::kRunning);
  w.exit("carbonapi", killed_by(SIGTERM));
  CHECK(w.state("go-carbon") == ServiceState::kStopping);
  w.exit("go-carbon", killed_by(SIGTERM));
  CHECK(w.machine.all_stopped());
}

TEST_CASE("a stop does not wait its turn for a service with no process", "[priority_order]") {
  SupervisorWorld w;
  auto low = program("low", 1), flaky = program("flaky", 2), high = program("high", 3);
  flaky.startsecs = 5;
  w.add({low, flaky, high});
  w.start();
  w.advance(1s);
  w.exit("flaky", exited_with(1));
  REQUIRE(w.state("flaky") == ServiceState::kBackoff);
  REQUIRE(w.state("high") == ServiceState::kStarting);
  w.stop();
  CHECK(w.state("flaky") == ServiceState::kStopped);  // no process: it does not wait behind high
  CHECK(w.state("high") == ServiceState::kStopping);
  CHECK(w.state("low") == ServiceState::kRunning);  // low waits for high
  w.exit("high", killed_by(SIGTERM));
  CHECK(w.state("low") == ServiceState::kStopping);
  w.advance(1h);
  CHECK(w.processes.spawns("flaky") == 1);
}

TEST_CASE("restart stops the running services and starts them again by priority", "[priority_order]") {
  SupervisorWorld w;
  add_stack(w);
  bring_up(w);
  std::vector<std::string> unknown;
  w.machine.start_by_priority(w.machine.select({}, unknown), true);
  w.machine.settle();
  for (const auto& name : w.machine.names()) CHECK(w.state(name) == ServiceState::kStopping);
  w.exit("collectd", killed_by(SIGTERM));
  w.exit("carbonapi", killed_by(SIGTERM));
  w.exit("grafana", killed_by(SIGTERM));
  CHECK(w.state("carbonapi") == ServiceState::kStopped);  // waits for go-carbon
  w.exit("go-carbon", killed_by(SIGTERM));
  CHECK(w.state("go-carbon") == ServiceState::kStarting);
  CHECK(w.state("collectd") == ServiceState::kStopped);
  w.advance(10ms);
  w.probe("go-carbon", true);
  CHECK(w.state("carbonapi") == ServiceState::kStarting);
  CHECK(w.processes.spawns("go-carbon") == 2);
}

TEST_CASE("shutdown stops everything by priority, and nothing starts again", "[priority_order]") {
  SupervisorWorld w;
  add_stack(w);
  auto always = program("always", 10);
  always.autorestart = AutoRestart::kTrue;
  w.add({always});
  bring_up(w);
  w.machine.shutdown();
  w.machine.settle();
  CHECK(w.machine.shutting_down());
  CHECK(w.state("collectd") == ServiceState::kStopping);
  w.exit("always", exited_with(0));  // on its own, while waiting for its turn
  CHECK(w.state("always") == ServiceState::kExited);
  w.exit("collectd", killed_by(SIGTERM));
  w.exit("grafana", killed_by(SIGTERM));
  w.exit("carbonapi", killed_by(SIGTERM));
  CHECK_FALSE(w.machine.all_stopped());
  w.exit("go-carbon", killed_by(SIGTERM));
  CHECK(w.machine.all_stopped());
  w.advance(1h);
  CHECK(w.processes.spawns("always") == 1);
  CHECK(w.processes.spawns("go-carbon") == 1);
}
