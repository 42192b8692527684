// supervise/state_machine, reload: a new services file applied to running services. Only
// what changed is touched: added services are added (started when autostart), removed
// ones stopped and dropped, changed ones restarted with their new definition.
#include <catch2/catch.hpp>

#include "fake_supervisor_world.hpp"

using namespace dkm;
using namespace dkm::supervise;
using namespace dkm::test;
using namespace std::chrono_literals;

namespace {

ServicesFile file_of(const std::vector<ProgramConfig>& programs) {
  ServicesFile f;
  for (const auto& p : programs) f.programs.emplace(p.name, p);
  return f;
}

}  // namespace

TEST_CASE("reload adds, changes and removes only what differs", "[reload]") {
  SupervisorWorld w;
  auto same = program("same"), changed = program("changed"), gone = program("gone"), idle = program("idle");
  idle.autostart = false;
  w.add({same, changed, gone, idle});
  w.machine.start_autostart();
  w.machine.settle();
  w.advance(5s);
  pid_t same_pid = w.pid("same");

  auto changed_now = changed;
  changed_now.command = {"/srv/bin/changed", "--new"};
  auto idle_now = idle;
  idle_now.stopwaitsecs = 30;
  auto added = program("added"), added_idle = program("added-idle");
  added_idle.autostart = false;
  ReloadResult r = w.machine.reload(file_of({same, changed_now, idle_now, added, added_idle}));
  w.machine.settle();
  CHECK(r.added == std::vector<std::string>{"added", "added-idle"});
  CHECK(r.changed == std::vector<std::string>{"changed", "idle"});
  CHECK(r.removed == std::vector<std::string>{"gone"});
  CHECK(reload_summary(r) == "added added, added-idle; changed changed, idle; removed gone");

  CHECK(w.pid("same") == same_pid);
  CHECK(w.state("same") == ServiceState::kRunning);
  CHECK(w.state("added") == ServiceState::kStarting);
  CHECK(w.state("added-idle") == ServiceState::kStopped);
  CHECK(w.machine.find("idle")->cfg.stopwaitsecs == 30);  // not running: takes it at once
  CHECK(w.state("changed") == ServiceState::kStopping);
  CHECK(w.machine.find("changed")->cfg.command.size() == 1);  // the old definition until it stops
  CHECK(w.state("gone") == ServiceState::kStopping);
  CHECK(w.machine.reload_pending("gone"));

  w.exit("changed", killed_by(SIGTERM));
  CHECK(w.state("changed") == ServiceState::kStarting);
  CHECK(w.machine.find("changed")->cfg.command.back() == "--new");
  w.exit("gone", killed_by(SIGTERM));
  CHECK(w.machine.find("gone") == nullptr);
  CHECK(w.processes.forgotten == std::vector<std::string>{"gone"});
  CHECK(w.log.has("removed: 'gone'"));
  CHECK_FALSE(w.machine.reload_pending("gone"));
}

TEST_CASE("a service removed while stopped is dropped at once, and the same file again changes nothing", "[reload]") {
  SupervisorWorld w;
  auto kept = program("kept"), old = program("old");
  old.autostart = false;
  w.add({kept, old});
  ReloadResult r = w.machine.reload(file_of({kept}));
  w.machine.settle();
  CHECK(r.removed == std::vector<std::string>{"old"});
  CHECK(w.machine.find("old") == nullptr);
  ReloadResult again = w.machine.reload(file_of({kept}));
  CHECK(again.added.empty());
  CHECK(again.changed.empty());
  CHECK(again.removed.empty());
  std::vector<std::string> unknown;
  w.machine.select({"old"}, unknown);
  CHECK(unknown == std::vector<std::string>{"old"});
}

TEST_CASE("a service added back while its old self still stops waits for the next reload", "[reload]") {
  SupervisorWorld w;
  auto web = program("web");
  w.add({web});
  w.start();
  w.advance(5s);
  w.machine.reload(file_of({}));
  w.machine.settle();
  REQUIRE(w.state("web") == ServiceState::kStopping);
  ReloadResult r = w.machine.reload(file_of({web}));
  CHECK(r.added.empty());
  w.exit("web", killed_by(SIGTERM));
  CHECK(w.machine.find("web") == nullptr);
  r = w.machine.reload(file_of({web}));
  CHECK(r.added == std::vector<std::string>{"web"});
}
