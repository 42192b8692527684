// Running the supervisor: lock, leftovers, socket, pid file, start-up report, loop.
#include <dkm/supervise/daemon.hpp>

#include "control_socket.hpp"
#include "leftovers.hpp"
#include "run_dir.hpp"
#include "supervisor.hpp"
#include "supervisor_lock.hpp"
#include "supervisor_log.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/supervise/services_file.hpp>

#include "control_protocol.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

namespace dkm::supervise {

namespace {

/// Writes one line of the start-up report (ignored when nobody listens).
void notify(int fd, const StartupReport& report) {
  if (fd < 0) return;
  std::string text = render_startup_report(report);
  (void)!::write(fd, text.data(), text.size());
}

/// The supervisor lock, once it is ours; nothing when a supervisor that answers holds it
/// (`busy`). Held by one that does not answer (yet): it is starting or stopping; wait for it.
std::optional<int> acquire_lock(const DirHandle& run, bool& busy) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  for (;;) {
    if (auto lock = try_supervisor_lock(run)) return lock;
    if (int fd = connect_control_socket(run.through(kControlSocket)); fd >= 0) {
      ::close(fd);
      busy = true;
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() > give_up)
      throw Error((run / kSupervisorLock).string() + " stays locked by a supervisor that does not answer");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

/// Runs the supervisor of `layout` holding its lock, after the leftovers of a dead one are gone.
int supervise_locked(const InstallLayout& layout, const DirHandle& run, const SuperviseOptions& options,
                     ServicesFile services, std::map<std::string, std::string> startup_env) {
  const int report = options.notify_fd;
  // [supervisord] umask: the supervisor's, so that of the files it creates and of the
  // programs that do not set their own (supervisord sets it when it daemonizes).
  ::umask(services.umask);
  SupervisorLog log(LogTarget{layout.supervisor_log(), 10 * 1024 * 1024, 3}, !options.daemon, options.daemon, &run);
  for (const auto& w : services.warnings) {
    log.warn(w);
    notify(report, {StartupReport::Kind::kWarning, 0, 0, w});
    if (report < 0 && options.daemon) std::cerr << "dkm: warning: " << w << "\n";
  }
  auto leftovers = find_leftovers(layout, run);
  stop_leftovers(run, leftovers, services.programs, [&](const std::string& line) { log.warn(line); });
  remove_pid_files(run, {});

  int listen_fd = listen_control_socket(run, kControlSocket);
  run.write_file_atomic(layout.supervisor_pid_file().filename().string(), std::to_string(::getpid()) + "\n");
  {
    Supervisor supervisor(layout, run, log, std::move(services), std::move(startup_env), listen_fd, options.version);
    supervisor.start_autostart();
    notify(report, {StartupReport::Kind::kReady, ::getpid(), 0, ""});
    if (report >= 0) ::close(report);
    supervisor.run();
  }
  run.remove(kControlSocket);
  run.remove(layout.supervisor_pid_file().filename().string());
  return kExitOk;
}

}  // namespace

int run_supervisor(const InstallLayout& layout, const SuperviseOptions& options) {
  const int report = options.notify_fd;
  auto fail = [&](const std::string& message, int code) {
    notify(report, {StartupReport::Kind::kError, 0, code, message});
    if (report < 0) std::cerr << "dkm: " << message << "\n";
    return code;
  };
  // First: who is reporting, so the client can wait for it to end after an error.
  notify(report, {StartupReport::Kind::kPid, ::getpid(), 0, ""});
  try {
    DirHandle run = open_run_dir(layout, true);
    bool busy = false;
    std::optional<int> lock = acquire_lock(run, busy);
    if (!lock && report >= 0) {
      notify(report, {StartupReport::Kind::kBusy, 0, 0, ""});
      return kExitOk;
    }
    if (!lock) return fail("a supervisor is already running for " + layout.root().string(), kExitFailure);
    auto startup_env = current_environment();
    ServicesFile services;
    try {
      services = load_services_file(layout, service_base_environment(layout, startup_env));
    } catch (const Error& e) {
      return fail(e.what(), e.exit_code());
    }
    int code = supervise_locked(layout, run, options, std::move(services), std::move(startup_env));
    ::close(*lock);
    return code;
  } catch (const Error& e) {
    return fail(e.what(), e.exit_code());
  } catch (const std::exception& e) {
    return fail(e.what(), kExitFailure);
  }
}

}  // namespace dkm::supervise
