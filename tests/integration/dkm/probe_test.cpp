// Readiness probes: STARTING until the port answers, RUNNING after, and `dkm start`
// returns as soon as it does.
#include "dkm_harness.hpp"

#include <future>

using namespace dkm;
using namespace dkm::test;

TEST_CASE("a service with a tcp probe is STARTING until its port opens and start returns within 100 ms of it",
          "[dkm][probe]") {
  int port = free_tcp_port();
  DkmInstall inst("[program:web]\ncommand = " + fixture_program("port_opener") + " " + std::to_string(port) +
                  " 1500 %(ENV_DKM_HOME)s/opened\nautostart = false\nstartsecs = 0\nready = tcp:127.0.0.1:" +
                  std::to_string(port) + "\n");
  fs::path opened = inst.layout().root() / "opened";

  // `dkm start` in the background; note when it returns on the same clock the fixture uses.
  auto start = std::async(std::launch::async, [&] {
    RunResult r = inst.dkm({"start", "web"});
    return std::make_pair(r, std::chrono::steady_clock::now());
  });

  // While the port is closed, the service is STARTING (startsecs=0 would make it RUNNING at once without a probe).
  StatusLine starting = inst.wait_for_state("web", "STARTING", 10s);
  INFO(starting.text);
  REQUIRE(starting.state == "STARTING");
  CHECK(starting.text.find("waiting for tcp:127.0.0.1:" + std::to_string(port)) != std::string::npos);
  CHECK_FALSE(fs::exists(opened));
  CHECK(inst.dkm({"status", "web"}).exit_code == 0);  // supervisorctl's 3 is for stopped states only

  auto [result, returned] = start.get();
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  CHECK(result.output.find("web: started") != std::string::npos);
  // The fixture notes the time right after listen() and writes it a moment later.
  REQUIRE(wait_until([&] { return fs::exists(opened); }, 10s));
  auto open_ns = std::stoll(read_file(opened));
  auto returned_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(returned.time_since_epoch()).count();
  double delay_ms = static_cast<double>(returned_ns - open_ns) / 1e6;
  INFO("dkm start returned " << delay_ms << " ms after the port opened");
  CHECK(delay_ms >= 0);
  CHECK(delay_ms < 100);
  CHECK(inst.status()["web"].state == "RUNNING");
}

TEST_CASE("a command probe makes the service RUNNING when the command succeeds", "[dkm][probe]") {
  DkmInstall inst("[program:worker]\ncommand = " + fixture_program("sleeper") +
                  "\nautostart = false\nready = command /bin/sh -c \"test -e %(ENV_DKM_HOME)s/ready-flag\"\n");
  auto start = std::async(std::launch::async, [&] { return inst.dkm({"start", "worker", "-t", "60"}); });
  REQUIRE(inst.wait_for_state("worker", "STARTING", 10s).state == "STARTING");
  std::this_thread::sleep_for(500ms);
  CHECK(inst.status()["worker"].state == "STARTING");
  write_file_atomic(inst.layout().root() / "ready-flag", "");
  RunResult r = start.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(inst.status()["worker"].state == "RUNNING");
}

TEST_CASE("dkm start gives up after its timeout and names the service with its last log lines", "[dkm][probe]") {
  int port = free_tcp_port();
  DkmInstall inst("[program:never]\ncommand = " + fixture_program("sleeper") +
                  "\nautostart = false\nready = tcp:127.0.0.1:" + std::to_string(port) + "\n");
  RunResult r = inst.dkm({"start", "-t", "1"});
  INFO(r.output);
  CHECK(r.exit_code == 7);
  CHECK(r.output.find("never: ERROR (still STARTING after 1 s") != std::string::npos);
  CHECK(r.output.find("    sleeper ") != std::string::npos);  // its log, indented
}

TEST_CASE("dkm start and restart start a service once the services of lower priority are up", "[dkm][probe]") {
  // `sender` notes whether `listener`'s port answered when it started, as collectd would find go-carbon.
  int port = free_tcp_port();
  std::string p = std::to_string(port);
  DkmInstall inst(listener_and_sender(port, 800,
                                      "if (echo > /dev/tcp/127.0.0.1/" + p +
                                          ") 2>/dev/null; then echo port-was-open; else echo port-was-closed; fi; "
                                          "exec sleep 600"));
  fs::path sender_log = inst.layout().run() / "sender.log";

  auto start = std::async(std::launch::async, [&] { return inst.dkm({"start"}); });
  REQUIRE(inst.wait_for_state("listener", "STARTING", 10s).state == "STARTING");
  StatusLine queued = inst.status()["sender"];
  INFO(queued.text);
  CHECK(queued.state == "STOPPED");
  CHECK(queued.text.find("queued") != std::string::npos);
  RunResult started = start.get();
  INFO(started.output);
  REQUIRE(started.exit_code == 0);
  REQUIRE(wait_until([&] { return fs::exists(sender_log) && fs::file_size(sender_log) > 0; }, 10s));
  CHECK(read_file(sender_log) == "port-was-open\n");

  RunResult restarted = inst.dkm({"restart"});
  INFO(restarted.output);
  REQUIRE(restarted.exit_code == 0);
  REQUIRE(wait_until([&] { return read_file(sender_log).size() > 14; }, 10s));
  CHECK(read_file(sender_log) == "port-was-open\nport-was-open\n");
}
