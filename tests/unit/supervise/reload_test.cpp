// supervise/state_machine, reload.cpp: a new services file applied to running services.
// update touches only what changed: added services are added (started when autostart),
// removed ones stopped and dropped, changed ones restarted with their new definition.
// reread's diff, add and remove of a group, and reload (everything stopped, then started
// again from the new file).
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

TEST_CASE("update adds, changes and removes only what differs", "[reload]") {
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
  ReloadResult r = w.machine.update(file_of({same, changed_now, idle_now, added, added_idle}));
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
  ReloadResult r = w.machine.update(file_of({kept}));
  w.machine.settle();
  CHECK(r.removed == std::vector<std::string>{"old"});
  CHECK(w.machine.find("old") == nullptr);
  ReloadResult again = w.machine.update(file_of({kept}));
  CHECK(again.added.empty());
  CHECK(again.changed.empty());
  CHECK(again.removed.empty());
  std::vector<std::string> unknown;
  w.machine.select({"old"}, unknown);
  CHECK(unknown == std::vector<std::string>{"old"});
}

TEST_CASE("a service added back while its old self still stops waits for the next update", "[reload]") {
  SupervisorWorld w;
  auto web = program("web");
  w.add({web});
  w.start();
  w.advance(5s);
  w.machine.update(file_of({}));
  w.machine.settle();
  REQUIRE(w.state("web") == ServiceState::kStopping);
  ReloadResult r = w.machine.update(file_of({web}));
  CHECK(r.added.empty());
  w.exit("web", killed_by(SIGTERM));
  CHECK(w.machine.find("web") == nullptr);
  r = w.machine.update(file_of({web}));
  CHECK(r.added == std::vector<std::string>{"web"});
}

TEST_CASE("reread's diff names groups added, changed and gone, and applies nothing", "[reload]") {
  SupervisorWorld w;
  auto keep = program("keep"), change = program("change"), drop = program("drop");
  w.add({keep, change, drop});
  auto changed = change;
  changed.command.push_back("v2");
  ReloadResult r = w.machine.diff(file_of({keep, changed, program("fresh")}));
  CHECK(r.added == std::vector<std::string>{"fresh"});
  CHECK(r.changed == std::vector<std::string>{"change"});
  CHECK(r.removed == std::vector<std::string>{"drop"});
  CHECK(w.machine.find("fresh") == nullptr);
  CHECK(w.machine.find("change")->cfg.command.size() == 1);
}

TEST_CASE("add takes a group of the file read last, remove drops a stopped one only", "[reload]") {
  SupervisorWorld w;
  auto a = program("a"), c = program("c");
  c.startsecs = 0;
  w.add({a});
  w.start();
  ServicesFile file = file_of({a, c});
  CHECK(w.machine.add_group(file, "c") == Fault::kSuccess);
  w.machine.settle();
  CHECK(w.state("c") == ServiceState::kRunning);  // autostart
  CHECK(w.machine.add_group(file, "c") == Fault::kAlreadyAdded);
  CHECK(w.machine.add_group(file, "nosuch") == Fault::kBadName);
  CHECK(w.machine.remove_group("a") == Fault::kStillRunning);
  CHECK(w.machine.remove_group("nosuch") == Fault::kBadName);
  w.stop({"a"});
  w.exit("a", killed_by(SIGTERM));
  CHECK(w.machine.remove_group("a") == Fault::kSuccess);
  w.machine.settle();
  CHECK(w.machine.find("a") == nullptr);
  CHECK_FALSE(w.machine.group_in_use("a"));
  CHECK(w.machine.add_group(file, "a") == Fault::kSuccess);  // back from the file
}

TEST_CASE("reload stops everything, then takes the new file and starts autostart services and those that ran", "[reload]") {
  SupervisorWorld w;
  auto a = program("a"), b = program("b"), manual = program("manual"), idle = program("idle");
  manual.autostart = false;
  idle.autostart = false;
  w.add({a, b, manual, idle});
  w.machine.start_autostart();
  w.start({"manual"});
  w.advance(5s);
  pid_t before = w.pid("a");
  auto c = program("c");
  w.machine.restart_all(file_of({a, manual, idle, c}));
  w.machine.settle();
  CHECK(w.machine.restarting());
  CHECK(w.state("a") == ServiceState::kStopping);
  w.exit("a", killed_by(SIGTERM));
  w.exit("b", killed_by(SIGTERM));
  CHECK(w.machine.restarting());  // manual still stops
  w.exit("manual", killed_by(SIGTERM));
  CHECK_FALSE(w.machine.restarting());
  CHECK(w.machine.find("b") == nullptr);
  CHECK(w.state("a") == ServiceState::kStarting);
  CHECK(w.pid("a") != before);
  CHECK(w.state("c") == ServiceState::kStarting);
  CHECK(w.state("manual") == ServiceState::kStarting);  // it ran before
  CHECK(w.state("idle") == ServiceState::kStopped);
}

TEST_CASE("a shutdown during a reload starts nothing again", "[reload]") {
  SupervisorWorld w;
  w.add({program("a")});
  w.start();
  w.advance(5s);
  w.machine.restart_all(file_of({program("a")}));
  w.machine.shutdown();
  w.exit("a", killed_by(SIGTERM));
  CHECK_FALSE(w.machine.restarting());
  CHECK(w.state("a") == ServiceState::kStopped);
  CHECK(w.processes.spawns("a") == 1);
}

TEST_CASE("update works by group: a member added to a group changes the group, the others run on", "[reload]") {
  SupervisorWorld w;
  auto one = member("web", "web_00"), two = member("web", "web_01");
  one.startsecs = two.startsecs = 0;
  w.add({one});
  w.start();
  pid_t first = w.pid("web:web_00");
  ReloadResult diff = w.machine.diff(file_of({one, two}));
  CHECK(diff.changed == std::vector<std::string>{"web"});
  CHECK(diff.added.empty());
  ReloadResult r = w.machine.update(file_of({one, two}), {"web"});
  w.machine.settle();
  CHECK(r.changed == std::vector<std::string>{"web"});
  CHECK(w.state("web:web_01") == ServiceState::kRunning);  // autostart
  CHECK(w.pid("web:web_00") == first);                     // unchanged: not touched
  CHECK(w.machine.update(file_of({one}), {"other"}).changed.empty());  // another group: nothing
  CHECK(w.machine.find("web:web_01") != nullptr);
  CHECK(w.machine.remove_group("web") == Fault::kStillRunning);
}
