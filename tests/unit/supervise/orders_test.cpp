// supervise/orders and supervise/namespecs: supervisorctl's orders on programs answered
// as supervisord's RPC interface answers them, on the state machine among fakes: which
// programs a name means, start's "already started" and "no such file" before anything
// spawns, what a settled start reports, stop's "not running", signal's checks in
// supervisord's order, clear, and a program's standard input.
#include <catch2/catch.hpp>

#include "fake_supervisor_world.hpp"
#include "supervise/orders.hpp"

using namespace dkm;
using namespace dkm::supervise;
using namespace dkm::test;
using namespace std::chrono_literals;

namespace {

/// The outcomes' faults, in order.
std::vector<Fault> faults(const std::vector<Outcome>& outcomes) {
  std::vector<Fault> out;
  for (const auto& o : outcomes) out.push_back(o.fault);
  return out;
}

/// A world with `a` (RUNNING after 5 s) and `b` (autostart = false, STOPPED).
SupervisorWorld& running_a_stopped_b(SupervisorWorld& w) {
  auto a = program("a", 10), b = program("b", 20);
  b.autostart = false;
  w.add({a, b});
  w.machine.start_autostart();
  w.advance(5s);
  REQUIRE(w.state("a") == ServiceState::kRunning);
  return w;
}

}  // namespace

TEST_CASE("a name is a program, GROUP:* its group, all every program by priority, an unknown one an error", "[orders]") {
  SupervisorWorld w;
  w.add({program("late", 50), program("early", 5)});
  auto all = pick(w.machine, {});
  REQUIRE(all.size() == 2);
  CHECK(all[0].service == "early");
  CHECK_FALSE(all[0].named);
  CHECK(pick(w.machine, {"late", "all"}).size() == 2);
  auto named = pick(w.machine, {"late", "late", "nosuch", "late:*", "ghost:*", "late:x"});
  REQUIRE(named.size() == 4);
  CHECK(named[0].service == "late");
  CHECK(named[0].named);
  CHECK(named[1].error == Fault::kBadName);
  CHECK(named[1].name == "nosuch");
  CHECK(named[2].error == Fault::kBadGroup);
  CHECK(named[2].group == "ghost");
  CHECK(named[3].error == Fault::kBadName);
  CHECK(namespec(named[3].group, named[3].name) == "late:x");
  auto group = pick(w.machine, {"early:*"});
  REQUIRE(group.size() == 1);
  CHECK_FALSE(group[0].named);
}

TEST_CASE("start: a named running program is already started, through all it is skipped", "[orders]") {
  SupervisorWorld w;
  running_a_stopped_b(w);
  Order named = order_start(w.machine, w.processes, pick(w.machine, {"a"}), StartOptions{false, 90});
  CHECK(faults(order_outcomes(w.machine, named, false)) == std::vector<Fault>{Fault::kAlreadyStarted});
  Order all = order_start(w.machine, w.processes, pick(w.machine, {}), StartOptions{false, 90});
  w.machine.settle();
  CHECK(w.state("b") == ServiceState::kStarting);
  CHECK_FALSE(order_settled(w.machine, all));
  w.advance(1s);
  REQUIRE(order_settled(w.machine, all));
  auto outcomes = order_outcomes(w.machine, all, false);
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].name == "b");
  CHECK(outcomes[0].fault == Fault::kSuccess);
  CHECK(w.processes.spawns("a") == 1);
}

TEST_CASE("start for which the supervisor was launched reports what its autostart began as started", "[orders]") {
  SupervisorWorld w;
  auto a = program("a");
  w.add({a});
  w.machine.start_autostart();  // the supervisor a client has just launched
  Order order = order_start(w.machine, w.processes, pick(w.machine, {"a"}), StartOptions{false, 90, true});
  CHECK_FALSE(order_settled(w.machine, order));
  w.advance(1s);
  REQUIRE(order_settled(w.machine, order));
  CHECK(faults(order_outcomes(w.machine, order, false)) == std::vector<Fault>{Fault::kSuccess});
  CHECK(w.processes.spawns("a") == 1);
}

TEST_CASE("start: a command that cannot run is reported at once and nothing spawns", "[orders]") {
  SupervisorWorld w;
  w.add({program("missing")});
  w.processes.problems["missing"] = CommandProblem{Fault::kNoFile, "can't find command '/srv/bin/missing'"};
  Order order = order_start(w.machine, w.processes, pick(w.machine, {"missing"}), StartOptions{false, 90});
  CHECK(order_settled(w.machine, order));
  CHECK(faults(order_outcomes(w.machine, order, false)) == std::vector<Fault>{Fault::kNoFile});
  CHECK(w.processes.spawned.empty());
  CHECK(w.state("missing") == ServiceState::kStopped);
}

TEST_CASE("start: a program that gives up is a spawn error once FATAL, one still starting a timeout", "[orders]") {
  SupervisorWorld w;
  auto quitter = program("quitter"), slow = program("slow");
  quitter.startretries = 1;
  slow.startsecs = 60;
  w.add({quitter, slow});
  Order order = order_start(w.machine, w.processes, pick(w.machine, {"quitter", "slow"}), StartOptions{false, 5});
  w.exit("quitter", exited_with(3));
  CHECK(w.state("quitter") == ServiceState::kBackoff);
  CHECK_FALSE(order_settled(w.machine, order));  // dkm waits through the retries
  w.advance(1s);
  w.exit("quitter", exited_with(3));
  CHECK(w.state("quitter") == ServiceState::kFatal);
  auto outcomes = order_outcomes(w.machine, order, true);
  CHECK(faults(outcomes) == std::vector<Fault>{Fault::kSpawnError, Fault::kTimedOut});
  CHECK_THAT(outcomes[1].detail, Catch::StartsWith("still STARTING after 5 s: pid "));
}

TEST_CASE("start without waiting reports what is on its way as starting", "[orders]") {
  SupervisorWorld w;
  auto fast = program("fast"), slow = program("slow");
  fast.startsecs = 0;
  w.add({fast, slow});
  Order order = order_start(w.machine, w.processes, pick(w.machine, {}), StartOptions{false, 0});
  CHECK(faults(order_outcomes(w.machine, order, false)) == std::vector<Fault>{Fault::kSuccess, Fault::kNotWaited});
}

TEST_CASE("restart reports each running program stopped, then each program started", "[orders]") {
  SupervisorWorld w;
  running_a_stopped_b(w);
  pid_t before = w.pid("a");
  Order order = order_start(w.machine, w.processes, pick(w.machine, {"a", "b"}), StartOptions{true, 90});
  auto now = order_outcomes(w.machine, order, false);
  REQUIRE(now.size() == 4);
  CHECK(now[0].action == Command::kStop);
  CHECK(now[0].fault == Fault::kSuccess);
  CHECK(now[1].action == Command::kStop);
  CHECK(now[1].fault == Fault::kNotRunning);  // b was not running: supervisorctl says so, then starts it
  CHECK(now[2].action == Command::kStart);
  w.exit("a", killed_by(SIGTERM));
  w.advance(2s);  // a RUNNING after its startsecs, then b (the next priority) after its own
  REQUIRE(order_settled(w.machine, order));
  CHECK(faults(order_outcomes(w.machine, order, false)) ==
        std::vector<Fault>{Fault::kSuccess, Fault::kNotRunning, Fault::kSuccess, Fault::kSuccess});
  CHECK(w.pid("a") != before);
}

TEST_CASE("stop: a named program that is not running says so, through all it is skipped", "[orders]") {
  SupervisorWorld w;
  running_a_stopped_b(w);
  Order named = order_stop(w.machine, pick(w.machine, {"b", "nosuch"}));
  CHECK(faults(order_outcomes(w.machine, named, false)) == std::vector<Fault>{Fault::kNotRunning, Fault::kBadName});
  Order all = order_stop(w.machine, pick(w.machine, {"all"}));
  CHECK(w.state("a") == ServiceState::kStopping);
  CHECK_FALSE(order_settled(w.machine, all));
  w.exit("a", killed_by(SIGTERM));
  REQUIRE(order_settled(w.machine, all));
  auto outcomes = order_outcomes(w.machine, all, false);
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].name == "a");
  CHECK(outcomes[0].fault == Fault::kSuccess);
}

TEST_CASE("signal: names, then the signal, then the state, as supervisord checks them", "[orders]") {
  SupervisorWorld w;
  running_a_stopped_b(w);
  pid_t a = w.pid("a");
  CHECK(faults(order_signal(w.machine, w.processes, pick(w.machine, {"a"}), "HUP")) == std::vector<Fault>{Fault::kSuccess});
  CHECK(w.processes.signals.back() == FakeProcesses::Signal{a, SIGHUP, false});  // the process, not its group
  CHECK(faults(order_signal(w.machine, w.processes, pick(w.machine, {"a"}), "BOGUS")) == std::vector<Fault>{Fault::kBadSignal});
  CHECK(faults(order_signal(w.machine, w.processes, pick(w.machine, {"b"}), "HUP")) == std::vector<Fault>{Fault::kNotRunning});
  CHECK(faults(order_signal(w.machine, w.processes, pick(w.machine, {"nosuch"}), "BOGUS")) == std::vector<Fault>{Fault::kBadName});
  auto all = order_signal(w.machine, w.processes, pick(w.machine, {"all"}), "usr2");
  REQUIRE(all.size() == 1);  // b is not signallable: skipped
  CHECK(w.processes.signals.back() == FakeProcesses::Signal{a, SIGUSR2, false});
}

TEST_CASE("a signal by name, with or without SIG, in any case, or by number", "[orders]") {
  CHECK(signal_number("HUP") == SIGHUP);
  CHECK(signal_number("sigusr1") == SIGUSR1);
  CHECK(signal_number("SIGKILL") == SIGKILL);
  CHECK(signal_number("1") == SIGHUP);
  CHECK(signal_number("64") == 64);
  CHECK_FALSE(signal_number("0"));
  CHECK_FALSE(signal_number("65"));
  CHECK_FALSE(signal_number("BOGUS"));
  CHECK_FALSE(signal_number(""));
}

TEST_CASE("clear empties each program's logs, stdin goes to a running program only", "[orders]") {
  SupervisorWorld w;
  running_a_stopped_b(w);
  w.processes.uncleared.insert("b");
  CHECK(faults(order_clear(w.machine, w.processes, pick(w.machine, {}))) == std::vector<Fault>{Fault::kSuccess, Fault::kFailed});
  CHECK(w.processes.cleared == std::vector<std::string>{"a", "b"});
  CHECK(order_stdin(w.machine, w.processes, pick(w.machine, {"a"}).front(), "hello\n").fault == Fault::kSuccess);
  CHECK(w.processes.stdin_data["a"] == "hello\n");
  CHECK(order_stdin(w.machine, w.processes, pick(w.machine, {"b"}).front(), "x\n").fault == Fault::kNotRunning);
  w.processes.closed_stdin.insert("a");
  CHECK(order_stdin(w.machine, w.processes, pick(w.machine, {"a"}).front(), "x\n").fault == Fault::kNoFile);
  CHECK(order_stdin(w.machine, w.processes, pick(w.machine, {"nosuch"}).front(), "x\n").fault == Fault::kBadName);
}
