// One service's lifecycle: spawn, readiness, backoff, exits, stop and its escalation.
#include "state_machine.hpp"

#include "config_values.hpp"
#include "namespecs.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <csignal>

namespace dkm::supervise {

namespace {

using namespace std::chrono_literals;

/// "exit status 3" or "terminated by SIGKILL", as supervisord says it.
std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) return "terminated by SIG" + signal_name(WTERMSIG(status));
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

/// True when the exit is one `exitcodes` lists.
bool expected_exit(const ProgramConfig& cfg, int status) {
  return WIFEXITED(status) &&
         std::find(cfg.exitcodes.begin(), cfg.exitcodes.end(), WEXITSTATUS(status)) != cfg.exitcodes.end();
}

}  // namespace

StateMachine::StateMachine(Processes& processes, Timers& timers, Probes& probes, EventLog& log)
    : processes_(processes), timers_(timers), probes_(probes), log_(log) {}

void StateMachine::add(const ProgramConfig& cfg) {
  auto s = std::make_unique<Service>();
  s->cfg = cfg;
  services_.emplace(cfg.name, std::move(s));
}

void StateMachine::set_state(Service& s, ServiceState state) {
  if (s.state == state) return;
  s.state = state;
  s.since = timers_.wall_clock();
  if (state == ServiceState::kStopped) s.detail.clear();  // why it last exited no longer applies
  // STARTING and RUNNING have their own lines (spawned:, success:), STOPPING its "waiting for".
  if (state != ServiceState::kStopping && state != ServiceState::kStarting && state != ServiceState::kRunning)
    log_.info("'" + s.cfg.name + "' entered " + state_name(state) + " state");
}

void StateMachine::spawn(Service& s) {
  timers_.cancel(s.timer);
  s.timer = 0;
  s.detail.clear();
  s.probe_attempts = 0;
  pid_t pid = 0;
  try {
    pid = processes_.spawn(s.cfg);
  } catch (const Error& e) {
    s.detail = e.what();  // supervisord shows its spawn error as it is
    log_.error("spawn error: '" + s.cfg.name + "': " + e.what());
    s.state = ServiceState::kStarting;  // a failed attempt counts as a start that failed
    start_failed(s);
    return;
  }
  s.pid = s.pgid = pid;
  s.started = timers_.now();
  leaders_[pid] = &s;
  set_state(s, ServiceState::kStarting);
  log_.info("spawned: '" + s.cfg.name + "' with pid " + std::to_string(pid));
  if (s.cfg.ready.kind != ReadyProbe::Kind::kNone) {
    schedule_probe(s, kFirstProbeDelay);
  } else if (s.cfg.startsecs == 0) {
    became_running(s, "startsecs is 0");
  } else {
    s.timer = timers_.after(std::chrono::seconds(s.cfg.startsecs), [this, &s, pid] {
      s.timer = 0;
      if (s.pid == pid && s.state == ServiceState::kStarting)
        became_running(s, "process has stayed up for > than " + std::to_string(s.cfg.startsecs) + " seconds (startsecs)");
    });
  }
}

void StateMachine::became_running(Service& s, const std::string& why) {
  stop_probe(s);
  timers_.cancel(s.timer);
  s.timer = 0;
  s.backoff = 0;
  s.detail.clear();
  set_state(s, ServiceState::kRunning);
  log_.info("success: '" + s.cfg.name + "' is RUNNING, " + why);
}

void StateMachine::start_failed(Service& s) {
  ++s.backoff;
  if (s.detail.empty()) s.detail = "Exited too quickly (process log may have details)";
  if (s.backoff > s.cfg.startretries) {
    set_state(s, ServiceState::kFatal);
    log_.info("gave up: '" + s.cfg.name + "' entered FATAL state, too many start retries too quickly");
    return;
  }
  set_state(s, ServiceState::kBackoff);
  int delay = std::min(1 << std::min(s.backoff - 1, 6), kMaxBackoffSeconds);
  s.timer = timers_.after(std::chrono::seconds(delay), [this, &s] {
    s.timer = 0;
    if (s.state == ServiceState::kBackoff) spawn(s);
  });
}

void StateMachine::kill_leftover_group(Service& s) {
  if (s.cfg.killasgroup && processes_.group_alive(s.pgid)) {
    log_.info("killing what is left of '" + s.cfg.name + "' (process group " + std::to_string(s.pgid) + ")");
    processes_.signal(s.pgid, SIGKILL, true);
  }
}

bool StateMachine::process_exited(pid_t pid, int status) {
  auto it = leaders_.find(pid);
  if (it == leaders_.end()) return false;
  Service& s = *it->second;
  leaders_.erase(it);
  exited(s, status);
  return true;
}

void StateMachine::exited(Service& s, int status) {
  processes_.reaped(s.cfg);
  s.pid = 0;
  stop_probe(s);
  std::string how = describe_exit(status);
  switch (s.state) {
    case ServiceState::kStopping:
      log_.info("stopped: '" + s.cfg.name + "' (" + how + ")");
      if ((s.cfg.stopasgroup || s.cfg.killasgroup) && processes_.group_alive(s.pgid)) {
        s.group_pending = true;         // the stop deadline still stands for the rest of the group
        if (s.timer == 0) kill_now(s);  // the deadline has passed already
        return;
      }
      finish_stop(s);
      return;
    case ServiceState::kStarting:
      log_.info("exited: '" + s.cfg.name + "' (" + how + "; not expected)");
      timers_.cancel(s.timer);
      s.timer = 0;
      kill_leftover_group(s);
      s.detail.clear();
      start_failed(s);
      return;
    case ServiceState::kRunning:
      exited_while_running(s, how, expected_exit(s.cfg, status));
      return;
    default:
      log_.warn("'" + s.cfg.name + "' exited in state " + state_name(s.state) + " (" + how + ")");
      return;
  }
}

void StateMachine::exited_while_running(Service& s, const std::string& how, bool expected) {
  log_.info("exited: '" + s.cfg.name + "' (" + how + "; " + (expected ? "expected" : "not expected") + ")");
  kill_leftover_group(s);
  // Once RUNNING, any exit is an exit, however soon (supervisord): startsecs = 0 runs once.
  set_state(s, ServiceState::kExited);
  s.detail = how;
  bool restart = s.cfg.autorestart == AutoRestart::kTrue || (s.cfg.autorestart == AutoRestart::kUnexpected && !expected);
  if (restart && !shutting_down_) spawn(s);
}

void StateMachine::start(Service& s) {
  s.queued = false;  // asked now: it no longer waits in a batch
  switch (s.state) {
    case ServiceState::kStarting:
    case ServiceState::kRunning:
      return;
    case ServiceState::kStopping:
      s.start_after_stop = true;
      return;
    default:
      timers_.cancel(s.timer);
      s.timer = 0;
      s.backoff = 0;
      spawn(s);
  }
}

void StateMachine::stop(Service& s) {
  s.queued = false;  // asked now: it no longer waits in a batch
  switch (s.state) {
    case ServiceState::kStarting:
    case ServiceState::kRunning:
      stop_probe(s);
      timers_.cancel(s.timer);
      set_state(s, ServiceState::kStopping);
      s.group_pending = false;
      s.kill_sent = false;
      log_.info("waiting for '" + s.cfg.name + "' to stop (SIG" + signal_name(s.cfg.stopsignal) + ")");
      processes_.signal(s.pid, s.cfg.stopsignal, s.cfg.stopasgroup);
      if (s.cfg.stopsignal != SIGKILL && s.cfg.stopsignal != SIGCONT) processes_.signal(s.pid, SIGCONT, s.cfg.stopasgroup);
      s.timer = timers_.after(std::chrono::seconds(s.cfg.stopwaitsecs), [this, &s] {
        s.timer = 0;
        kill_now(s);
      });
      return;
    case ServiceState::kBackoff:
      timers_.cancel(s.timer);
      s.timer = 0;
      set_state(s, ServiceState::kStopped);
      follow_up(s);
      return;
    default:
      return;
  }
}

void StateMachine::kill_now(Service& s) {
  if (s.state != ServiceState::kStopping) return;
  if (!s.kill_sent)
    log_.warn("killing '" + s.cfg.name + "' (pid " + std::to_string(s.pgid) + ") with SIGKILL after " +
              std::to_string(s.cfg.stopwaitsecs) + " s");
  s.kill_sent = true;
  if (s.pid) processes_.signal(s.pid, SIGKILL, s.cfg.killasgroup);
  if (s.group_pending || s.cfg.killasgroup) processes_.signal(s.pgid, SIGKILL, true);
  recheck_group(s);
}

void StateMachine::recheck_group(Service& s) {
  // A group member whose parent is not the supervisor dies without a SIGCHLD there: look again now and then.
  timers_.cancel(s.timer);
  s.timer = timers_.after(1s, [this, &s] {
    s.timer = 0;
    if (s.state != ServiceState::kStopping) return;
    if (s.group_pending && !processes_.group_alive(s.pgid)) finish_stop(s);
    else kill_now(s);
  });
}

void StateMachine::finish_stop(Service& s) {
  timers_.cancel(s.timer);
  s.timer = 0;
  s.group_pending = false;
  set_state(s, ServiceState::kStopped);
  follow_up(s);
}

void StateMachine::follow_up(Service& s) {
  if (s.remove_after_stop) {
    s.removed = true;
    return;
  }
  if (s.next_config) {
    s.cfg = std::move(*s.next_config);
    s.next_config.reset();
  }
  if (s.start_after_stop && !shutting_down_) {
    s.start_after_stop = false;
    start(s);
  }
  s.start_after_stop = false;
}

void StateMachine::check_groups() {
  for (auto& [name, s] : services_)
    if (s->group_pending && !processes_.group_alive(s->pgid)) finish_stop(*s);
}

// ---- readiness ----------------------------------------------------------------------------

void StateMachine::schedule_probe(Service& s, Clock::duration delay) {
  timers_.cancel(s.probe_timer);
  s.probe_timer = timers_.after(delay, [this, &s] {
    s.probe_timer = 0;
    probe_once(s);
  });
}

void StateMachine::probe_again(Service& s) {
  if (s.state != ServiceState::kStarting) return;
  int n = std::min(s.probe_attempts, 8);
  // A port is cheap to try: every 40 ms at most, so `dkm start` answers soon after it opens.
  auto delay = s.cfg.ready.kind == ReadyProbe::Kind::kTcp ? std::min<Clock::duration>(10ms * (1 << n), 40ms)
                                                          : std::min<Clock::duration>(100ms * (1 << n), 1000ms);
  schedule_probe(s, delay);
}

void StateMachine::probe_once(Service& s) {
  if (s.state != ServiceState::kStarting) return;
  ++s.probe_attempts;
  probes_.attempt(s.cfg);
}

void StateMachine::probe_finished(const std::string& name, bool ready) {
  auto it = services_.find(name);
  if (it == services_.end()) return;
  Service& s = *it->second;
  if (s.state != ServiceState::kStarting) return;
  if (!ready) {
    probe_again(s);
    return;
  }
  bool tcp = s.cfg.ready.kind == ReadyProbe::Kind::kTcp;
  became_running(s, "ready: " + s.cfg.ready.text + (tcp ? " answers" : " succeeded"));
}

void StateMachine::stop_probe(Service& s) {
  timers_.cancel(s.probe_timer);
  s.probe_timer = 0;
  probes_.abandon(s.cfg.name);
}

// ---- questions ----------------------------------------------------------------------------

const Service* StateMachine::find(const std::string& name) const {
  auto it = services_.find(name);
  return it == services_.end() ? nullptr : it->second.get();
}

bool StateMachine::start_settled(const std::string& name) const {
  const Service* s = find(name);
  if (!s || s->removed) return true;
  if (s->queued) return false;
  if (s->state == ServiceState::kRunning || s->state == ServiceState::kFatal || s->state == ServiceState::kStopped)
    return true;
  if (s->state == ServiceState::kExited) return !s->pid && s->timer == 0;
  return false;
}

bool StateMachine::start_turn_over(const std::string& name) const {
  const Service* s = find(name);
  if (s && !s->queued && s->state == ServiceState::kBackoff) return true;
  return start_settled(name);
}

bool StateMachine::stop_settled(const std::string& name) const {
  const Service* s = find(name);
  if (!s) return true;
  return !s->queued && is_stopped_state(s->state) && !s->group_pending;
}

bool StateMachine::reload_pending(const std::string& name) const {
  const Service* s = find(name);
  return s && (s->state == ServiceState::kStopping || s->removed);
}

bool StateMachine::all_stopped() const {
  for (const auto& [name, s] : services_)
    if (!is_stopped_state(s->state) || s->group_pending) return false;
  return true;
}

std::vector<std::string> StateMachine::names() const {
  std::vector<std::string> out;
  for (const auto& [name, s] : services_) out.push_back(name);
  return out;
}

ServiceStatus StateMachine::status(const Service& s) const {
  ServiceStatus st;
  st.name = process_of(s.cfg);
  st.group = group_of(s.cfg);
  st.state = s.state;
  st.pid = s.pid;
  if (s.pid) st.uptime = std::chrono::duration<double>(timers_.now() - s.started).count();
  st.since = s.since;
  st.detail = s.detail;
  if (s.state == ServiceState::kStarting && s.cfg.ready.kind != ReadyProbe::Kind::kNone)
    st.detail = "waiting for " + s.cfg.ready.text;
  if (s.queued && !is_active_state(s.state)) st.detail = "queued: starts once the services of lower priority are up";
  st.stdout_log = s.cfg.stdout_log.path.string();
  st.stderr_log = s.cfg.redirect_stderr ? st.stdout_log : s.cfg.stderr_log.path.string();
  return st;
}

}  // namespace dkm::supervise
