// The SysV init script written by install-boot, run as root the way init runs it:
// it starts the real dkm as an unprivileged account made for the test, reports
// status, restarts and stops it, and leaves no process behind.
#include <catch2/catch.hpp>

#include "dkmadmin_support.hpp"

#include <fstream>

using namespace dkm;
using namespace dkm::test;

namespace {

/// The uid a process runs as (its real uid, from /proc/PID/status).
uid_t uid_of(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Uid:", 0) == 0) return static_cast<uid_t>(std::stoul(line.substr(4)));
  return static_cast<uid_t>(-1);
}

/// The supervisor's pid from DIR/run/dkm.pid, 0 when there is none.
pid_t supervisor_pid(const dkm::InstallLayout& layout) {
  std::error_code ec;
  if (!fs::exists(layout.supervisor_pid_file(), ec)) return 0;
  return static_cast<pid_t>(std::stol(std::string(trim(read_file(layout.supervisor_pid_file())))));
}

/// Runs the init script with `action` in the empty environment init gives it.
RunResult init_script(const fs::path& script, const std::string& action) {
  return run({"env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", script.string(), action});
}

}  // namespace

TEST_CASE("the SysV script starts dkm as the install's owner, reports status and stops it with nothing left",
          "[dkmadmin][sysv][live]") {
  REQUIRE(::geteuid() == 0);
  TestAccount account;
  TempDir dir;
  open_up(dir.path());
  auto layout = make_install(dir.path() / "inst", account.uid());
  fs::path root = dir.path() / "root";
  fs::create_directories(root);

  // Run as DIR/bin/dkmadmin, the link into the bundle: that alone tells it which install.
  RunOptions no_home;
  no_home.unset_env = {"DKM_HOME"};
  auto installed = run({(layout.bin() / "dkmadmin").string(), "install-boot", "--root", root.string(), "--init", "sysv",
                        "--name", "live"},
                       no_home);
  INFO(installed.output);
  REQUIRE(installed.ok());
  fs::path script = root / "etc/init.d/dkumonitor.live";
  CHECK_THAT(read_file(script), Catch::Contains("\nDKM_USER=" + account.name() + "\n"));
  CHECK_THAT(read_file(script), Catch::Contains("\nDKM_HOME=" + layout.root().string() + "\n"));

  auto started = init_script(script, "start");
  INFO("start: " << started.output);
  REQUIRE(started.ok());
  pid_t supervisor = supervisor_pid(layout);
  REQUIRE(supervisor > 0);
  CHECK(uid_of(supervisor) == account.uid());
  auto own = processes_of(account.uid());
  CHECK(own.size() >= 2);  // the supervisor and collectd

  auto status = init_script(script, "status");
  INFO("status: " << status.output);
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.output, Catch::Contains("collectd") && Catch::Contains("RUNNING"));

  auto restarted = init_script(script, "restart");
  INFO("restart: " << restarted.output);
  CHECK(restarted.ok());
  pid_t second = supervisor_pid(layout);
  CHECK(second > 0);
  CHECK(second != supervisor);
  CHECK(uid_of(second) == account.uid());

  auto stopped = init_script(script, "stop");
  INFO("stop: " << stopped.output);
  CHECK(stopped.ok());
  CHECK(wait_until([&] { return processes_of(account.uid()).empty(); }, std::chrono::seconds(2)));
  auto after = init_script(script, "status");
  CHECK(after.exit_code == 3);
  // Stopping what is stopped is not an error (LSB).
  CHECK(init_script(script, "stop").ok());
  CHECK(processes_of(account.uid()).empty());
}
