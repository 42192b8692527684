// The supervisor's event loop: services, their processes, probes, logs and the control socket.
#include <dkm/supervise/supervisor.hpp>

#include <dkm/core/strings.hpp>
#include <dkm/supervise/control_protocol.hpp>
#include <dkm/supervise/event_loop.hpp>
#include <dkm/supervise/leftovers.hpp>
#include <dkm/core/proc_info.hpp>
#include <dkm/supervise/rotating_log.hpp>
#include <dkm/supervise/service_spawn.hpp>
#include <dkm/supervise/service_state.hpp>
#include <dkm/supervise/tcp_probe.hpp>

#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <list>
#include <optional>

namespace dkm::supervise {

namespace {

using namespace std::chrono_literals;

/// A service that ran less than this and exited counts as a failed start (no hot restart loop).
constexpr auto kMinRunTime = 1s;
/// Connections the supervisor serves at once; more are closed at once.
constexpr std::size_t kMaxConnections = 64;
/// A connection must send its request within this time.
constexpr auto kRequestDeadline = 5s;
/// Longest wait between two start attempts.
constexpr int kMaxBackoffSeconds = 60;
/// Time a probe command may run before it counts as failed.
constexpr auto kProbeCommandTimeout = 10s;
/// Time a TCP probe's connect may take.
constexpr auto kProbeConnectTimeout = 1s;

std::int64_t epoch_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) return "terminated by SIG" + signal_name(WTERMSIG(status));
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

/// The last `count` lines of a file (its last 8 KiB at most).
std::string file_tail(const fs::path& path, std::size_t count) {
  if (path.empty()) return {};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  off_t size = ::lseek(fd, 0, SEEK_END);
  off_t start = size > 8192 ? size - 8192 : 0;
  std::string text(static_cast<std::size_t>(size - start), '\0');
  ssize_t n = ::pread(fd, text.data(), text.size(), start);
  ::close(fd);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return last_lines(text, count);
}

struct Service {
  ProgramConfig cfg;
  ServiceState state = ServiceState::kStopped;
  pid_t pid = 0;    ///< the live main process, 0 when none
  pid_t pgid = 0;   ///< the group of the last spawn (outlives the main process while members remain)
  Clock::time_point started{};
  std::int64_t since = 0;  ///< wall clock of the last state change; 0: never started
  std::string detail;
  int backoff = 0;
  EventLoop::TimerId timer = 0;  ///< startsecs, backoff delay or stop deadline
  bool group_pending = false;    ///< STOPPING: main process gone, group members remain
  bool kill_sent = false;        ///< STOPPING: the stop deadline passed, SIGKILL was sent
  EventLoop::TimerId probe_timer = 0;
  int probe_fd = -1;
  pid_t probe_pid = 0;
  int probe_attempts = 0;
  bool start_after_stop = false;
  bool remove_after_stop = false;
  bool removed = false;
  bool queued = false;  ///< in a batch, waiting for its group's turn to start or stop
  std::optional<ProgramConfig> next_config;
  std::shared_ptr<RotatingLog> out_log, err_log;
};

struct Connection {
  int fd = -1;
  std::string in, out;
  bool request_done = false;
  bool close_after_write = false;
  long refused_uid = -1;  ///< the peer's uid when it is not allowed to give orders
  EventLoop::TimerId timer = 0;
};

/// Services started (lowest priority first) or stopped (highest first) together, in groups
/// of equal priority: a group goes once every service of the group before it has settled.
struct Batch {
  bool stopping = false;
  std::vector<std::vector<std::string>> groups;
  std::size_t next = 1;  ///< the first group not gone yet
};

struct Waiter {
  std::uint64_t conn = 0;
  EventLoop::TimerId timer = 0;
  std::function<bool()> done;
  std::function<std::string(bool timed_out)> reply;
};

}  // namespace

struct Supervisor::Impl {
  InstallLayout layout;
  SupervisorLog& log;
  std::map<std::string, std::string> startup_env;
  std::map<std::string, std::string> base_env;
  fs::path services_path;
  EventLoop loop;
  int listen_fd = -1;
  int signal_fd = -1;
  std::map<std::string, std::unique_ptr<Service>> services;
  std::map<pid_t, Service*> leaders;     ///< main process pid -> service
  std::map<pid_t, Service*> probes;      ///< probe command pid -> service
  std::map<fs::path, std::shared_ptr<RotatingLog>> logs;
  std::map<std::uint64_t, Connection> conns;
  std::uint64_t next_conn = 0;
  std::map<std::uint64_t, Waiter> waiters;
  std::uint64_t next_waiter = 0;
  std::list<Batch> batches;
  bool shutting_down = false;
  bool finished = false;

  Impl(InstallLayout l, SupervisorLog& lg, std::map<std::string, std::string> env, int lfd)
      : layout(std::move(l)), log(lg), startup_env(std::move(env)), listen_fd(lfd) {}

  // ---- services -------------------------------------------------------------------------

  void set_state(Service& s, ServiceState state) {
    if (s.state == state) return;
    s.state = state;
    s.since = epoch_now();
    if (state == ServiceState::kStopped) s.detail.clear();  // why it last exited no longer applies
    if (state != ServiceState::kStopping && state != ServiceState::kStarting)
      log.info("'" + s.cfg.name + "' entered " + state_name(state) + " state");
  }

  std::shared_ptr<RotatingLog> log_for(const LogTarget& target) {
    if (target.path.empty()) return nullptr;
    auto& slot = logs[target.path];
    if (!slot) slot = std::make_shared<RotatingLog>(target);
    return slot;
  }

  std::vector<std::string> child_environment(const Service& s) const {
    auto env = base_env;
    env["SUPERVISOR_ENABLED"] = "1";
    env["SUPERVISOR_PROCESS_NAME"] = s.cfg.name;
    env["SUPERVISOR_GROUP_NAME"] = s.cfg.name;
    env[kServiceMarker] = layout.run().string();
    for (const auto& [k, v] : s.cfg.environment) env[k] = v;
    std::vector<std::string> out;
    out.reserve(env.size());
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
  }

  fs::path pid_file(const Service& s) const { return layout.run() / (s.cfg.name + ".pid"); }

  void watch_output(int fd, std::shared_ptr<RotatingLog> sink) {
    loop.watch(fd, EPOLLIN, [this, fd, sink](std::uint32_t) {
      char buf[65536];
      // A bounded number of reads per wakeup: a chatty service cannot starve the others.
      for (int i = 0; i < 16; ++i) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
          sink->write(std::string_view(buf, static_cast<std::size_t>(n)));
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        loop.unwatch(fd);  // end of output: every writer (grandchildren too) has closed it
        ::close(fd);
        return;
      }
    });
  }

  void spawn(Service& s) {
    loop.cancel(s.timer);
    s.timer = 0;
    s.detail.clear();
    s.probe_attempts = 0;
    SpawnedProcess p;
    try {
      s.out_log = log_for(s.cfg.stdout_log);
      s.err_log = s.cfg.redirect_stderr ? s.out_log : log_for(s.cfg.stderr_log);
      SpawnRequest req;
      req.argv = s.cfg.command;
      req.directory = s.cfg.directory;
      req.env = child_environment(s);
      req.capture_stdout = s.out_log != nullptr;
      req.capture_stderr = s.err_log != nullptr;
      req.redirect_stderr = s.cfg.redirect_stderr;
      p = spawn_in_own_group(req);
    } catch (const Error& e) {
      s.detail = std::string("spawn error: ") + e.what();
      log.error("spawn error: '" + s.cfg.name + "': " + e.what());
      s.state = ServiceState::kStarting;  // a failed attempt counts as a start that failed
      start_failed(s);
      return;
    }
    s.pid = s.pgid = p.pid;
    s.started = Clock::now();
    leaders[p.pid] = &s;
    set_state(s, ServiceState::kStarting);
    if (p.stdout_fd >= 0) watch_output(p.stdout_fd, s.out_log);
    if (p.stderr_fd >= 0) watch_output(p.stderr_fd, s.err_log);
    try {
      write_file_atomic(pid_file(s), std::to_string(p.pid) + "\n");
    } catch (const Error& e) {
      log.warn(e.what());
    }
    log.info("spawned: '" + s.cfg.name + "' with pid " + std::to_string(p.pid));
    if (s.cfg.ready.kind != ReadyProbe::Kind::kNone) {
      schedule_probe(s, 10ms);
    } else if (s.cfg.startsecs == 0) {
      became_running(s, "startsecs is 0");
    } else {
      pid_t pid = p.pid;
      s.timer = loop.after(std::chrono::seconds(s.cfg.startsecs), [this, &s, pid] {
        s.timer = 0;
        if (s.pid == pid && s.state == ServiceState::kStarting)
          became_running(s, "process has stayed up for > than " + std::to_string(s.cfg.startsecs) + " seconds (startsecs)");
      });
    }
  }

  void became_running(Service& s, const std::string& why) {
    stop_probe(s);
    loop.cancel(s.timer);
    s.timer = 0;
    s.backoff = 0;
    s.detail.clear();
    set_state(s, ServiceState::kRunning);
    log.info("success: '" + s.cfg.name + "' is RUNNING, " + why);
  }

  void start_failed(Service& s) {
    ++s.backoff;
    if (s.detail.empty()) s.detail = "Exited too quickly (process log may have details)";
    if (s.backoff > s.cfg.startretries) {
      set_state(s, ServiceState::kFatal);
      log.info("gave up: '" + s.cfg.name + "' entered FATAL state, too many start retries too quickly");
      return;
    }
    set_state(s, ServiceState::kBackoff);
    int delay = 1 << std::min(s.backoff - 1, 6);
    delay = std::min(delay, kMaxBackoffSeconds);
    s.timer = loop.after(std::chrono::seconds(delay), [this, &s] {
      s.timer = 0;
      if (s.state == ServiceState::kBackoff) spawn(s);
    });
  }

  void kill_leftover_group(Service& s) {
    if (s.cfg.killasgroup && group_alive(s.pgid)) {
      log.info("killing what is left of '" + s.cfg.name + "' (process group " + std::to_string(s.pgid) + ")");
      ::kill(-s.pgid, SIGKILL);
    }
  }

  void on_exit(Service& s, int status) {
    leaders.erase(s.pid);
    ::unlink(pid_file(s).c_str());
    s.pid = 0;
    stop_probe(s);
    std::string how = describe_exit(status);
    bool expected = WIFEXITED(status) &&
                    std::find(s.cfg.exitcodes.begin(), s.cfg.exitcodes.end(), WEXITSTATUS(status)) != s.cfg.exitcodes.end();
    switch (s.state) {
      case ServiceState::kStopping:
        log.info("stopped: '" + s.cfg.name + "' (" + how + ")");
        if ((s.cfg.stopasgroup || s.cfg.killasgroup) && group_alive(s.pgid)) {
          s.group_pending = true;  // the stop deadline still stands for the rest of the group
          if (s.timer == 0) kill_now(s);  // the deadline has passed already
          return;
        }
        finish_stop(s);
        return;
      case ServiceState::kStarting:
        log.info("exited: '" + s.cfg.name + "' (" + how + "; not expected)");
        loop.cancel(s.timer);
        s.timer = 0;
        kill_leftover_group(s);
        s.detail.clear();
        start_failed(s);
        return;
      case ServiceState::kRunning: {
        log.info("exited: '" + s.cfg.name + "' (" + how + "; " + (expected ? "expected" : "not expected") + ")");
        kill_leftover_group(s);
        if (Clock::now() - s.started < kMinRunTime) {
          s.detail.clear();
          s.state = ServiceState::kStarting;
          start_failed(s);
          return;
        }
        set_state(s, ServiceState::kExited);
        s.detail = how;
        bool restart = s.cfg.autorestart == AutoRestart::kTrue ||
                       (s.cfg.autorestart == AutoRestart::kUnexpected && !expected);
        if (restart && !shutting_down) spawn(s);
        return;
      }
      default:
        log.warn("'" + s.cfg.name + "' exited in state " + state_name(s.state) + " (" + how + ")");
        return;
    }
  }

  void start(Service& s) {
    s.queued = false;  // asked now: it no longer waits in a batch
    switch (s.state) {
      case ServiceState::kStarting:
      case ServiceState::kRunning:
        return;
      case ServiceState::kStopping:
        s.start_after_stop = true;
        return;
      default:
        loop.cancel(s.timer);
        s.timer = 0;
        s.backoff = 0;
        spawn(s);
    }
  }

  /// The names of `list` in groups of equal priority, lowest first (highest first to stop).
  static std::vector<std::vector<std::string>> priority_groups(std::vector<Service*> list, bool highest_first) {
    std::stable_sort(list.begin(), list.end(), [highest_first](Service* a, Service* b) {
      return highest_first ? a->cfg.priority > b->cfg.priority : a->cfg.priority < b->cfg.priority;
    });
    std::vector<std::vector<std::string>> groups;
    int last = 0;
    for (Service* s : list) {
      if (groups.empty() || s->cfg.priority != last) groups.emplace_back();
      groups.back().push_back(s->cfg.name);
      last = s->cfg.priority;
    }
    return groups;
  }

  /// Starts (restart: stops, then starts) the services group by group of equal priority, lowest
  /// first; a group waits until the one before it is RUNNING or given up, so what a service
  /// sends to (collectd to go-carbon) is listening before it starts.
  void start_by_priority(const std::vector<Service*>& list, bool restart) {
    Batch batch{false, priority_groups(list, false)};
    for (std::size_t g = 0; g < batch.groups.size(); ++g) {
      for (const auto& name : batch.groups[g]) {
        Service& s = *services.at(name);
        bool now = g == 0;
        if (restart && is_active_state(s.state)) {
          s.start_after_stop = now;
          stop(s);
        } else if (now) {
          start(s);
          continue;
        } else if (s.state == ServiceState::kStarting || s.state == ServiceState::kRunning) {
          continue;  // already on its way: nothing to queue
        }
        s.queued = !now;
      }
    }
    if (batch.groups.size() > 1) batches.push_back(std::move(batch));
  }

  /// Stops the services group by group of equal priority, highest first (collectd's last
  /// metrics reach go-carbon before it stops); returns the longest the whole stop may take.
  std::chrono::seconds stop_by_priority(const std::vector<Service*>& list) {
    Batch batch{true, priority_groups(list, true)};
    int longest = 0;
    for (std::size_t g = 0; g < batch.groups.size(); ++g) {
      int group_longest = 0;
      for (const auto& name : batch.groups[g]) {
        Service& s = *services.at(name);
        s.start_after_stop = false;
        group_longest = std::max(group_longest, s.cfg.stopwaitsecs);
        // Only a live process waits for its turn; the rest (BACKOFF, ...) stop at once.
        if (g == 0 || (s.state != ServiceState::kStarting && s.state != ServiceState::kRunning)) stop(s);
        else s.queued = true;
      }
      longest += group_longest;
    }
    if (batch.groups.size() > 1) batches.push_back(std::move(batch));
    return std::chrono::seconds(longest);
  }

  /// Lets the next group of each batch go once its previous group has settled.
  void advance_batches() {
    for (auto b = batches.begin(); b != batches.end();) {
      auto settled = [this, &b](const std::string& n) { return b->stopping ? stop_settled(n) : start_settled(n); };
      while (b->next < b->groups.size() &&
             std::all_of(b->groups[b->next - 1].begin(), b->groups[b->next - 1].end(), settled)) {
        for (const auto& name : b->groups[b->next]) {
          auto it = services.find(name);
          if (it == services.end() || it->second->removed || !it->second->queued) continue;
          it->second->queued = false;
          if (b->stopping) stop(*it->second);
          else start(*it->second);
        }
        ++b->next;
      }
      b = b->next >= b->groups.size() ? batches.erase(b) : std::next(b);
    }
  }

  void stop(Service& s) {
    s.queued = false;  // asked now: it no longer waits in a batch
    switch (s.state) {
      case ServiceState::kStarting:
      case ServiceState::kRunning: {
        stop_probe(s);
        loop.cancel(s.timer);
        set_state(s, ServiceState::kStopping);
        s.group_pending = false;
        s.kill_sent = false;
        log.info("waiting for '" + s.cfg.name + "' to stop (SIG" + signal_name(s.cfg.stopsignal) + ")");
        signal_process(s.pid, s.cfg.stopsignal, s.cfg.stopasgroup);
        if (s.cfg.stopsignal != SIGKILL && s.cfg.stopsignal != SIGCONT) signal_process(s.pid, SIGCONT, s.cfg.stopasgroup);
        s.timer = loop.after(std::chrono::seconds(s.cfg.stopwaitsecs), [this, &s] {
          s.timer = 0;
          kill_now(s);
        });
        return;
      }
      case ServiceState::kBackoff:
        loop.cancel(s.timer);
        s.timer = 0;
        set_state(s, ServiceState::kStopped);
        follow_up(s);
        return;
      default:
        return;
    }
  }

  void kill_now(Service& s) {
    if (s.state != ServiceState::kStopping) return;
    if (!s.kill_sent)
      log.warn("killing '" + s.cfg.name + "' (pid " + std::to_string(s.pgid) + ") with SIGKILL after " +
               std::to_string(s.cfg.stopwaitsecs) + " s");
    s.kill_sent = true;
    if (s.pid) signal_process(s.pid, SIGKILL, s.cfg.killasgroup);
    if (s.group_pending || s.cfg.killasgroup) ::kill(-s.pgid, SIGKILL);
    recheck_group(s);
  }

  /// A group member whose parent is not us dies without a SIGCHLD here: look again now and then.
  void recheck_group(Service& s) {
    loop.cancel(s.timer);
    s.timer = loop.after(1s, [this, &s] {
      s.timer = 0;
      if (s.state != ServiceState::kStopping) return;
      if (s.group_pending && !group_alive(s.pgid)) finish_stop(s);
      else kill_now(s);
    });
  }

  void finish_stop(Service& s) {
    loop.cancel(s.timer);
    s.timer = 0;
    s.group_pending = false;
    set_state(s, ServiceState::kStopped);
    follow_up(s);
  }

  void follow_up(Service& s) {
    if (s.remove_after_stop) {
      s.removed = true;
      return;
    }
    if (s.next_config) {
      s.cfg = std::move(*s.next_config);
      s.next_config.reset();
    }
    if (s.start_after_stop && !shutting_down) {
      s.start_after_stop = false;
      start(s);
    }
    s.start_after_stop = false;
  }

  // ---- readiness probes -------------------------------------------------------------------

  void schedule_probe(Service& s, Clock::duration delay) {
    loop.cancel(s.probe_timer);
    s.probe_timer = loop.after(delay, [this, &s] {
      s.probe_timer = 0;
      probe_once(s);
    });
  }

  void probe_again(Service& s) {
    if (s.state != ServiceState::kStarting) return;
    int n = std::min(s.probe_attempts, 8);
    // A port is cheap to try: every 40 ms at most, so `dkm start` answers soon after it opens.
    auto delay = s.cfg.ready.kind == ReadyProbe::Kind::kTcp
                     ? std::min<Clock::duration>(10ms * (1 << n), 40ms)
                     : std::min<Clock::duration>(100ms * (1 << n), 1000ms);
    schedule_probe(s, delay);
  }

  void probe_once(Service& s) {
    if (s.state != ServiceState::kStarting) return;
    ++s.probe_attempts;
    const ReadyProbe& probe = s.cfg.ready;
    if (probe.kind == ReadyProbe::Kind::kTcp) {
      auto address = resolve_probe_address(probe.host, probe.port);
      int fd = -1;
      ConnectState st = address ? start_tcp_connect(*address, fd) : ConnectState::kFailed;
      if (st == ConnectState::kConnected) {
        ::close(fd);
        became_running(s, "ready: " + probe.text + " answers");
        return;
      }
      if (st == ConnectState::kFailed) {
        probe_again(s);
        return;
      }
      s.probe_fd = fd;
      loop.watch(fd, EPOLLOUT, [this, &s, fd](std::uint32_t) {
        bool ok = finish_tcp_connect(fd);
        close_probe_socket(s);
        if (ok) became_running(s, "ready: " + s.cfg.ready.text + " answers");
        else probe_again(s);
      });
      s.probe_timer = loop.after(kProbeConnectTimeout, [this, &s] {
        s.probe_timer = 0;
        close_probe_socket(s);
        probe_again(s);
      });
      return;
    }
    SpawnRequest req;
    req.argv = probe.argv;
    req.directory = s.cfg.directory;
    req.env = child_environment(s);
    req.capture_stdout = req.capture_stderr = false;
    try {
      SpawnedProcess p = spawn_in_own_group(req);
      s.probe_pid = p.pid;
      probes[p.pid] = &s;
      s.probe_timer = loop.after(kProbeCommandTimeout, [this, &s] {
        s.probe_timer = 0;
        if (s.probe_pid) ::kill(-s.probe_pid, SIGKILL);  // its exit comes back as a failed probe
      });
    } catch (const Error& e) {
      log.warn("probe of '" + s.cfg.name + "': " + e.what());
      probe_again(s);
    }
  }

  void close_probe_socket(Service& s) {
    if (s.probe_fd >= 0) {
      loop.unwatch(s.probe_fd);
      ::close(s.probe_fd);
      s.probe_fd = -1;
    }
    loop.cancel(s.probe_timer);
    s.probe_timer = 0;
  }

  void on_probe_exit(Service& s, pid_t pid, int status) {
    if (s.probe_pid != pid) return;
    s.probe_pid = 0;
    loop.cancel(s.probe_timer);
    s.probe_timer = 0;
    if (s.state != ServiceState::kStarting) return;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) became_running(s, "ready: " + s.cfg.ready.text + " succeeded");
    else probe_again(s);
  }

  void stop_probe(Service& s) {
    close_probe_socket(s);
    if (s.probe_pid) {
      ::kill(-s.probe_pid, SIGKILL);
      probes.erase(s.probe_pid);  // reaped later as a stray child
      s.probe_pid = 0;
    }
  }

  // ---- children and signals ------------------------------------------------------------------

  void reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (auto it = leaders.find(pid); it != leaders.end()) {
        on_exit(*it->second, status);
      } else if (auto pr = probes.find(pid); pr != probes.end()) {
        Service* s = pr->second;
        probes.erase(pr);
        on_probe_exit(*s, pid, status);
      }
      // Anything else was a grandchild handed to us as subreaper: reaped, nothing more.
    }
    for (auto& [name, s] : services)
      if (s->group_pending && !group_alive(s->pgid)) finish_stop(*s);
  }

  void on_signal() {
    signalfd_siginfo info;
    while (::read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      switch (info.ssi_signo) {
        case SIGCHLD:
          break;  // reaped below, once for the whole batch
        case SIGTERM:
        case SIGINT:
        case SIGQUIT:
          log.info("received SIG" + signal_name(static_cast<int>(info.ssi_signo)) + "; shutting down");
          begin_shutdown();
          break;
        case SIGHUP:
          log.info("received SIGHUP; reloading " + services_path.string());
          try {
            auto r = reload();
            log.info("reload: " + reload_summary(r));
          } catch (const Error& e) {
            log.error(std::string("reload failed, nothing changed: ") + e.what());
          }
          break;
        case SIGUSR2:
          log.info("received SIGUSR2; reopening logs");
          reopen_logs();
          break;
        default:
          break;
      }
    }
    reap();
  }

  // ---- reload --------------------------------------------------------------------------------

  struct ReloadResult {
    std::vector<std::string> added, changed, removed, warnings;
  };

  static std::string reload_summary(const ReloadResult& r) {
    auto list = [](const std::vector<std::string>& v) { return v.empty() ? std::string("none") : join(v, ", "); };
    return "added " + list(r.added) + "; changed " + list(r.changed) + "; removed " + list(r.removed);
  }

  ReloadResult reload() {
    auto env = service_base_environment(layout, startup_env);
    ExpansionContext ctx = expansion_context(layout);
    ctx.env = env;
    ServicesFile file = parse_services_file(read_file(services_path), services_path, ctx);
    base_env = std::move(env);
    ReloadResult r;
    r.warnings = file.warnings;
    for (auto& [name, s] : services) {
      if (s->removed || file.programs.count(name)) continue;
      r.removed.push_back(name);
      s->remove_after_stop = true;
      s->start_after_stop = false;
      if (is_active_state(s->state)) stop(*s);
      else s->removed = true;
    }
    for (const auto& name : file.start_order()) {
      const ProgramConfig& cfg = file.programs.at(name);
      auto it = services.find(name);
      if (it == services.end() || it->second->removed) {
        if (it != services.end()) continue;  // still stopping under its old definition
        r.added.push_back(name);
        auto s = std::make_unique<Service>();
        s->cfg = cfg;
        Service& ref = *s;
        services.emplace(name, std::move(s));
        if (cfg.autostart) start(ref);
        continue;
      }
      Service& s = *it->second;
      if (s.cfg == cfg && !s.next_config) continue;
      r.changed.push_back(name);
      if (is_active_state(s.state)) {
        s.next_config = cfg;
        s.start_after_stop = true;
        stop(s);
      } else {
        s.cfg = cfg;
      }
    }
    return r;
  }

  void erase_removed() {
    for (auto it = services.begin(); it != services.end();) {
      Service& s = *it->second;
      if (!s.removed || s.state == ServiceState::kStopping) {
        ++it;
        continue;
      }
      stop_probe(s);
      loop.cancel(s.timer);
      for (auto l = leaders.begin(); l != leaders.end();) l = l->second == &s ? leaders.erase(l) : std::next(l);
      log.info("removed: '" + s.cfg.name + "'");
      it = services.erase(it);
    }
    for (auto it = logs.begin(); it != logs.end();) it = it->second.use_count() == 1 ? logs.erase(it) : std::next(it);
  }

  void reopen_logs() {
    log.reopen();
    for (auto& [path, sink] : logs) {
      try {
        sink->reopen();
      } catch (const Error& e) {
        log.error(e.what());
      }
    }
  }

  // ---- shutdown ------------------------------------------------------------------------------

  bool all_stopped() const {
    for (const auto& [name, s] : services)
      if (!is_stopped_state(s->state) || s->group_pending) return false;
    return probes.empty();
  }

  void begin_shutdown() {
    if (shutting_down) return;
    shutting_down = true;
    if (listen_fd >= 0) {
      // New clients find no supervisor and start the next one, which waits for our lock.
      loop.unwatch(listen_fd);
      ::close(listen_fd);
      listen_fd = -1;
      ::unlink(layout.control_socket().c_str());
    }
    for (auto& [id, w] : waiters) {
      loop.cancel(w.timer);
      if (conns.count(w.conn)) reply(w.conn, error_response("the supervisor is shutting down"));
    }
    waiters.clear();
    batches.clear();
    std::vector<Service*> all;
    for (auto& [name, s] : services) all.push_back(s.get());
    stop_by_priority(all);
  }

  /// Kills the children left over (escaped process groups), so nothing of the install remains.
  void kill_stray_children() {
    pid_t self = ::getpid();
    std::vector<pid_t> strays;
    for (pid_t pid : list_pids()) {
      auto st = read_proc_stat(pid);
      if (st && st->ppid == self) strays.push_back(pid);
    }
    for (pid_t pid : strays) {
      log.warn("killing stray process " + std::to_string(pid));
      ::kill(pid, SIGKILL);
    }
    for (pid_t pid : strays) {
      int status;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    }
  }

  // ---- control connections -------------------------------------------------------------------

  void on_accept() {
    for (;;) {
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      if (conns.size() >= kMaxConnections) {
        log.warn("too many control connections; closing a new one");
        ::close(fd);
        continue;
      }
      ucred cred{};
      socklen_t len = sizeof cred;
      bool allowed = ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
                     (cred.uid == ::geteuid() || cred.uid == 0);
      std::uint64_t id = ++next_conn;
      conns[id].fd = fd;
      // Another user is answered (refused) once its request is read, so that it gets the
      // answer rather than a reset connection.
      if (!allowed) conns[id].refused_uid = static_cast<long>(cred.uid);
      loop.watch(fd, EPOLLIN | EPOLLRDHUP, [this, id](std::uint32_t events) { on_connection(id, events); });
      conns[id].timer = loop.after(kRequestDeadline, [this, id] {
        auto it = conns.find(id);
        if (it == conns.end() || it->second.request_done) return;
        it->second.timer = 0;
        it->second.request_done = true;
        reply(id, error_response("no complete request within 5 s"));
      });
      // Clients write their request right after connecting: it is usually here already.
      on_connection(id, EPOLLIN);
    }
  }

  void on_connection(std::uint64_t id, std::uint32_t events) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    Connection& c = it->second;
    if (events & EPOLLOUT) {
      flush(id);
      if (!conns.count(id)) return;
    }
    if (c.request_done) {
      if (events & (EPOLLHUP | EPOLLERR)) drop(id);  // the client went away while waiting
      return;
    }
    char buf[16384];
    for (;;) {
      ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) {
        drop(id);
        return;
      }
      c.in.append(buf, static_cast<std::size_t>(n));
      if (c.in.find('\n') != std::string::npos || c.in.size() > kMaxRequestBytes) break;
    }
    size_t nl = c.in.find('\n');
    if (nl == std::string::npos && c.in.size() <= kMaxRequestBytes) return;
    c.request_done = true;
    loop.cancel(c.timer);
    c.timer = 0;
    loop.modify(c.fd, 0);  // hang-ups are still reported
    if (nl == std::string::npos || nl + 1 > kMaxRequestBytes) {
      log.warn("rejected an oversized control request");
      reply(id, error_response("request too large (limit " + std::to_string(kMaxRequestBytes) + " bytes)"));
      return;
    }
    std::string line = c.in.substr(0, nl);
    c.in.clear();
    if (c.refused_uid >= 0) {
      log.warn("refused a control request from uid " + std::to_string(c.refused_uid));
      reply(id, error_response("permission denied: uid " + std::to_string(c.refused_uid) +
                               " does not own this supervisor (uid " + std::to_string(::geteuid()) + ")"));
      return;
    }
    handle(id, line);
  }

  void reply(std::uint64_t id, const std::string& text) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    it->second.out += text;
    it->second.close_after_write = true;
    flush(id);
  }

  void flush(std::uint64_t id) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    Connection& c = it->second;
    while (!c.out.empty()) {
      ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        loop.modify(c.fd, EPOLLOUT);
        return;
      }
      if (n <= 0) {
        drop(id);
        return;
      }
      c.out.erase(0, static_cast<std::size_t>(n));
    }
    if (c.close_after_write) drop(id);
  }

  void drop(std::uint64_t id) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    loop.unwatch(it->second.fd);
    ::close(it->second.fd);
    loop.cancel(it->second.timer);
    conns.erase(it);
    for (auto w = waiters.begin(); w != waiters.end();) {
      if (w->second.conn == id) {
        loop.cancel(w->second.timer);
        w = waiters.erase(w);
      } else {
        ++w;
      }
    }
  }

  // ---- requests ------------------------------------------------------------------------------

  ServiceStatus status_of(const Service& s, bool with_tail) const {
    ServiceStatus st;
    st.name = s.cfg.name;
    st.state = s.state;
    st.pid = s.pid;
    if (s.pid) st.uptime = std::chrono::duration<double>(Clock::now() - s.started).count();
    st.since = s.since;
    st.detail = s.detail;
    if (s.state == ServiceState::kStarting && s.cfg.ready.kind != ReadyProbe::Kind::kNone)
      st.detail = "waiting for " + s.cfg.ready.text;
    if (s.queued && !is_active_state(s.state)) st.detail = "queued: starts once the services of lower priority are up";
    st.stdout_log = s.cfg.stdout_log.path.string();
    st.stderr_log = s.cfg.redirect_stderr ? st.stdout_log : s.cfg.stderr_log.path.string();
    if (with_tail && s.state != ServiceState::kRunning) {
      st.log_tail = file_tail(s.cfg.stdout_log.path, 10);
      if (st.stderr_log != st.stdout_log && !s.cfg.stderr_log.path.empty())
        st.log_tail += file_tail(s.cfg.stderr_log.path, 10);
    }
    return st;
  }

  /// The services a request names (all of them, in start order, when it names none), and the unknown names.
  std::vector<Service*> select(const std::vector<std::string>& names, std::vector<std::string>& unknown) {
    std::vector<Service*> out;
    if (names.empty()) {
      std::vector<Service*> all;
      for (auto& [name, s] : services)
        if (!s->removed) all.push_back(s.get());
      std::stable_sort(all.begin(), all.end(), [](Service* a, Service* b) { return a->cfg.priority < b->cfg.priority; });
      return all;
    }
    for (const auto& n : names) {
      auto it = services.find(n);
      if (it == services.end() || it->second->removed) unknown.push_back(n);
      else if (std::find(out.begin(), out.end(), it->second.get()) == out.end()) out.push_back(it->second.get());
    }
    return out;
  }

  std::vector<std::string> names_of(const std::vector<Service*>& list) const {
    std::vector<std::string> out;
    for (auto* s : list) out.push_back(s->cfg.name);
    return out;
  }

  std::string services_reply(const std::vector<std::string>& names, const std::vector<std::string>& unknown,
                             bool with_tail, bool timed_out = false) const {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& n : names) {
      auto it = services.find(n);
      if (it != services.end()) list.push_back(status_of(*it->second, with_tail));
    }
    nlohmann::json j{{"ok", true}, {"supervisor_pid", ::getpid()}, {"services", list}, {"unknown", unknown}};
    if (timed_out) j["timed_out"] = true;
    return json_line(j);
  }

  void add_waiter(std::uint64_t conn, Clock::duration timeout, std::function<bool()> done,
                  std::function<std::string(bool)> make_reply) {
    std::uint64_t id = ++next_waiter;
    Waiter w{conn, 0, std::move(done), std::move(make_reply)};
    w.timer = loop.after(timeout, [this, id] {
      auto it = waiters.find(id);
      if (it == waiters.end()) return;
      Waiter gone = std::move(it->second);
      waiters.erase(it);
      reply(gone.conn, gone.reply(true));
    });
    waiters.emplace(id, std::move(w));
  }

  void check_waiters() {
    for (auto it = waiters.begin(); it != waiters.end();) {
      if (!conns.count(it->second.conn)) {
        loop.cancel(it->second.timer);
        it = waiters.erase(it);
        continue;
      }
      if (!it->second.done()) {
        ++it;
        continue;
      }
      Waiter w = std::move(it->second);
      it = waiters.erase(it);
      loop.cancel(w.timer);
      reply(w.conn, w.reply(false));
    }
  }

  /// True when a named service will not reach RUNNING without a new request.
  bool start_settled(const std::string& name) const {
    auto it = services.find(name);
    if (it == services.end() || it->second->removed) return true;
    const Service& s = *it->second;
    if (s.queued) return false;
    if (s.state == ServiceState::kRunning || s.state == ServiceState::kFatal || s.state == ServiceState::kStopped)
      return true;
    if (s.state == ServiceState::kExited) return !s.pid && s.timer == 0;
    return false;
  }

  bool stop_settled(const std::string& name) const {
    auto it = services.find(name);
    if (it == services.end()) return true;
    const Service& s = *it->second;
    return !s.queued && is_stopped_state(s.state) && !s.group_pending;
  }

  void handle(std::uint64_t id, const std::string& line) {
    Request req;
    try {
      req = parse_request(line);
    } catch (const ProtocolError& e) {
      log.warn(std::string("rejected a control request: ") + e.what());
      reply(id, error_response(e.what()));
      return;
    }
    if (shutting_down && req.command != Command::kStatus && req.command != Command::kPid) {
      reply(id, error_response("the supervisor is shutting down"));
      return;
    }
    std::vector<std::string> unknown;
    switch (req.command) {
      case Command::kStatus:
      case Command::kPid: {
        auto list = select(req.names, unknown);
        auto names = names_of(list);
        if (req.names.empty()) std::sort(names.begin(), names.end());
        reply(id, services_reply(names, unknown, false));
        return;
      }
      case Command::kStart:
      case Command::kRestart: {
        auto list = select(req.names, unknown);
        start_by_priority(list, req.command == Command::kRestart);
        auto names = names_of(list);
        if (req.timeout <= 0) {
          reply(id, services_reply(names, unknown, false));
          return;
        }
        add_waiter(
            id, std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(req.timeout)),
            [this, names] {
              return std::all_of(names.begin(), names.end(), [this](const std::string& n) { return start_settled(n); });
            },
            [this, names, unknown](bool timed_out) { return services_reply(names, unknown, true, timed_out); });
        return;
      }
      case Command::kStop: {
        auto list = select(req.names, unknown);
        auto longest = stop_by_priority(list);
        auto names = names_of(list);
        add_waiter(
            id, longest + 30s,
            [this, names] {
              return std::all_of(names.begin(), names.end(), [this](const std::string& n) { return stop_settled(n); });
            },
            [this, names, unknown](bool timed_out) { return services_reply(names, unknown, false, timed_out); });
        return;
      }
      case Command::kReload: {
        ReloadResult r;
        try {
          r = reload();
        } catch (const Error& e) {
          log.error(std::string("reload failed, nothing changed: ") + e.what());
          reply(id, error_response(e.what()));
          return;
        }
        log.info("reload: " + reload_summary(r));
        std::vector<std::string> touched = r.removed;
        touched.insert(touched.end(), r.changed.begin(), r.changed.end());
        add_waiter(
            id, std::chrono::seconds(3600),
            [this, touched] {
              for (const auto& n : touched) {
                auto it = services.find(n);
                if (it != services.end() && (it->second->state == ServiceState::kStopping || it->second->removed))
                  return false;
              }
              return true;
            },
            [r](bool) {
              return json_line(nlohmann::json{{"ok", true}, {"added", r.added}, {"changed", r.changed},
                                              {"removed", r.removed}, {"warnings", r.warnings}});
            });
        return;
      }
      case Command::kReopenLogs:
        reopen_logs();
        reply(id, json_line(nlohmann::json{{"ok", true}, {"supervisor_pid", ::getpid()}}));
        return;
      case Command::kShutdown: {
        std::vector<std::string> names;
        for (auto& [n, s] : services) names.push_back(n);
        begin_shutdown();
        add_waiter(
            id, std::chrono::hours(24), [this] { return all_stopped(); },
            [this, names](bool) { return services_reply(names, {}, false); });
        return;
      }
    }
  }

  // ---- the loop ------------------------------------------------------------------------------

  void after_events() {
    erase_removed();
    advance_batches();
    check_waiters();
    if (shutting_down && all_stopped()) {
      kill_stray_children();
      bool pending_output = false;
      for (const auto& [id, c] : conns) pending_output = pending_output || !c.out.empty();
      if (!pending_output) finished = true;
    }
  }
};

Supervisor::Supervisor(InstallLayout layout, SupervisorLog& log, ServicesFile services,
                       std::map<std::string, std::string> startup_env, int listen_fd)
    : impl_(std::make_unique<Impl>(std::move(layout), log, std::move(startup_env), listen_fd)) {
  Impl& d = *impl_;
  d.services_path = services.path;
  d.base_env = service_base_environment(d.layout, d.startup_env);
  for (auto& [name, cfg] : services.programs) {
    auto s = std::make_unique<Service>();
    s->cfg = cfg;
    d.services.emplace(name, std::move(s));
  }
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR2}) sigaddset(&mask, sig);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  d.signal_fd = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (d.signal_fd < 0) throw Error("signalfd: " + errno_text());
  // Orphaned grandchildren come to us, so none is lost and none is left at shutdown.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  d.loop.watch(d.signal_fd, EPOLLIN, [&d](std::uint32_t) { d.on_signal(); });
  if (d.listen_fd >= 0) d.loop.watch(d.listen_fd, EPOLLIN, [&d](std::uint32_t) { d.on_accept(); });
}

Supervisor::~Supervisor() {
  Impl& d = *impl_;
  for (auto& [id, c] : d.conns) ::close(c.fd);
  if (d.listen_fd >= 0) ::close(d.listen_fd);
  if (d.signal_fd >= 0) ::close(d.signal_fd);
}

void Supervisor::start_autostart() {
  Impl& d = *impl_;
  std::vector<std::string> unknown;
  std::vector<Service*> autostart;
  for (Service* s : d.select({}, unknown))
    if (s->cfg.autostart) autostart.push_back(s);
  d.start_by_priority(autostart, false);
  d.advance_batches();  // a first group with startsecs = 0 is RUNNING already
}

void Supervisor::run() {
  Impl& d = *impl_;
  d.log.info("supervisor running with pid " + std::to_string(::getpid()) + " for " + d.layout.root().string());
  d.reap();  // a child may have exited before the signalfd existed
  while (!d.finished) {
    d.loop.run_once();
    d.after_events();
  }
  d.log.info("supervisor stopped");
}

}  // namespace dkm::supervise
