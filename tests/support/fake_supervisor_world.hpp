#pragma once
// TEST DOUBLES for the supervisor's state machine (libdkm/src/supervise/seams.hpp), the
// way ninja's build_test.cc fakes its CommandRunner: processes that start and end when the
// test says, a clock that moves when the test says, probes that answer when the test
// says, and a log that keeps its lines. Nothing here forks, sleeps or opens a socket.

#include "supervise/state_machine.hpp"
#include "supervise/timer_queue.hpp"

#include <dkm/core/error.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dkm::test {

using supervise::Clock;

/// The wait status of a process that exited with `code`.
inline int exited_with(int code) { return (code & 0xff) << 8; }
/// The wait status of a process killed by `signal`.
inline int killed_by(int signal) { return signal & 0x7f; }

/// Processes that exist only in this object.
class FakeProcesses : public supervise::Processes {
 public:
  /// A signal as the machine sent it.
  struct Signal {
    pid_t pid;
    int signal;
    bool group;
    bool operator==(const Signal&) const = default;
  };

  pid_t spawn(const supervise::ProgramConfig& cfg) override {
    if (unstartable.count(cfg.name)) throw Error("can't find command '" + cfg.command.front() + "' in PATH");
    pid_t pid = next_pid_++;
    spawned.push_back(cfg.name);
    live_groups.insert(pid);
    return pid;
  }
  void reaped(const supervise::ProgramConfig& cfg) override { reaped_names.push_back(cfg.name); }
  void forget(const std::string& name) override { forgotten.push_back(name); }
  void signal(pid_t pid, int sig, bool group) override { signals.push_back({pid, sig, group}); }
  bool group_alive(pid_t pgid) override { return live_groups.count(pgid) > 0; }
  std::optional<supervise::CommandProblem> command_problem(const supervise::ProgramConfig& cfg) override {
    auto it = problems.find(cfg.name);
    if (it == problems.end()) return std::nullopt;
    return it->second;
  }
  bool clear_logs(const supervise::ProgramConfig& cfg) override {
    cleared.push_back(cfg.name);
    return !uncleared.count(cfg.name);
  }
  bool write_stdin(const std::string& name, std::string_view data) override {
    if (closed_stdin.count(name)) return false;
    stdin_data[name] += std::string(data);
    return true;
  }

  /// How many times `name` was spawned.
  long spawns(const std::string& name) const { return std::count(spawned.begin(), spawned.end(), name); }

  std::set<std::string> unstartable;      ///< services whose spawn fails
  std::vector<std::string> spawned;       ///< every spawn, in order
  std::vector<std::string> reaped_names;  ///< every reaped main process's service
  std::vector<std::string> forgotten;     ///< services dropped by a reload
  std::vector<Signal> signals;            ///< every signal sent
  std::set<pid_t> live_groups;            ///< process groups with a member left
  std::map<std::string, supervise::CommandProblem> problems;  ///< services whose command cannot run
  std::vector<std::string> cleared;       ///< every clear_logs, in order
  std::set<std::string> uncleared;        ///< services whose logs cannot be cleared
  std::map<std::string, std::string> stdin_data;  ///< what each service's standard input got
  std::set<std::string> closed_stdin;     ///< services whose standard input is closed

 private:
  pid_t next_pid_ = 100;
};

/// A clock that moves only when told, with the real timer queue.
class FakeTimers : public supervise::Timers {
 public:
  Clock::time_point now() const override { return now_; }
  std::int64_t wall_clock() const override { return 1'700'000'000 + std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count(); }
  supervise::TimerId after(Clock::duration delay, std::function<void()> callback) override {
    return queue_.add(now_ + delay, std::move(callback));
  }
  void cancel(supervise::TimerId id) override { queue_.cancel(id); }

  /// Moves the clock by `delay`, firing each timer at its own deadline, earliest first;
  /// `after_each` runs after every timer (as the event loop settles after each round).
  void advance(Clock::duration delay, const std::function<void()>& after_each) {
    const Clock::time_point until = now_ + delay;
    while (auto next = queue_.next_deadline()) {
      if (*next > until) break;
      now_ = *next;
      queue_.run_next(now_);
      after_each();
    }
    now_ = until;
  }
  /// Pending timers.
  std::size_t pending() const { return queue_.size(); }

 private:
  Clock::time_point now_{};
  supervise::TimerQueue queue_;
};

/// Probes whose outcome the test gives.
class FakeProbes : public supervise::Probes {
 public:
  void attempt(const supervise::ProgramConfig& cfg) override { attempts.push_back(cfg.name); }
  void abandon(const std::string& name) override { abandoned.push_back(name); }
  bool idle() const override { return true; }

  /// How many attempts `name` had.
  long attempts_of(const std::string& name) const { return std::count(attempts.begin(), attempts.end(), name); }

  std::vector<std::string> attempts;   ///< every attempt, in order
  std::vector<std::string> abandoned;  ///< every abandon
};

/// A log that keeps its lines ("INFO spawned: 'web' with pid 100").
class RecordingLog : public supervise::EventLog {
 public:
  void info(std::string_view m) override { lines.push_back("INFO " + std::string(m)); }
  void warn(std::string_view m) override { lines.push_back("WARN " + std::string(m)); }
  void error(std::string_view m) override { lines.push_back("ERRO " + std::string(m)); }
  /// True when a line holds `text`.
  bool has(const std::string& text) const {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
  }
  std::vector<std::string> lines;
};

/// A program definition with the services file's defaults (a group of one, named as it).
inline supervise::ProgramConfig program(const std::string& name, int priority = 999) {
  supervise::ProgramConfig cfg;
  cfg.name = cfg.group = cfg.process_name = name;
  cfg.command = {"/srv/bin/" + name};
  cfg.command_text = cfg.command.front();
  cfg.priority = cfg.group_priority = priority;
  return cfg;
}

/// Process `process` of group `group` (a [group:GROUP] program, or one of numprocs), GROUP:PROCESS.
inline supervise::ProgramConfig member(const std::string& group, const std::string& process, int priority = 999,
                                       int group_priority = 999) {
  supervise::ProgramConfig cfg = program(process, priority);
  cfg.name = group + ":" + process;
  cfg.group = group;
  cfg.group_priority = group_priority;
  return cfg;
}

/// A `ready = tcp:127.0.0.1:PORT` probe.
inline supervise::ReadyProbe tcp_probe(int port) {
  supervise::ReadyProbe p;
  p.kind = supervise::ReadyProbe::Kind::kTcp;
  p.host = "127.0.0.1";
  p.port = port;
  p.text = "tcp:127.0.0.1:" + std::to_string(port);
  return p;
}

/// The state machine among fakes, driven as the event loop drives it.
struct SupervisorWorld {
  FakeProcesses processes;
  FakeTimers timers;
  FakeProbes probes;
  RecordingLog log;
  supervise::StateMachine machine{processes, timers, probes, log};

  /// Adds services.
  void add(const std::vector<supervise::ProgramConfig>& programs) {
    for (const auto& p : programs) machine.add(p);
  }
  /// Moves the clock; the machine settles after every timer.
  void advance(Clock::duration delay) {
    timers.advance(delay, [this] { machine.settle(); });
  }
  /// The main process of `name` ends with wait status `status`; its group goes too unless `group_stays`.
  void exit(const std::string& name, int status, bool group_stays = false) {
    pid_t pid = machine.find(name)->pid;
    REQUIRE(pid > 0);
    if (!group_stays) processes.live_groups.erase(machine.find(name)->pgid);
    REQUIRE(machine.process_exited(pid, status));
    machine.check_groups();
    machine.settle();
  }
  /// The probe of `name` answers (or not).
  void probe(const std::string& name, bool ready) {
    machine.probe_finished(name, ready);
    machine.settle();
  }
  /// Starts `names` (none: all) as `dkm start` does.
  void start(const std::vector<std::string>& names = {}) {
    std::vector<std::string> unknown;
    machine.start_by_priority(machine.select(names, unknown), false);
    machine.settle();
  }
  /// Stops `names` (none: all) as `dkm stop NAME...` does; the longest the stop may take.
  std::chrono::seconds stop(const std::vector<std::string>& names = {}) {
    std::vector<std::string> unknown;
    auto longest = machine.stop_by_priority(machine.select(names, unknown));
    machine.settle();
    return longest;
  }
  /// The state of `name`.
  supervise::ServiceState state(const std::string& name) const { return machine.find(name)->state; }
  /// The pid of `name` (0 when none).
  pid_t pid(const std::string& name) const { return machine.find(name)->pid; }
};

}  // namespace dkm::test
