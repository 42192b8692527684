// Starting a detached supervisor and reading its start-up report.
#include <dkm/supervise/launch.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/supervise/control_socket.hpp>
#include <dkm/core/proc_info.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace dkm::supervise {

namespace {

/// Forks twice and execs this very binary as a detached `dkm supervise --daemon`;
/// returns the read end of its report pipe.
int launch_detached(const InstallLayout& layout) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw Error("pipe: " + errno_text());
  std::string root = layout.root().string();
  std::string notify_fd = std::to_string(report[1]);
  pid_t child = ::fork();
  if (child < 0) throw Error("fork: " + errno_text());
  if (child == 0) {
    ::setsid();
    pid_t daemon = ::fork();
    if (daemon != 0) ::_exit(daemon < 0 ? 1 : 0);
    ::fcntl(report[1], F_SETFD, 0);  // the one descriptor the supervisor inherits
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    if (devnull > 2) ::close(devnull);
    if (::chdir("/") != 0) ::_exit(127);
    ::umask(022);
    const char* argv[] = {"dkm", "-d", root.c_str(), "supervise", "--daemon", "--notify-fd", notify_fd.c_str(), nullptr};
    ::execv("/proc/self/exe", const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(report[1]);
  int status;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  return report[0];
}

/// Reads the report until the supervisor says ready, busy or error (or dies).
std::string read_report(int fd, const InstallLayout& layout, std::vector<std::string>& warnings, pid_t& reporter) {
  std::string text;
  char buf[4096];
  // Stopping what a killed supervisor left behind may take a service's stopwaitsecs.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  for (;;) {
    size_t nl;
    while ((nl = text.find('\n')) != std::string::npos) {
      std::string line = text.substr(0, nl);
      text.erase(0, nl + 1);
      if (line.rfind("warning: ", 0) == 0) warnings.push_back(line.substr(9));
      else if (line.rfind("pid ", 0) == 0) reporter = static_cast<pid_t>(std::atol(line.c_str() + 4));
      else return line;
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
  int report = launch_detached(layout);
  std::string line;
  pid_t reporter = 0;
  try {
    line = read_report(report, layout, c.warnings, reporter);
  } catch (...) {
    ::close(report);
    throw;
  }
  ::close(report);
  // A supervisor that will not run ends at once: wait for it, so that when this command
  // fails, nothing of the install runs.
  if (line.rfind("ready ", 0) != 0 && reporter > 0) wait_for_exit(reporter, std::chrono::seconds(10));
  if (line.rfind("error ", 0) == 0) {
    std::string rest = line.substr(6);
    size_t space = rest.find(' ');
    int code = std::atoi(rest.substr(0, space).c_str());
    throw Error(space == std::string::npos ? rest : rest.substr(space + 1), code > 0 ? code : kExitFailure);
  }
  c.started = line.rfind("ready ", 0) == 0;
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
