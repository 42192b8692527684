// Stopping: stopsignal to the process group, SIGKILL after stopwaitsecs, grandchildren included.
#include "dkm_harness.hpp"

using namespace dkm;
using namespace dkm::test;

TEST_CASE("a service ignoring SIGTERM is killed after stopwaitsecs, its grandchild too", "[dkm][stop]") {
  DkmInstall inst("[program:stubborn]\ncommand = " + fixture_program("ignores_sigterm") +
                  "\nautostart = false\nstopwaitsecs = 2\n\n[program:family]\ncommand = " +
                  fixture_program("forks_grandchild") +
                  " %(ENV_DKM_HOME)s/grandchild.pid --ignore-term\nautostart = false\nstopwaitsecs = 2\n\n"
                  "[program:polite]\ncommand = " + fixture_program("forks_grandchild") +
                  " %(ENV_DKM_HOME)s/polite-grandchild.pid\nautostart = false\nstopwaitsecs = 20\n");
  REQUIRE(inst.dkm({"start"}).exit_code == 0);
  auto before = inst.status();
  REQUIRE(wait_until([&] { return fs::exists(inst.layout().root() / "grandchild.pid"); }));
  REQUIRE(wait_until([&] { return fs::exists(inst.layout().root() / "polite-grandchild.pid"); }));
  pid_t grandchild = std::stoi(read_file(inst.layout().root() / "grandchild.pid"));
  pid_t polite_grandchild = std::stoi(read_file(inst.layout().root() / "polite-grandchild.pid"));
  REQUIRE(dkm::process_alive(grandchild));

  // The polite family ends on SIGTERM (sent to its whole group): well before its 20 s.
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(inst.dkm({"stop", "polite"}).exit_code == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK_FALSE(dkm::process_alive(polite_grandchild));

  t0 = std::chrono::steady_clock::now();
  RunResult stop = inst.dkm({"stop", "stubborn", "family"});
  auto took = std::chrono::steady_clock::now() - t0;
  INFO(stop.output);
  REQUIRE(stop.exit_code == 0);
  CHECK(took >= 1900ms);  // SIGTERM was ignored: only the deadline ended them
  CHECK(took < 15s);
  for (const char* name : {"stubborn", "family"}) {
    INFO(name);
    CHECK_FALSE(dkm::process_alive(static_cast<pid_t>(before[name].pid)));
    CHECK(inst.status()[name].state == "STOPPED");
  }
  CHECK_FALSE(dkm::process_alive(grandchild));
  std::string log = read_file(inst.layout().supervisor_log());
  CHECK(log.find("killing 'stubborn'") != std::string::npos);
  CHECK(log.find("killing 'family'") != std::string::npos);
  // Only the supervisor is left.
  auto left = inst.processes();
  CHECK(left == std::vector<pid_t>{inst.supervisor_pid()});
}

TEST_CASE("dkm stop stops the services of higher priority first, the lower ones once they are gone", "[dkm][stop]") {
  // On SIGTERM, `sender` waits a moment, then notes whether `listener`'s port still answers: as
  // collectd's last metrics need go-carbon still listening.
  int port = free_tcp_port();
  std::string p = std::to_string(port);
  DkmInstall inst(listener_and_sender(port, 0,
                                      "trap 'sleep 0.5; if (echo > /dev/tcp/127.0.0.1/" + p +
                                          ") 2>/dev/null; then echo open-at-stop; else echo closed-at-stop; fi; "
                                          "exit 0' TERM; echo armed; while :; do sleep 0.1; done"));
  fs::path sender_log = inst.layout().run() / "sender.log";
  // startsecs = 0: `start` returns before bash has set its trap, and a SIGTERM before the
  // trap ends it without a verdict. Each stop waits until the sender says it is armed.
  auto armed = [&](std::size_t times) {
    return wait_until([&] {
      std::string text = fs::exists(sender_log) ? read_file(sender_log) : std::string();
      std::size_t n = 0;
      for (auto at = text.find("armed"); at != std::string::npos; at = text.find("armed", at + 1)) ++n;
      return n >= times;
    }, 10s);
  };

  // By name: the supervisor stays.
  REQUIRE(inst.dkm({"start"}).exit_code == 0);
  REQUIRE(armed(1));
  RunResult named = inst.dkm({"stop", "listener", "sender"});
  INFO(named.output);
  REQUIRE(named.exit_code == 0);
  // (bash may also say its `sleep` was Terminated: only the verdicts count.)
  auto verdicts = [&] {
    std::string text = read_file(sender_log), out;
    for (const char* v : {"open-at-stop", "closed-at-stop"})
      for (auto at = text.find(v); at != std::string::npos; at = text.find(v, at + 1)) out += std::string(v) + " ";
    return out;
  };
  CHECK(verdicts() == "open-at-stop ");

  // Everything, supervisor included.
  REQUIRE(inst.dkm({"start"}).exit_code == 0);
  REQUIRE(armed(2));
  RunResult all = inst.dkm({"stop"});
  INFO(all.output);
  REQUIRE(all.exit_code == 0);
  CHECK(verdicts() == "open-at-stop open-at-stop ");
  CHECK(inst.dkm({"status"}).exit_code == 3);
}
