// reload applies only what changed in the services file.
#include "dkm_harness.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

std::string service(const std::string& name, const std::string& args, bool autostart = false) {
  return "[program:" + name + "]\ncommand = " + fixture_program("sleeper") + args +
         "\nstartsecs = 0\nautostart = " + (autostart ? "true" : "false") + "\n\n";
}

}  // namespace

TEST_CASE("reload with one service added, one removed and one changed touches only those three", "[dkm][reload]") {
  DkmInstall inst(service("keep", "") + service("gone", "") + service("change", "") + service("idle", ""));
  REQUIRE(inst.dkm({"start", "keep", "gone", "change"}).exit_code == 0);
  auto before = inst.status();

  inst.write_services(service("keep", "") + service("change", " 3600") + service("idle", "") +
                      service("fresh", "", true));
  RunResult reload = inst.dkm({"reload"});
  INFO(reload.output);
  REQUIRE(reload.exit_code == 0);
  CHECK(reload.output.find("fresh: added") != std::string::npos);
  CHECK(reload.output.find("change: changed") != std::string::npos);
  CHECK(reload.output.find("gone: removed") != std::string::npos);
  CHECK(reload.output.find("keep:") == std::string::npos);
  CHECK(reload.output.find("idle:") == std::string::npos);

  auto after = inst.status();
  CHECK(after.count("gone") == 0);
  CHECK_FALSE(dkm::process_alive(static_cast<pid_t>(before["gone"].pid)));
  CHECK(inst.dkm({"status", "gone"}).exit_code == 4);
  // Untouched: the same process, never stopped.
  CHECK(after["keep"].state == "RUNNING");
  CHECK(after["keep"].pid == before["keep"].pid);
  CHECK(after["idle"].state == "STOPPED");
  // Changed: restarted with its new command line.
  StatusLine changed = inst.wait_for_state("change", "RUNNING");
  CHECK(changed.pid != before["change"].pid);
  std::string cmdline = dkm::read_proc_file("/proc/" + std::to_string(changed.pid) + "/cmdline");
  CHECK(cmdline.find(std::string("3600")) != std::string::npos);
  // Added with autostart: started.
  CHECK(inst.wait_for_state("fresh", "RUNNING").pid > 0);
  std::string log = read_file(inst.layout().supervisor_log());
  CHECK(log.find("'keep' to stop") == std::string::npos);

  // Nothing changed: nothing happens.
  RunResult again = inst.dkm({"reload"});
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("no changes") != std::string::npos);
  CHECK(inst.status()["keep"].pid == before["keep"].pid);
}

TEST_CASE("reload with a bad services file changes nothing", "[dkm][reload]") {
  DkmInstall inst(service("keep", ""));
  REQUIRE(inst.dkm({"start", "keep"}).exit_code == 0);
  long pid = inst.status()["keep"].pid;
  inst.write_services(service("keep", "") + "[program:broken]\ncommand = /bin/true\nstartsecs = soon\n");
  RunResult r = inst.dkm({"reload"});
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("services.ini:") != std::string::npos);
  CHECK(r.output.find("startsecs") != std::string::npos);
  CHECK(inst.status().count("broken") == 0);
  CHECK(inst.status()["keep"].pid == pid);
}
