// Starting a detached supervisor and reading its start-up report.
#include "launch.hpp"

#include "control_socket.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/proc_info.hpp>
#include <dkm/core/process.hpp>

#include "control_protocol.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace dkm::supervise {

namespace {

/// Starts this very binary as a detached `dkm supervise --daemon` (its own session, init
/// as its parent, / as its directory, nothing on its standard streams) and returns the
/// read end of its report pipe, the one descriptor it inherits.
int launch_detached(const InstallLayout& layout) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw Error("pipe: " + errno_text());
  SpawnOptions options;
  options.program = "/proc/self/exe";
  options.argv = {"dkm", "-d", layout.root().string(), "supervise", "--daemon", "--notify-fd", std::to_string(report[1])};
  options.cwd = "/";
  options.out = options.err = Output::kNull;
  options.grouping = Grouping::kDetached;
  options.umask = 022;
  options.inherited_fds = {report[1]};
  try {
    spawn_process(options);
  } catch (...) {
    ::close(report[0]);
    ::close(report[1]);
    throw;
  }
  ::close(report[1]);
  return report[0];
}

/// Reads the report until the supervisor says ready, busy or error (or dies).
StartupReport read_report(int fd, const InstallLayout& layout, std::vector<std::string>& warnings, pid_t& reporter) {
  std::string text;
  char buf[4096];
  // Stopping what a killed supervisor left behind may take a service's stopwaitsecs.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  for (;;) {
    size_t nl;
    while ((nl = text.find('\n')) != std::string::npos) {
      StartupReport report = parse_startup_report(std::string_view(text).substr(0, nl));
      text.erase(0, nl + 1);
      if (report.kind == StartupReport::Kind::kWarning) warnings.push_back(report.message);
      else if (report.kind == StartupReport::Kind::kPid) reporter = static_cast<pid_t>(report.pid);
      else return report;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    int r = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw Error("the supervisor did not report within 10 minutes; see " + layout.supervisor_log().string());
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error("the supervisor ended while starting; see " + layout.supervisor_log().string());
    text.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

SupervisorConnection connect_or_start_supervisor(const InstallLayout& layout) {
  SupervisorConnection c;
  if ((c.fd = connect_control_socket(layout.control_socket())) >= 0) return c;
  int report_fd = launch_detached(layout);
  StartupReport report;
  pid_t reporter = 0;
  try {
    report = read_report(report_fd, layout, c.warnings, reporter);
  } catch (...) {
    ::close(report_fd);
    throw;
  }
  ::close(report_fd);
  // A supervisor that will not run ends at once: wait for it, so that when this command
  // fails, nothing of the install runs.
  if (report.kind != StartupReport::Kind::kReady && reporter > 0) wait_for_exit(reporter, std::chrono::seconds(10));
  if (report.kind == StartupReport::Kind::kError)
    throw Error(report.message, report.exit_code > 0 ? report.exit_code : kExitFailure);
  c.started = report.kind == StartupReport::Kind::kReady;
  // Ready (ours) or busy (another client's supervisor won the race): it listens now,
  // or will in a moment.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((c.fd = connect_control_socket(layout.control_socket())) < 0) {
    if (std::chrono::steady_clock::now() > deadline)
      throw Error("the supervisor does not answer on " + layout.control_socket().string());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return c;
}

}  // namespace dkm::supervise
