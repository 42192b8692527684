// The supervisor's event loop: signals, children, reload and shutdown around the state machine.
#include "supervisor.hpp"

#include "config_values.hpp"
#include "control_socket.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/proc_info.hpp>

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

namespace dkm::supervise {

Supervisor::Supervisor(InstallLayout layout, const DirHandle& run, SupervisorLog& log, ServicesFile services,
                       std::map<std::string, std::string> startup_env, int listen_fd, std::string version)
    : layout_(std::move(layout)),
      run_(run),
      log_(log),
      startup_env_(std::move(startup_env)),
      services_path_(services.path),
      version_(std::move(version)),
      config_{std::move(services), service_base_environment(layout_, startup_env_)},
      processes_(loop_, log_, layout_, run_, config_.env),
      probes_(loop_, log_, processes_),
      machine_(processes_, loop_, probes_, log_),
      server_(loop_, log_, listen_fd, [this](ConnectionId id, const std::string& line) { handle(id, line); }) {
  probes_.set_report([this](const std::string& name, bool ready) { machine_.probe_finished(name, ready); });
  // A service's daemon that is not our child ends without a SIGCHLD: its stop may be over.
  processes_.set_on_descendant_exit([this] { machine_.check_groups(); });
  for (const auto& [name, cfg] : config_.file.programs) machine_.add(cfg);
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR2}) sigaddset(&mask, sig);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  signal_fd_ = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) throw Error("signalfd: " + errno_text());
  // Orphaned descendants come to us, so none is lost and none is left at shutdown.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) throw Error("cannot become a child subreaper: " + errno_text());
  loop_.watch(signal_fd_, EPOLLIN, [this](std::uint32_t) { on_signal(); });
  // Before any service starts, as supervisord's "supervisord started with pid".
  log_.info("supervisor running with pid " + std::to_string(::getpid()) + " for " + layout_.root().string());
}

Supervisor::~Supervisor() {
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

void Supervisor::run() {
  reap();  // a child may have exited before the signalfd existed
  while (!finished_) {
    loop_.run_once();
    after_events();
  }
  log_.info("supervisor stopped");
}

void Supervisor::after_events() {
  machine_.settle();
  processes_.close_unused_logs();
  check_waiters();
  if (machine_.shutting_down() && machine_.all_stopped() && probes_.idle()) {
    processes_.kill_everything();  // nothing of the install outlives its supervisor
    if (!server_.output_pending()) finished_ = true;
  }
}

void Supervisor::reap() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (machine_.process_exited(pid, status)) continue;
    probes_.process_exited(pid, status);
    // Anything else was a descendant handed to us as subreaper: reaped, nothing more.
  }
  processes_.look_for_descendants();  // the orphans of what exited are ours now
  machine_.check_groups();
}

void Supervisor::on_signal() {
  signalfd_siginfo info;
  while (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    switch (info.ssi_signo) {
      case SIGCHLD:
        break;  // reaped below, once for the whole batch
      case SIGTERM:
      case SIGINT:
      case SIGQUIT:
        log_.info("received SIG" + signal_name(static_cast<int>(info.ssi_signo)) + "; shutting down");
        begin_shutdown();
        break;
      case SIGHUP:
        // As `dkm update` (supervisord restarts everything, as `reload`).
        log_.info("received SIGHUP; updating from " + services_path_.string());
        try {
          log_.info("update: " + reload_summary(update({})));
        } catch (const Error& e) {
          log_.error(std::string("update failed, nothing changed: ") + e.what());
        }
        break;
      case SIGUSR2:
        log_.info("received SIGUSR2; reopening logs");
        reopen_logs();
        break;
      default:
        break;
    }
  }
  reap();
}

void Supervisor::reopen_logs() {
  log_.reopen();
  processes_.reopen_logs();
}

void Supervisor::begin_shutdown() {
  if (machine_.shutting_down()) return;
  // New clients find no supervisor and start the next one, which waits for our lock.
  server_.close_listener();
  run_.remove(kControlSocket);
  fail_waiters("the supervisor is shutting down");
  machine_.shutdown();
}

}  // namespace dkm::supervise
