// Running the supervisor: lock, leftovers, socket, pid file, start-up report, loop.
#include <dkm/supervise/daemon.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/supervise/control_socket.hpp>
#include <dkm/supervise/leftovers.hpp>
#include <dkm/supervise/service_environment.hpp>
#include <dkm/supervise/services_file.hpp>
#include <dkm/supervise/supervisor.hpp>
#include <dkm/supervise/supervisor_log.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

namespace dkm::supervise {

namespace {

/// Writes one line of the start-up report (ignored when nobody listens).
void notify(int fd, const std::string& line) {
  if (fd < 0) return;
  std::string text = line + "\n";
  (void)!::write(fd, text.data(), text.size());
}

}  // namespace

std::optional<int> try_supervisor_lock(const InstallLayout& layout) {
  fs::path path = supervisor_lock_file(layout);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(path.string() + ": cannot open: " + errno_text());
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
  int err = errno;
  ::close(fd);
  if (err == EWOULDBLOCK) return std::nullopt;
  throw Error(path.string() + ": cannot lock: " + errno_text(err));
}

int run_supervisor(const InstallLayout& layout, const SuperviseOptions& options) {
  const int report = options.notify_fd;
  auto fail = [&](const std::string& message, int code) {
    notify(report, "error " + std::to_string(code) + " " + message);
    if (report < 0) std::cerr << "dkm: " << message << "\n";
    return code;
  };
  // First line: who is reporting, so the client can wait for it to end after an error.
  notify(report, "pid " + std::to_string(::getpid()));
  try {
    std::error_code ec;
    fs::create_directories(layout.run(), ec);
    if (ec) return fail(layout.run().string() + ": cannot create: " + ec.message(), kExitFailure);

    // The lock decides who supervises. Held by a supervisor that answers: it is running.
    // Held by one that does not answer (yet): it is starting or stopping; wait for it.
    std::optional<int> lock;
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (!(lock = try_supervisor_lock(layout))) {
      if (int fd = connect_control_socket(layout.control_socket()); fd >= 0) {
        ::close(fd);
        if (report >= 0) {
          notify(report, "busy");
          return kExitOk;
        }
        return fail("a supervisor is already running for " + layout.root().string(), kExitFailure);
      }
      if (std::chrono::steady_clock::now() > give_up)
        return fail(supervisor_lock_file(layout).string() + " stays locked by a supervisor that does not answer",
                    kExitFailure);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }

    auto startup_env = current_environment();
    ServicesFile services;
    try {
      services = load_services_file(layout, service_base_environment(layout, startup_env));
    } catch (const Error& e) {
      return fail(e.what(), e.exit_code());
    }

    SupervisorLog log(LogTarget{layout.supervisor_log(), 10 * 1024 * 1024, 3}, !options.daemon, options.daemon);
    for (const auto& w : services.warnings) {
      log.warn(w);
      notify(report, "warning: " + w);
      if (report < 0 && options.daemon) std::cerr << "dkm: warning: " << w << "\n";
    }

    auto leftovers = find_leftovers(layout);
    stop_leftovers(layout, leftovers, services.programs, [&](const std::string& line) { log.warn(line); });

    int listen_fd = listen_control_socket(layout.control_socket());
    write_file_atomic(layout.supervisor_pid_file(), std::to_string(::getpid()) + "\n");
    {
      Supervisor supervisor(layout, log, std::move(services), std::move(startup_env), listen_fd);
      supervisor.start_autostart();
      notify(report, "ready " + std::to_string(::getpid()));
      if (report >= 0) ::close(report);
      supervisor.run();
    }
    ::unlink(layout.control_socket().c_str());
    ::unlink(layout.supervisor_pid_file().c_str());
    ::close(*lock);
    return kExitOk;
  } catch (const Error& e) {
    return fail(e.what(), e.exit_code());
  } catch (const std::exception& e) {
    return fail(e.what(), kExitFailure);
  }
}

}  // namespace dkm::supervise
