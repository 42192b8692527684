// update applies only what changed in the services file; reload restarts everything from it.
#include "dkm_harness.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

std::string service(const std::string& name, const std::string& args, bool autostart = false) {
  return "[program:" + name + "]\ncommand = " + fixture_program("sleeper") + args +
         "\nstartsecs = 0\nautostart = " + (autostart ? "true" : "false") + "\n\n";
}

}  // namespace

TEST_CASE("update with one service added, one removed and one changed touches only those three", "[dkm][reload]") {
  DkmInstall inst(service("keep", "") + service("gone", "") + service("change", "") + service("idle", ""));
  REQUIRE(inst.dkm({"start", "keep", "gone", "change"}).exit_code == 0);
  auto before = inst.status();

  inst.write_services(service("keep", "") + service("change", " 3600") + service("idle", "") +
                      service("fresh", "", true));
  RunResult reread = inst.dkm({"reread"});
  INFO(reread.output);
  CHECK(reread.output == "change: changed\nfresh: available\ngone: disappeared\n");
  CHECK(inst.status().count("fresh") == 0);  // reread applies nothing
  RunResult update = inst.dkm({"update"});
  INFO(update.output);
  REQUIRE(update.exit_code == 0);
  CHECK(update.output ==
        "gone: stopped\ngone: removed process group\nchange: stopped\nchange: updated process group\n"
        "fresh: added process group\n");

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

  // Nothing changed: nothing happens, and update says nothing (as supervisorctl).
  RunResult again = inst.dkm({"update"});
  CHECK(again.exit_code == 0);
  CHECK(again.output.empty());
  CHECK(inst.dkm({"reread"}).output == "No config updates to processes\n");
  CHECK(inst.status()["keep"].pid == before["keep"].pid);
}

TEST_CASE("update, reread and reload with a bad services file change nothing", "[dkm][reload]") {
  DkmInstall inst(service("keep", ""));
  REQUIRE(inst.dkm({"start", "keep"}).exit_code == 0);
  long pid = inst.status()["keep"].pid;
  inst.write_services(service("keep", "") + "[program:broken]\ncommand = /bin/true\nstartsecs = soon\n");
  for (const char* command : {"update", "reread", "reload"}) {
    RunResult r = inst.dkm({command});
    INFO(command << ": " << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("services.ini:") != std::string::npos);
    CHECK(r.output.find("startsecs") != std::string::npos);
    CHECK(r.output.find("nothing changed") != std::string::npos);
  }
  CHECK(inst.status().count("broken") == 0);
  CHECK(inst.status()["keep"].pid == pid);
}

TEST_CASE("reload restarts every service that ran from the new file, and the autostart ones", "[dkm][reload]") {
  DkmInstall inst(service("ran", "") + service("idle", "") + service("gone", ""));
  REQUIRE(inst.dkm({"start", "ran", "gone"}).exit_code == 0);
  auto before = inst.status();
  inst.write_services(service("ran", " 3600") + service("idle", "") + service("auto", "", true));
  RunResult r = inst.dkm({"reload"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output == "Restarted supervisord\n");
  StatusLine ran = inst.wait_for_state("ran", "RUNNING");
  CHECK(ran.pid != before["ran"].pid);
  CHECK(dkm::read_proc_file("/proc/" + std::to_string(ran.pid) + "/cmdline").find("3600") != std::string::npos);
  CHECK(inst.wait_for_state("auto", "RUNNING").pid > 0);
  auto after = inst.status();
  CHECK(after.count("gone") == 0);
  CHECK_FALSE(dkm::process_alive(static_cast<pid_t>(before["gone"].pid)));
  CHECK(after["idle"].state == "STOPPED");
}
